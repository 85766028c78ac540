"""Tripay closed payments against the fake Tripay (payments/tripay/fake.py), a live server that
speaks Tripay's API with real signatures. Its callbacks are replayed through the test client
exactly as made (raw body, headers), so the signature is checked on the very bytes sent."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from catalog.models import Variant
from orders import services
from orders.models import Order
from payments import services as payments
from payments.errors import PaymentRefused, PaymentUnavailable
from payments.models import Payment
from payments.tripay.client import request_signature
from payments.tripay.fake import Callback

S = Order.Status
P = Payment.Status
CALLBACK = "/payments/tripay/callback/"


def new_order() -> Order:
    variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
    return services.create_order(
        variant=variant,
        account={"user_id": "123456789", "zone_id": "2345"},
        contact_email="buyer@example.com",
        payment_provider="tripay",
    )


@pytest.fixture
def payment(synced, tripay) -> Payment:
    return payments.start_payment(order=new_order())


def deliver(client, callback: Callback):
    return client.post(
        CALLBACK,
        callback.body,
        content_type="application/json",
        headers={k: v for k, v in callback.headers.items() if k != "Content-Type"},
    )


def test_the_request_is_signed_and_the_customer_goes_to_tripays_checkout(
    client, synced, tripay, settings
):
    settings.TRIPAY_DEFAULT_METHOD = "OVO"  # a REDIRECT channel: paid on Tripay's page
    order = new_order()
    response = client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get()
    sent = tripay.transactions[payment.provider_token]
    assert response.status_code == 302
    assert response["Location"] == f"{tripay.url}/checkout/{payment.provider_token}"
    assert (sent.merchant_ref, sent.amount, sent.method) == (payment.reference, order.price, "OVO")
    assert sent.callback_url == f"http://127.0.0.1:8000{CALLBACK}"
    # The documented signature: HMAC-SHA256(private key, merchant_code + merchant_ref + amount).
    assert (
        request_signature(private_key="k", merchant_code="T1", merchant_ref="INV1", amount=15000)
        == hmac.new(b"k", b"T1INV115000", hashlib.sha256).hexdigest()
    )


def test_a_request_signed_with_another_key_is_refused_by_tripay(synced, tripay, settings):
    settings.TRIPAY_PRIVATE_KEY = "not-the-private-key"
    with pytest.raises(PaymentRefused, match="Invalid signature"):
        payments.start_payment(order=new_order())
    assert not Payment.objects.exists()


@pytest.mark.parametrize("fault", ["http500", "http503", "timeout"])
def test_tripay_down_at_creation_leaves_the_order_waiting_with_a_message(
    client, synced, tripay, fault, settings
):
    settings.PAYMENT_PROVIDERS = ["tripay"]  # no other gateway to offer instead
    order = new_order()
    tripay.inject("transaction/create", fault)
    response = client.post(reverse("orders:pay", args=[order.number]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("orders:detail", args=[order.number])
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert not Payment.objects.exists()
    with pytest.raises(PaymentUnavailable):
        tripay.inject("transaction/create", fault)
        payments.start_payment(order=order)


def test_paid_callback_marks_the_order_paid_once_even_when_sent_twice(client, payment, tripay):
    tripay.callback_mode = "twice"
    first, second = (deliver(client, c) for c in tripay.pay(payment.provider_token))
    assert (first.status_code, first.json()) == (200, {"success": True, "result": "paid"})
    assert (second.status_code, second.json()) == (200, {"success": True, "result": "no-op"})
    order = Order.objects.get()
    assert order.status == S.PAID and order.payment_reference == payment.reference
    assert order.events.filter(to_status=S.PAID).count() == 1


def test_a_stale_expired_callback_after_the_paid_one_changes_nothing(client, payment, tripay):
    tripay.callback_mode = "out_of_order"
    paid, stale = (deliver(client, c) for c in tripay.pay(payment.provider_token))
    assert paid.json()["result"] == "paid"
    assert stale.json()["result"] == "no-op"  # Tripay's detail says PAID: that is what counts
    assert Order.objects.get().status == S.PAID


def test_a_forged_callback_is_rejected_and_tripay_not_even_asked(client, payment, tripay):
    tripay.callback_mode = "wrong_signature"
    [callback] = tripay.pay(payment.provider_token)
    assert deliver(client, callback).status_code == 403
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert "GET transaction/detail" not in tripay.calls


def test_a_callback_for_another_amount_is_rejected(client, payment, tripay):
    tripay.callback_mode = "wrong_amount"
    [callback] = tripay.pay(payment.provider_token)
    assert deliver(client, callback).status_code == 400
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert Payment.objects.get().status == P.PENDING


def test_a_callback_claiming_paid_is_checked_against_the_transaction_detail(
    client, payment, tripay
):
    transaction = tripay.transactions[payment.provider_token]  # still UNPAID at Tripay
    body = tripay.callback_body(transaction, status="PAID")
    response = deliver(client, tripay.signed(CALLBACK, body))
    assert response.json() == {"success": True, "result": "pending"}
    assert Order.objects.get().status == S.AWAITING_PAYMENT


def test_a_callback_for_an_unknown_reference_is_rejected(client, payment, tripay):
    transaction = tripay.transactions[payment.provider_token]
    payload = json.loads(tripay.callback_body(transaction))
    payload["merchant_ref"] = "GR-UNKNOWN-1"
    response = deliver(client, tripay.signed(CALLBACK, json.dumps(payload).encode()))
    assert response.status_code == 404
    assert Order.objects.get().status == S.AWAITING_PAYMENT


def test_callback_while_tripay_detail_is_down_is_answered_non_success_then_retried(
    client, payment, tripay
):
    [callback] = tripay.pay(payment.provider_token)
    tripay.inject("transaction/detail", "http502")
    response = deliver(client, callback)
    assert response.status_code == 503 and "success" not in response.json()
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert deliver(client, callback).json()["result"] == "paid"  # Tripay's retry
    assert Order.objects.get().status == S.PAID


def test_bad_bodies_and_methods_get_a_4xx_not_a_500(client, payment, tripay):
    assert deliver(client, tripay.signed(CALLBACK, b"not json")).status_code == 400
    assert deliver(client, tripay.signed(CALLBACK, b"[]")).status_code == 400
    unsigned = Callback(CALLBACK, b"{}", {"X-Callback-Event": "payment_status"})
    assert deliver(client, unsigned).status_code == 403
    other_event = tripay.signed(CALLBACK, b"{}")
    other_event.headers["X-Callback-Event"] = "other"
    assert deliver(client, other_event).status_code == 400
    assert client.get(CALLBACK).status_code == 405


def test_callback_before_the_customer_returns_shows_the_order_paid(client, payment, tripay):
    """Tripay calls back before the customer's browser follows the return URL."""
    for callback in tripay.pay(payment.provider_token):
        deliver(client, callback)
    return_url = tripay.transactions[payment.provider_token].return_url
    assert return_url.endswith(reverse("orders:detail", args=[payment.order.number]))
    page = client.get(reverse("orders:detail", args=[payment.order.number])).content.decode()
    assert reverse("orders:pay", args=[payment.order.number]) not in page  # no "Pay now"
    assert Order.objects.get().status == S.PAID


def test_payment_after_the_order_expired_is_sent_back_and_the_page_says_so(
    client, payment, tripay, settings
):
    """Tripay has no refund API: the late payment is refund due, by hand, with the reason."""
    Order.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.PAYMENT_TIMEOUT + 1)
    )
    assert services.expire_unpaid() == 1  # asks Tripay first: still UNPAID
    assert Payment.objects.get().status == P.EXPIRED
    [callback] = tripay.pay(payment.provider_token)  # paid anyway (a tab left open)
    assert deliver(client, callback).json()["result"] == "no-op"
    late = Payment.objects.get()
    assert Order.objects.get().status == S.EXPIRED
    assert late.status == P.REFUND_DUE
    assert "no refund API" in late.refund_due_reason
    page = client.get(reverse("orders:detail", args=[payment.order.number])).content.decode()
    assert "dana akan dikembalikan" in page
    assert "tidak dikenai biaya" not in page


def test_a_callback_never_sent_is_found_by_the_status_check(payment, tripay, settings):
    tripay.callback_mode = "never"
    assert tripay.pay(payment.provider_token) == []
    assert payments.check_pending_payments() == 0  # not overdue yet
    Payment.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.PAYMENT_STATUS_CHECK_AFTER + 1)
    )
    assert payments.check_pending_payments() == 1
    assert Order.objects.get().status == S.PAID


def test_check_deploy_refuses_tripay_without_its_keys(settings):
    settings.PAYMENT_PROVIDERS = ["tripay"]
    settings.TRIPAY_MERCHANT_CODE, settings.TRIPAY_API_KEY = "T0001", "DEV-key"
    settings.TRIPAY_PRIVATE_KEY = ""
    errors = [e for e in run_checks(include_deployment_checks=True) if e.id == "payments.E010"]
    assert len(errors) == 1 and "TRIPAY_PRIVATE_KEY" in errors[0].msg
    settings.TRIPAY_PRIVATE_KEY = "private"
    assert not [e for e in run_checks(include_deployment_checks=True) if e.id == "payments.E010"]
    settings.PAYMENT_PROVIDERS, settings.TRIPAY_API_KEY = ["sandbox"], ""
    assert not [e for e in run_checks(include_deployment_checks=True) if e.id == "payments.E010"]


def test_cek_status_pembayaran_finds_a_payment_whose_callback_never_came(client, payment, tripay):
    tripay.callback_mode = "never"
    number = payment.order.number
    page = client.get(reverse("orders:detail", args=[number])).content.decode()
    assert "Cek status pembayaran" in page
    url = reverse("orders:check_payment", args=[number])
    assert "Belum ada pembayaran masuk" in client.post(url, follow=True).content.decode()
    tripay.pay(payment.provider_token)  # paid at Tripay; no callback comes
    assert "Pembayaran diterima. Terima kasih!" in client.post(url, follow=True).content.decode()
    assert Order.objects.get().status == S.PAID


def test_cek_status_pembayaran_is_limited_per_order_whoever_asks(payment, tripay, settings):
    from django.test import Client

    settings.RATELIMIT_PAYMENT_CHECK = "2/m"
    url = reverse("orders:check_payment", args=[payment.order.number])
    for _ in range(2):
        Client().post(url)
    asked = tripay.calls.count("GET transaction/detail")
    page = Client(REMOTE_ADDR="10.0.0.9").post(url, follow=True).content.decode()
    assert "Pembayaran baru saja dicek" in page
    assert tripay.calls.count("GET transaction/detail") == asked == 2


def test_tripay_down_at_creation_offers_the_other_gateways_methods(client, synced, tripay):
    """Failover: Tripay cannot create the transaction; the order page offers the sandbox."""
    order = new_order()
    tripay.inject("transaction/create", "http503")
    response = client.post(reverse("orders:pay", args=[order.number]), follow=True)
    page = response.content.decode()
    assert "Metode pembayaran ini sedang tidak tersedia" in page
    assert '<section id="other-methods"' in page
    assert 'value="sandbox"' in page and 'value="tripay' not in page
    response = client.post(
        reverse("orders:switch_method", args=[order.number]), {"payment_method": "sandbox"}
    )
    order.refresh_from_db()
    attempt = order.payments.get()
    assert (order.payment_provider, order.payment_method, order.payment_fee) == ("sandbox", "", 0)
    assert response["Location"] == reverse("payments:sandbox", args=[attempt.reference])
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert '<section id="other-methods"' not in page


def test_the_demo_offers_the_sandbox_and_the_fake_tripay(settings, monkeypatch):
    from storefront.management.commands import run_demo

    for name in ("PAYMENT_PROVIDERS", "TRIPAY_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings.DEBUG, settings.PAYMENT_PROVIDERS = True, ["sandbox"]
    env = run_demo.demo_environment()
    assert env["PAYMENT_PROVIDERS"] == "sandbox,tripay"
    assert env["TRIPAY_API_URL"] == "http://127.0.0.1:8768/api-sandbox"
    monkeypatch.setenv("PAYMENT_PROVIDERS", "midtrans")  # the operator's choice stands
    assert run_demo.demo_environment()["PAYMENT_PROVIDERS"] == "midtrans"


def test_a_balance_top_up_is_paid_on_tripays_page_and_credited_once(client, db, tripay):
    """A deposit has no channel picked: Tripay's checkout page offers them all."""
    from tests.factories import UserFactory
    from wallet import deposits, selectors
    from wallet.models import Deposit

    customer = UserFactory(username="budi", email="budi@example.com")
    deposit = deposits.create_deposit(user=customer, amount=20_000, provider="tripay")
    payment = payments.start_deposit_payment(deposit=deposit)
    assert payment.redirect_url == f"{tripay.url}/checkout/{payment.provider_token}"
    tripay.callback_mode = "twice"
    results = [deliver(client, c).json()["result"] for c in tripay.pay(payment.provider_token)]
    assert results == ["paid", "no-op"]
    assert Deposit.objects.get().status == Deposit.Status.PAID
    assert selectors.balance_of(customer) == 20_000
