"""The complaint form linked from every order page: the order's link is all it takes."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from orders import selectors as order_selectors
from orders.views import too_many

from . import services
from .forms import ComplaintForm


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=lambda *_: settings.RATELIMIT_COMPLAINT, method="POST", block=False)
def complaint(request, number: str):
    order = order_selectors.order_for_customer(number)
    if order is None:
        raise Http404("No such order")
    form = ComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            return too_many(request)
        if form.is_valid():
            services.file_complaint(order=order, **form.cleaned_data)
            messages.success(
                request, _("Thank you. Our support team has your message and will answer you.")
            )
            return redirect("orders:detail", number=order.number)
        status = 400
    response = render(
        request, "support/complaint.html", {"order": order, "form": form}, status=status
    )
    patch_cache_control(response, private=True)
    return response
