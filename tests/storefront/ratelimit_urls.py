"""The project's URLs plus one view limited with `block=True`, as the storefront's views may be."""

from django.http import HttpResponse
from django.urls import path
from django_ratelimit.decorators import ratelimit

from storefront.urls import urlpatterns as project_urlpatterns


@ratelimit(key="ip", rate="2/m", block=True)
def limited(request):
    return HttpResponse("ok")


urlpatterns = [path("limited/", limited), *project_urlpatterns]
