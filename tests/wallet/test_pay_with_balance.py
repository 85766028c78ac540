"""Issue 14 item 5: pay with balance, and a failed wallet-paid order refunded to the wallet."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Variant
from orders import services
from orders.models import Order
from payments.models import Payment
from tests.oncommit import queued_tasks
from wallet import selectors
from wallet.models import LedgerEntry

from ..factories import UserFactory
from .conftest import assert_books_balance, fund

S = Order.Status
K = LedgerEntry.Kind


@pytest.fixture
def customer_order(synced, customer):
    def make(owner=None) -> Order:
        variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
        return services.create_order(
            variant=variant,
            account={"user_id": "123456789", "zone_id": "2345"},
            contact_email="budi@example.com",
            customer=owner or customer,
        )

    return make


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pay_balance(client, order):
    return client.post(reverse("orders:pay_balance", args=[order.number]))


def test_pay_with_balance_pays_at_once_and_submits(
    customer, customer_order, django_capture_on_commit_callbacks
):
    order = customer_order()
    fund(customer, 50_000)
    client = logged_in(customer)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert reverse("orders:pay_balance", args=[order.number]) in page
    assert "Bayar dengan saldo (Rp 50.000)" in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = pay_balance(client, order)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.PAID and order.payment_provider == "wallet"
    assert selectors.balance_of(customer) == 50_000 - order.price
    entries = LedgerEntry.objects.filter(wallet__user=customer, kind=K.PURCHASE)
    assert [(e.amount, e.cause) for e in entries] == [
        (-order.price, f"order:{order.number}:purchase")
    ]
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.status, payment.reference) == (
        "wallet",
        Payment.Status.PAID,
        order.payment_reference,
    )
    assert "orders.submit_order" in queued_tasks(callbacks)  # the same submission path
    assert_books_balance(customer)


def test_insufficient_balance_says_so_and_changes_nothing(customer, customer_order):
    order = customer_order()
    fund(customer, order.price - 1)
    client = logged_in(customer)
    response = pay_balance(client, order)
    page = client.get(response["Location"]).content.decode()
    assert "Saldo tidak cukup untuk membayar pesanan ini." in page
    assert 'class="message error"' in page
    order.refresh_from_db()
    assert order.status == S.AWAITING_PAYMENT and order.payment_reference == ""
    assert selectors.balance_of(customer) == order.price - 1
    assert not Payment.objects.filter(order=order).exists()
    assert not LedgerEntry.objects.filter(kind=K.PURCHASE).exists()


def test_another_users_order_is_403(customer, customer_order):
    order = customer_order()
    other = UserFactory(username="siti", email="siti@example.com")
    fund(other, 50_000, cause="payment:OTHER:deposit")
    assert pay_balance(logged_in(other), order).status_code == 403
    assert pay_balance(Client(), order).status_code == 403  # a guest
    page = logged_in(other).get(reverse("orders:detail", args=[order.number])).content.decode()
    assert reverse("orders:pay_balance", args=[order.number]) not in page
    order.refresh_from_db()
    assert order.status == S.AWAITING_PAYMENT
    assert selectors.balance_of(other) == 50_000


def test_guest_order_cannot_be_paid_with_a_balance(customer, customer_order):
    order = customer_order()
    Order.objects.filter(pk=order.pk).update(customer=None)
    fund(customer, 50_000)
    assert pay_balance(logged_in(customer), order).status_code == 403


def test_a_repeated_post_pays_once(customer, customer_order):
    order = customer_order()
    fund(customer, 50_000)
    client = logged_in(customer)
    pay_balance(client, order)
    pay_balance(client, order)
    assert selectors.balance_of(customer) == 50_000 - order.price
    assert LedgerEntry.objects.filter(kind=K.PURCHASE).count() == 1
    assert Payment.objects.filter(order=order).count() == 1


def test_a_failure_after_the_debit_leaves_nothing_half_done(customer, customer_order):
    """mark_paid refusing (the order closed meanwhile) undoes the debit and the payment."""
    from payments import services as payments

    order = customer_order()
    fund(customer, 50_000)
    Order.objects.filter(pk=order.pk).update(status=S.EXPIRED)
    assert not payments.pay_with_wallet(order_id=order.pk, user=customer)
    assert selectors.balance_of(customer) == 50_000
    assert not Payment.objects.filter(order=order).exists()


def test_failed_wallet_paid_order_is_refunded_to_the_wallet_at_once(
    customer, customer_order, django_capture_on_commit_callbacks
):
    order = customer_order()
    fund(customer, 50_000)
    pay_balance(logged_in(customer), order)
    Order.objects.filter(pk=order.pk).update(status=S.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.refund_order(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert selectors.balance_of(customer) == 50_000
    kinds = LedgerEntry.objects.filter(wallet__user=customer).exclude(kind=K.DEPOSIT)
    assert sorted((e.kind, e.amount, e.cause) for e in kinds) == sorted(
        [
            (K.PURCHASE, -order.price, f"order:{order.number}:purchase"),
            (K.REFUND, order.price, f"order:{order.number}:refund"),
        ]
    )
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED
    # Asked again (the sweeper, a retry): refunded once only.
    assert not services.refund_order(order_id=order.pk)
    assert selectors.balance_of(customer) == 50_000
    assert_books_balance(customer)


def test_guests_never_see_the_balance_option(synced, customer):
    url = reverse("catalog:game", args=["mobile-legends"])
    guest_page = Client().get(url).content.decode()
    assert 'value="wallet"' not in guest_page
    customer_page = logged_in(customer).get(url).content.decode()
    assert 'value="wallet"' in customer_page
    # And a guest posting it anyway is refused by the form.
    form = {
        "variant": "MLBB_ID_5",
        "account_user_id": "123456789",
        "account_zone_id": "2345",
        "email": "buyer@example.com",
        "payment_method": "wallet",
    }
    response = Client().post(reverse("orders:checkout", args=["mobile-legends"]), form)
    assert response.status_code == 400
    assert not Order.objects.exists()
    response = logged_in(customer).post(reverse("orders:checkout", args=["mobile-legends"]), form)
    assert response.status_code == 302
    assert Order.objects.get().payment_provider == "wallet"
