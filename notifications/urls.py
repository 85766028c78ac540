from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path(
        "notifications/fonnte/webhook/<str:secret>/",
        views.fonnte_webhook,
        name="fonnte-webhook",
    ),
]
