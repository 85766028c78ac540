from django.urls import path

from . import views

app_name = "wallet"

urlpatterns = [
    path("akun/isi-saldo/", views.deposit_new, name="deposit_new"),
    path("akun/isi-saldo/<str:reference>/", views.deposit_detail, name="deposit"),
    path("akun/isi-saldo/<str:reference>/bayar/", views.deposit_pay, name="deposit_pay"),
]
