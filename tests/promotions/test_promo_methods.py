"""Promo codes limited to payment methods (issue 15 item 3): refused on another method with
one reason; a method changed afterwards (failover, the balance) never keeps a discount the
new method does not get."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from orders import services as orders
from orders.models import Order, OrderEvent
from orders.views import FAILOVER_SESSION_KEY
from payments import services as payments
from promotions import services
from promotions.models import PromoCode, PromoUse
from wallet import services as wallet
from wallet.models import LedgerEntry

from .test_promo import make_code


def new_order(item, *, provider="tripay", method="QRIS", customer=None) -> Order:
    return orders.create_order(
        variant=item,
        account={"user_id": "123"},
        contact_email="buyer@example.com",
        payment_provider=provider,
        payment_method=method,
        customer=customer,
    )


@pytest.mark.parametrize(
    ("limited_to", "provider", "method", "applies"),
    [
        ("", "sandbox", "", True),  # no list: every method
        ("QRIS", "tripay", "QRIS", True),
        ("qris, briva", "tripay", "BRIVA", True),  # case and spaces do not matter
        ("QRIS", "tripay", "BRIVA", False),
        ("QRIS", "sandbox", "", False),
        ("tripay", "tripay", "OVO", True),  # a provider covers all its channels
        ("sandbox", "sandbox", "", True),
        ("wallet", "tripay", "QRIS", False),
    ],
)
def test_a_code_limited_to_payment_methods_applies_only_on_them(
    item, limited_to, provider, method, applies
):
    make_code(payment_methods=limited_to)
    order = new_order(item, provider=provider, method=method)
    if applies:
        services.apply_promo(order_id=order.pk, code="GERAI10")
        order.refresh_from_db()
        assert (order.promo_code, order.price) == ("GERAI10", 105_000)
        return
    with pytest.raises(services.PromoRefused) as refused:
        services.apply_promo(order_id=order.pk, code="GERAI10")
    assert str(refused.value) == "Kode ini tidak berlaku untuk metode pembayaran ini."
    order.refresh_from_db()
    assert (order.promo_code, order.price) == ("", 110_000)
    assert PromoCode.objects.get().used == 0


def test_the_list_is_kept_tidy(db):
    promo = make_code(payment_methods=" briva;qris ,, ")
    promo.refresh_from_db()
    assert promo.payment_methods == "BRIVA, QRIS"


def test_the_summary_page_says_why_a_code_is_not_for_the_method(client, plain_game):
    make_code(payment_methods="BRIVA")
    order = new_order(plain_game)
    page = client.post(
        reverse("promotions:apply", args=[order.number]), {"code": "GERAI10"}, follow=True
    ).content.decode()
    assert "Kode ini tidak berlaku untuk metode pembayaran ini." in page


def test_failover_to_a_method_the_code_is_not_for_takes_the_code_off(item):
    promo = make_code(payment_methods="QRIS")
    order = new_order(item)
    services.apply_promo(order_id=order.pk, code="GERAI10")
    assert orders.switch_payment_method(order_id=order.pk, provider="sandbox")
    order.refresh_from_db()
    # The price before the code, and the code's use back in its quota.
    assert (order.payment_provider, order.price, order.promo_code) == ("sandbox", 110_000, "")
    assert (order.promo_discount, order.subsidy_cost, order.payment_fee) == (0, 0, 0)
    promo.refresh_from_db()
    assert promo.used == 0 and PromoUse.objects.get().released_at is not None
    assert "GERAI10 taken off" in OrderEvent.objects.filter(order=order).last().message


def test_failover_to_a_method_the_code_is_for_keeps_it(item):
    make_code(payment_methods="QRIS, sandbox")
    order = new_order(item)
    services.apply_promo(order_id=order.pk, code="GERAI10")
    assert orders.switch_payment_method(order_id=order.pk, provider="sandbox")
    order.refresh_from_db()
    assert (order.payment_provider, order.price, order.promo_code) == (
        "sandbox",
        105_000,
        "GERAI10",
    )
    assert PromoCode.objects.get().used == 1


def test_the_failover_page_shows_the_new_total_before_paying(client, plain_game, settings):
    settings.PAYMENT_PROVIDERS = ["tripay", "sandbox"]
    make_code(payment_methods="QRIS")
    order = new_order(plain_game)
    services.apply_promo(order_id=order.pk, code="GERAI10")
    # Tripay could not start the payment: this browser was offered the other gateways.
    session = client.session
    session[FAILOVER_SESSION_KEY] = order.number
    session.save()
    response = client.post(
        reverse("orders:switch_method", args=[order.number]), {"payment_method": "sandbox"}
    )
    # Not on to the payment: back to the order, which says the code came off.
    assert response["Location"] == reverse("orders:detail", args=[order.number])
    assert not order.payments.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Kode promo GERAI10 tidak berlaku untuk metode pembayaran ini dan dilepas." in page
    assert "Rp 110.000" in page


def test_paying_from_the_balance_is_refused_when_the_code_is_not_for_it(item):
    customer = User.objects.create_user(username="budi", email="budi@example.com", password="x")
    wallet.credit(
        user=customer, amount=500_000, kind=LedgerEntry.Kind.DEPOSIT, cause="payment:SEED:deposit"
    )
    make_code(payment_methods="QRIS")
    order = new_order(item, customer=customer)
    services.apply_promo(order_id=order.pk, code="GERAI10", user=customer)
    client = Client()
    client.force_login(customer)
    pay_url = reverse("orders:pay_balance", args=[order.number])
    detail = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert pay_url not in detail  # not offered, and the page says why
    assert "Kode promo GERAI10 tidak berlaku untuk pembayaran dengan saldo" in detail
    # A page open from before still posts: refused, nothing charged.
    page = client.post(
        reverse("orders:pay_balance", args=[order.number]), follow=True
    ).content.decode()
    assert "Kode promo GERAI10 tidak berlaku untuk pembayaran dengan saldo" in page
    order.refresh_from_db()
    # Nothing charged, nothing taken off: it is still payable by QRIS at the discounted price.
    assert (order.status, order.price, order.promo_code) == (
        Order.Status.AWAITING_PAYMENT,
        105_000,
        "GERAI10",
    )
    assert not order.payments.exists()
    # A code for the balance lets it pay.
    PromoCode.objects.update(payment_methods="QRIS, WALLET")
    assert pay_url in client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert payments.pay_with_wallet(order_id=order.pk, user=customer)
    order.refresh_from_db()
    assert (order.status, order.price) == (Order.Status.PAID, 105_000)
