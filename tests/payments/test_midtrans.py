"""Midtrans Snap and its notification webhook. Midtrans' servers are mocked with `responses`;
the payload shapes are those of Midtrans' HTTP notification documentation."""

import hashlib
import json

import pytest
import responses
from django.urls import reverse

from catalog.models import Variant
from orders import services
from orders.models import Order
from payments import services as payments
from payments.models import Payment
from tests.oncommit import queued_tasks

SERVER_KEY = "SB-Mid-server-TEST-ONLY"
CORE = "https://api.sandbox.midtrans.com/v2"
SNAP = "https://app.sandbox.midtrans.com/snap/v1/transactions"
S = Order.Status


@pytest.fixture(autouse=True)
def midtrans_on(settings):
    settings.PAYMENT_PROVIDERS = ["midtrans", "sandbox"]
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.MIDTRANS_CLIENT_KEY = "SB-Mid-client-TEST-ONLY"
    settings.MIDTRANS_IS_PRODUCTION = False


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def midtrans_payment(synced, mocked) -> Payment:
    variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
    order = services.create_order(
        variant=variant,
        account={"user_id": "123456789", "zone_id": "2345"},
        contact_email="buyer@example.com",
        payment_provider="midtrans",
    )
    mocked.post(
        SNAP,
        json={
            "token": "snap-token-1",
            "redirect_url": "https://app.sandbox.midtrans.com/snap/v4/redirection/snap-token-1",
        },
        status=201,
    )
    return payments.start_payment(order=order)


def notification(
    payment: Payment, *, status="settlement", amount=None, fraud="accept", key=SERVER_KEY
):
    gross = f"{amount if amount is not None else payment.amount}.00"
    status_code = "200" if status in ("settlement", "capture") else "202"
    return {
        "transaction_time": "2026-11-25 20:00:00",
        "transaction_status": status,
        "transaction_id": "57d5293c-e65f-4a29-95e4-5959c3fa335b",
        "status_message": "midtrans payment notification",
        "status_code": status_code,
        "signature_key": hashlib.sha512(
            f"{payment.reference}{status_code}{gross}{key}".encode()
        ).hexdigest(),
        "payment_type": "qris",
        "order_id": payment.reference,
        "merchant_id": "G000000000",
        "gross_amount": gross,
        "fraud_status": fraud,
        "currency": "IDR",
    }


def status_api(mocked, payment, *, status="settlement", amount=None, fraud="accept"):
    body = notification(payment, status=status, amount=amount, fraud=fraud)
    body.pop("signature_key")
    mocked.get(f"{CORE}/{payment.reference}/status", json=body)


def notify(client, payload):
    return client.post(
        reverse("payments:midtrans-notify"), json.dumps(payload), content_type="application/json"
    )


def test_snap_attempt_keeps_token_and_redirect_and_is_reused_on_reload(midtrans_payment, mocked):
    assert midtrans_payment.provider_token == "snap-token-1"
    assert midtrans_payment.redirect_url.endswith("snap-token-1")
    assert midtrans_payment.reference == f"{midtrans_payment.order.number}-1"
    assert payments.start_payment(order=midtrans_payment.order) == midtrans_payment
    assert len([c for c in mocked.calls if c.request.url == SNAP]) == 1
    sent = json.loads(mocked.calls[0].request.body)
    assert sent["transaction_details"] == {
        "order_id": midtrans_payment.reference, "gross_amount": midtrans_payment.amount,
    }  # fmt: skip


def test_valid_settlement_marks_paid_once_even_when_sent_twice(
    client, midtrans_payment, mocked, django_capture_on_commit_callbacks
):
    status_api(mocked, midtrans_payment)
    payload = notification(midtrans_payment)
    with django_capture_on_commit_callbacks() as callbacks:
        first, second = notify(client, payload), notify(client, payload)
    assert (first.status_code, first.json()) == (200, {"result": "paid"})
    assert (second.status_code, second.json()) == (200, {"result": "no-op"})
    assert Order.objects.get().status == S.PAID
    assert queued_tasks(callbacks) == ["orders.tasks.submit_order"]  # one submission
    assert Order.objects.get().events.filter(to_status=S.PAID).count() == 1


def test_capture_needs_fraud_status_accept(client, midtrans_payment, mocked):
    status_api(mocked, midtrans_payment, status="capture", fraud="challenge")
    response = notify(client, notification(midtrans_payment, status="capture", fraud="challenge"))
    assert response.json() == {"result": "pending"}
    assert Order.objects.get().status == S.AWAITING_PAYMENT


def test_forged_signature_is_rejected_and_changes_nothing(client, midtrans_payment, mocked):
    status_api(mocked, midtrans_payment)
    response = notify(client, notification(midtrans_payment, key="not-the-server-key"))
    assert response.status_code == 403
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert not [c for c in mocked.calls if "/status" in c.request.url]  # not even asked


def test_wrong_amount_is_rejected(client, midtrans_payment, mocked):
    status_api(mocked, midtrans_payment, amount=1)
    response = notify(client, notification(midtrans_payment, amount=1))
    assert response.status_code == 400
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert Payment.objects.get().status == Payment.Status.PENDING


def test_notification_claiming_settlement_is_checked_against_the_status_api(
    client, midtrans_payment, mocked
):
    status_api(mocked, midtrans_payment, status="pending")
    response = notify(client, notification(midtrans_payment, status="settlement"))
    assert response.json() == {"result": "pending"}
    assert Order.objects.get().status == S.AWAITING_PAYMENT


def test_unknown_order_is_rejected(client, midtrans_payment, mocked):
    payload = notification(midtrans_payment)
    payload["order_id"] = "GR-UNKNOWN-1"
    payload["signature_key"] = hashlib.sha512(
        f"GR-UNKNOWN-1{payload['status_code']}{payload['gross_amount']}{SERVER_KEY}".encode()
    ).hexdigest()
    assert notify(client, payload).status_code == 404
    assert Order.objects.get().status == S.AWAITING_PAYMENT


@pytest.mark.parametrize("status", ["expire", "cancel", "deny"])
def test_expire_cancel_deny_expire_the_order(client, midtrans_payment, mocked, status):
    status_api(mocked, midtrans_payment, status=status)
    assert notify(client, notification(midtrans_payment, status=status)).status_code == 200
    assert Order.objects.get().status == S.EXPIRED


def test_garbage_bodies_get_a_4xx_not_a_500(client, midtrans_payment):
    url = reverse("payments:midtrans-notify")
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(url, "[]", content_type="application/json").status_code == 403
    assert client.post(url, "{}", content_type="application/json").status_code == 403
    assert client.get(url).status_code == 405


def test_webhook_url_answers_without_a_redirect(client, midtrans_payment, mocked):
    status_api(mocked, midtrans_payment)
    response = notify(client, notification(midtrans_payment))
    assert response.status_code == 200  # not 301/302: Midtrans does not follow redirects


def test_refund_through_midtrans(midtrans_payment, mocked):
    status_api(mocked, midtrans_payment)
    payments.confirm_paid(payment=midtrans_payment)
    mocked.post(
        f"{CORE}/{midtrans_payment.reference}/refund",
        json={"status_code": "200", "status_message": "Success, refund request is approved",
              "refund_key": f"{midtrans_payment.reference}-refund"},
    )  # fmt: skip
    order = midtrans_payment.order
    Order.objects.filter(pk=order.pk).update(status=S.FAILED)
    assert services.refund_order(order_id=order.pk)
    assert Order.objects.get().status == S.REFUNDED
    assert Payment.objects.get().status == Payment.Status.REFUNDED


def test_refund_the_method_does_not_allow_shows_refund_due(midtrans_payment, mocked):
    payments.confirm_paid(payment=midtrans_payment)
    mocked.post(
        f"{CORE}/{midtrans_payment.reference}/refund",
        json={"status_code": "412", "status_message": "Merchant cannot modify the status"},
        status=412,
    )
    order = midtrans_payment.order
    Order.objects.filter(pk=order.pk).update(status=S.FAILED)
    assert not services.refund_order(order_id=order.pk)
    assert Order.objects.get().status == S.FAILED
    assert Payment.objects.get().status == Payment.Status.REFUND_DUE
    assert Order.objects.get().events.filter(message__icontains="refund due").exists()


def test_payment_after_the_order_expired_is_refunded(client, midtrans_payment, mocked):
    services.expire_order(order_id=midtrans_payment.order_id)
    status_api(mocked, midtrans_payment)
    mocked.post(f"{CORE}/{midtrans_payment.reference}/refund",
                json={"status_code": "200", "refund_key": "r"})  # fmt: skip
    assert notify(client, notification(midtrans_payment)).json() == {"result": "no-op"}
    assert Order.objects.get().status == S.EXPIRED
    assert Payment.objects.get().status == Payment.Status.REFUNDED
