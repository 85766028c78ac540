from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("payments/sandbox/<str:reference>/", views.sandbox, name="sandbox"),
    # No trailing-slash redirect may happen here: Midtrans needs a 2xx on this exact URL.
    path("payments/midtrans/notify/", views.midtrans_notify, name="midtrans-notify"),
    path("payments/tripay/callback/", views.tripay_callback, name="tripay-callback"),
]
