from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("games/<slug:slug>/buy/", views.checkout, name="checkout"),
    path("orders/lookup/", views.lookup, name="lookup"),
    path("orders/<str:number>/", views.detail, name="detail"),
    path("orders/<str:number>/status/", views.status_fragment, name="status"),
    path("orders/<str:number>/receipt/", views.receipt, name="receipt"),
    path("orders/<str:number>/pay/", views.pay, name="pay"),
    path("orders/<str:number>/pay/balance/", views.pay_with_balance, name="pay_balance"),
    path("orders/<str:number>/pay/check/", views.check_payment, name="check_payment"),
    path("orders/<str:number>/pay/method/", views.switch_method, name="switch_method"),
    path("orders/<str:number>/change/", views.change, name="change"),
    path("orders/<str:number>/refund/balance/", views.refund_to_balance, name="refund_balance"),
    path("orders/<str:number>/refund/original/", views.refund_to_original, name="refund_original"),
]
