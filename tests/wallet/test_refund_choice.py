"""Issue 14: a logged-in customer's failed order paid through a gateway offers the refund to
the balance (instant) or to the original method; the automatic refund waits a short window
for that choice, and one conditional UPDATE of the payment lets only one of them happen.

Also: paying with balance cancels a gateway attempt the customer had opened, and a late
gateway payment for that order is refunded on the late-payment path."""

from datetime import timedelta

import pytest
import responses
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Variant
from orders import services
from orders.models import Order
from payments import services as payments
from payments.models import Payment
from tests.payments.test_midtrans import CORE, SERVER_KEY, SNAP, notification, notify, status_api
from wallet import selectors
from wallet.models import LedgerEntry

from ..factories import UserFactory
from .conftest import assert_books_balance, fund

pytestmark = pytest.mark.django_db
S = Order.Status
P = Payment.Status
K = LedgerEntry.Kind
CHOICE = "Ke mana dana kamu dikembalikan?"
TO_BALANCE = "Kembalikan ke saldo (instan)"
TO_METHOD = "Kembalikan ke metode pembayaran asal"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def place(synced, customer):
    def make(*, owner=customer, provider="sandbox") -> Order:
        variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
        return services.create_order(
            variant=variant,
            account={"user_id": "123456789", "zone_id": "2345"},
            contact_email="budi@example.com",
            customer=owner,
            payment_provider=provider,
        )

    return make


def fail(order: Order, *, ago: timedelta = timedelta(0)) -> Order:
    """isipay failed the paid order (as the worker records it), then asks for the refund."""
    Order.objects.filter(pk=order.pk).update(status=S.FAILED, completed_at=timezone.now() - ago)
    services.refund_order(order_id=order.pk)
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def failed_order(place):
    """A logged-in customer's order, paid on the sandbox page, that isipay failed just now."""

    def make(**kwargs) -> Order:
        order = place(**kwargs)
        payments.confirm_paid(payment=payments.start_payment(order=order))
        return fail(order)

    return make


def page_of(client, order) -> str:
    return client.get(reverse("orders:detail", args=[order.number])).content.decode()


def test_a_guests_refund_goes_to_the_original_method_at_once(failed_order):
    order = failed_order(owner=None)
    assert order.status == S.REFUNDED
    assert Payment.objects.get(order=order).status == P.REFUNDED
    assert CHOICE not in page_of(Client(), order)


def test_a_customers_failed_gateway_order_waits_and_offers_the_choice(customer, failed_order):
    order = failed_order()
    assert order.status == S.FAILED
    assert Payment.objects.get(order=order).status == P.PAID  # the refund has not started
    assert order.events.filter(message__startswith="Waiting until").count() == 1
    page = page_of(logged_in(customer), order)
    assert CHOICE in page and TO_BALANCE in page and TO_METHOD in page
    assert "dana dikembalikan ke metode pembayaran asal secara otomatis" in page
    # Nobody else is offered it, nor can choose.
    other = logged_in(UserFactory())
    assert CHOICE not in page_of(other, order) and CHOICE not in page_of(Client(), order)
    for url in ("orders:refund_balance", "orders:refund_original"):
        assert other.post(reverse(url, args=[order.number])).status_code == 403
        assert Client().post(reverse(url, args=[order.number])).status_code == 403
    # Asked again meanwhile (a sweeper tick): it still waits, noted once.
    assert not services.refund_order(order_id=order.pk)
    assert order.events.filter(message__startswith="Waiting until").count() == 1


def test_back_to_the_balance_is_instant_and_a_double_click_credits_once(
    customer, failed_order, django_capture_on_commit_callbacks
):
    order = failed_order()
    client = logged_in(customer)
    url = reverse("orders:refund_balance", args=[order.number])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    assert "Dana sudah kembali ke saldo kamu." in client.get(first["Location"]).content.decode()
    second = client.post(url)
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    payment = Payment.objects.get(order=order)
    assert payment.status == P.REFUNDED and payment.refunded_to_wallet
    assert selectors.balance_of(customer) == order.price
    refunds = LedgerEntry.objects.filter(kind=K.REFUND)
    assert [(e.amount, e.cause) for e in refunds] == [(order.price, f"order:{order.number}:refund")]
    page = client.get(second["Location"]).content.decode()
    assert "Pengembalian dana pesanan ini sudah dimulai." in page
    assert "sudah dikembalikan ke saldo kamu" in page and CHOICE not in page
    # The sweepers have nothing left to do: the provider is never asked to refund it too.
    assert not services.refund_order(order_id=order.pk)
    assert Payment.objects.get(order=order).status == P.REFUNDED
    assert_books_balance(customer)


def test_back_to_the_original_method_starts_the_refund_now_and_closes_the_choice(
    customer, failed_order
):
    order = failed_order()
    client = logged_in(customer)
    client.post(reverse("orders:refund_original", args=[order.number]))
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert order.status == S.REFUNDED  # the sandbox refunds at once
    assert payment.status == P.REFUNDED and not payment.refunded_to_wallet
    page = page_of(client, order)
    assert "Dana kamu sudah dikembalikan." in page and CHOICE not in page
    # Too late for the balance now: nothing is credited.
    client.post(reverse("orders:refund_balance", args=[order.number]))
    assert selectors.balance_of(customer) == 0
    assert not LedgerEntry.objects.exists()


def test_after_the_window_the_sweeper_refunds_to_the_original_method(
    customer, failed_order, settings
):
    settings.ORDER_REFUND_SWEEP_AFTER = 0
    order = failed_order()
    services.sweep_refunds()
    assert Order.objects.get(pk=order.pk).status == S.FAILED  # still in the window
    Order.objects.filter(pk=order.pk).update(
        completed_at=timezone.now() - timedelta(seconds=settings.WALLET_REFUND_CHOICE_WINDOW + 1),
        updated_at=timezone.now() - timedelta(seconds=1),
    )
    assert services.sweep_refunds() == 1
    assert Order.objects.get(pk=order.pk).status == S.REFUNDED
    assert not Payment.objects.get(order=order).refunded_to_wallet
    assert selectors.balance_of(customer) == 0
    assert CHOICE not in page_of(logged_in(customer), order)


def test_once_the_automatic_refund_has_claimed_the_payment_the_balance_is_not_offered(
    customer, failed_order
):
    order = failed_order()
    Payment.objects.filter(order=order).update(status=P.REFUNDING)  # sent, no answer yet
    client = logged_in(customer)
    assert CHOICE not in page_of(client, order)
    client.post(reverse("orders:refund_balance", args=[order.number]))
    assert selectors.balance_of(customer) == 0
    assert Order.objects.get(pk=order.pk).status == S.FAILED


def test_a_wallet_paid_order_has_no_choice_it_is_back_in_the_balance_at_once(customer, place):
    order = place(provider="wallet")
    fund(customer, 50_000)
    assert payments.pay_with_wallet(order_id=order.pk, user=customer)
    order = fail(order)
    assert order.status == S.REFUNDED
    assert selectors.balance_of(customer) == 50_000
    page = page_of(logged_in(customer), order)
    assert CHOICE not in page and "sudah dikembalikan ke saldo kamu" in page


# --- paying with balance closes an open gateway attempt -----------------------------------------


def test_paying_with_balance_closes_the_open_sandbox_attempt(customer, place):
    order = place()
    attempt = payments.start_payment(order=order)
    fund(customer, 50_000)
    client = logged_in(customer)
    client.post(reverse("orders:pay_balance", args=[order.number]))
    attempt.refresh_from_db()
    assert attempt.status == P.EXPIRED
    # The sandbox tab left open takes no money any more.
    response = client.post(reverse("payments:sandbox", args=[attempt.reference]), {"action": "pay"})
    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).payment_provider == "wallet"
    assert selectors.balance_of(customer) == 50_000 - order.price


@pytest.fixture
def midtrans(settings):
    settings.PAYMENT_PROVIDERS = ["midtrans", "sandbox"]
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.MIDTRANS_CLIENT_KEY = "SB-Mid-client-TEST-ONLY"
    settings.MIDTRANS_IS_PRODUCTION = False
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.post(
            SNAP,
            json={"token": "t-1", "redirect_url": "https://app.sandbox.midtrans.com/snap/t-1"},
            status=201,
        )
        yield mocked


def test_a_late_midtrans_payment_after_paying_with_balance_is_refunded(
    client, customer, place, midtrans
):
    order = place(provider="midtrans")
    attempt = payments.start_payment(order=order)
    expire = midtrans.post(f"{CORE}/{attempt.reference}/expire", json={"status_code": "407"})
    fund(customer, 50_000)
    assert payments.pay_with_wallet(order_id=order.pk, user=customer)
    assert expire.call_count == 1
    attempt.refresh_from_db()
    assert attempt.status == P.EXPIRED
    # The customer had paid in the Snap window all the same; its notification comes late.
    status_api(midtrans, attempt)
    refund = midtrans.post(
        f"{CORE}/{attempt.reference}/refund",
        json={"status_code": "200", "refund_key": f"{attempt.reference}-refund"},
    )
    assert notify(client, notification(attempt)).json() == {"result": "no-op"}
    attempt.refresh_from_db()
    assert attempt.status == P.REFUNDED and refund.call_count == 1
    order.refresh_from_db()
    assert order.status == S.PAID and order.payment_reference == f"{order.number}-wallet"
    assert order.events.filter(message__contains="arrived after the order").exists()
    assert selectors.balance_of(customer) == 50_000 - order.price  # charged once, by the wallet


def test_an_attempt_midtrans_will_not_cancel_because_it_was_paid_is_refunded(
    customer, place, midtrans
):
    order = place(provider="midtrans")
    attempt = payments.start_payment(order=order)
    midtrans.post(
        f"{CORE}/{attempt.reference}/expire",
        json={"status_code": "412", "status_message": "cannot be updated"},
        status=412,
    )
    status_api(midtrans, attempt)  # it was settled a moment before
    refund = midtrans.post(f"{CORE}/{attempt.reference}/refund", json={"status_code": "200"})
    fund(customer, 50_000)
    assert payments.pay_with_wallet(order_id=order.pk, user=customer)
    attempt.refresh_from_db()
    assert attempt.status == P.REFUNDED and refund.call_count == 1
    assert Order.objects.get(pk=order.pk).status == S.PAID
