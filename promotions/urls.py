from django.urls import path

from . import views

app_name = "promotions"

urlpatterns = [
    path("orders/<str:number>/promo/", views.apply, name="apply"),
    path("akun/level/<int:pk>/beli/", views.buy_tier, name="buy_tier"),
]
