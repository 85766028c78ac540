from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("orders/<str:number>/complaint/", views.complaint, name="complaint"),
]
