"""Midtrans Snap and its notification webhook. Midtrans' servers are mocked with `responses`;
the payload shapes are those of Midtrans' HTTP notification documentation."""

import hashlib
import json
import re
import socket
import threading
import time
from datetime import timedelta

import pytest
import requests
import responses
from django.urls import reverse
from django.utils import timezone

from catalog.models import Variant
from orders import services
from orders.models import Order
from payments import services as payments
from payments.models import Payment
from tests.notify import deliver_outbox
from tests.oncommit import queued_tasks

from ..factories import PaymentFactory

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
        "order_id": midtrans_payment.reference,
        "gross_amount": midtrans_payment.amount,
    }


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
    assert queued_tasks(callbacks) == ["orders.submit_order"]  # one submission
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
        json={
            "status_code": "200",
            "status_message": "Success, refund request is approved",
            "refund_key": f"{midtrans_payment.reference}-refund",
        },
    )
    order = midtrans_payment.order
    Order.objects.filter(pk=order.pk).update(status=S.FAILED)
    assert services.refund_order(order_id=order.pk)
    assert Order.objects.get().status == S.REFUNDED
    assert Payment.objects.get().status == Payment.Status.REFUNDED


def refund_midtrans_refuses(payment: Payment, mocked) -> bool:
    """Refunding a paid order that failed at isipay, with Midtrans refusing the refund (412)."""
    payments.confirm_paid(payment=payment)
    mocked.post(
        f"{CORE}/{payment.reference}/refund",
        json={"status_code": "412", "status_message": "Merchant cannot modify the status"},
        status=412,
    )
    Order.objects.filter(pk=payment.order_id).update(status=S.FAILED)
    return services.refund_order(order_id=payment.order_id)


def test_refund_the_method_does_not_allow_shows_refund_due(midtrans_payment, mocked):
    assert not refund_midtrans_refuses(midtrans_payment, mocked)
    assert Order.objects.get().status == S.FAILED
    assert Payment.objects.get().status == Payment.Status.REFUND_DUE
    assert Order.objects.get().events.filter(message__icontains="refund due").exists()


def test_payment_after_the_order_expired_is_refunded(client, midtrans_payment, mocked):
    services.expire_order(order_id=midtrans_payment.order_id)
    status_api(mocked, midtrans_payment)
    mocked.post(
        f"{CORE}/{midtrans_payment.reference}/refund",
        json={"status_code": "200", "refund_key": "r"},
    )
    assert notify(client, notification(midtrans_payment)).json() == {"result": "no-op"}
    assert Order.objects.get().status == S.EXPIRED
    assert Payment.objects.get().status == Payment.Status.REFUNDED


# --- issue 12 ------------------------------------------------------------------------------

EXPIRE_OK = {
    "status_code": "407",
    "status_message": "Success, transaction is expired",
    "transaction_status": "expire",
}


def age(model, pk, field: str, seconds: float) -> None:
    """Move a timestamp into the past, as if that much time had gone by."""
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(seconds=seconds)})


def order_page(client, number: str) -> str:
    return client.get(reverse("orders:status", args=[number])).content.decode()


def test_snap_transaction_is_payable_only_until_the_order_expires(
    midtrans_payment, mocked, settings
):
    """Item 6: Snap's expiry equals PAYMENT_TIMEOUT, counted from the order (not 24 hours)."""
    sent = json.loads(mocked.calls[0].request.body)
    created = timezone.localtime(midtrans_payment.order.created_at)
    assert sent["expiry"] == {
        "start_time": created.strftime("%Y-%m-%d %H:%M:%S %z"),
        "unit": "minute",
        "duration": settings.PAYMENT_TIMEOUT // 60,
    }


def test_an_expiring_order_expires_its_transaction_at_midtrans(midtrans_payment, mocked, settings):
    """Item 6: on expiry the transaction is expired at Midtrans, so it cannot be paid later."""
    age(Order, midtrans_payment.order_id, "created_at", settings.PAYMENT_TIMEOUT + 1)
    status_api(mocked, midtrans_payment, status="pending")
    expire = mocked.post(f"{CORE}/{midtrans_payment.reference}/expire", json=EXPIRE_OK)
    assert services.expire_unpaid() == 1
    assert expire.call_count == 1
    assert Order.objects.get().status == S.EXPIRED
    assert Payment.objects.get().status == Payment.Status.EXPIRED


def late_settlement(client, payment, mocked, settings, *, refund_answer, refund_status=200):
    """The order expires (expire_unpaid), then the customer's bank transfer settles anyway."""
    age(Order, payment.order_id, "created_at", settings.PAYMENT_TIMEOUT + 1)
    mocked.get(f"{CORE}/{payment.reference}/status", json={"status_code": "404"}, status=404)
    mocked.post(f"{CORE}/{payment.reference}/expire", json={"status_code": "404"}, status=404)
    services.expire_unpaid()
    assert Payment.objects.get().status == Payment.Status.EXPIRED
    settled = {k: v for k, v in notification(payment).items() if k != "signature_key"}
    mocked.replace(responses.GET, f"{CORE}/{payment.reference}/status", json=settled)
    refund = mocked.post(
        f"{CORE}/{payment.reference}/refund", json=refund_answer, status=refund_status
    )
    response = notify(client, notification(payment))
    assert response.status_code == 200
    return refund


def test_payment_after_expiry_is_refunded_logged_and_the_page_says_so(
    client, midtrans_payment, mocked, settings, caplog
):
    """Item 6: a settlement for an expired order is refunded, logged by order number (never
    contact data), and the order page no longer says "not charged"."""
    order = midtrans_payment.order
    refund = late_settlement(
        client,
        midtrans_payment,
        mocked,
        settings,
        refund_answer={"status_code": "200", "refund_key": "k"},
    )
    assert refund.call_count == 1
    assert json.loads(refund.calls[0].request.body)["amount"] == order.price
    assert Order.objects.get().status == S.EXPIRED
    assert Payment.objects.get().status == Payment.Status.REFUNDED
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(order.number in line and "after" in line for line in warnings)
    assert not any("buyer@example.com" in r.getMessage() for r in caplog.records)
    page = order_page(client, order.number)
    assert "Pembayaran diterima setelah pesanan kedaluwarsa" in page
    assert "dana sudah dikembalikan" in page
    assert "tidak dikenai biaya" not in page


def test_late_bank_transfer_that_midtrans_cannot_refund_is_marked_refund_due_with_a_reason(
    client, midtrans_payment, mocked, settings
):
    """Item 6: a method Midtrans cannot refund (bank transfer): refund due, with the reason."""
    refused = {"status_code": "412", "status_message": "Merchant cannot modify the status"}
    late_settlement(
        client, midtrans_payment, mocked, settings, refund_status=412, refund_answer=refused
    )
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.REFUND_DUE
    assert "Merchant cannot modify the status" in payment.refund_due_reason
    assert Order.objects.get().events.filter(message__icontains="refund due").exists()
    page = order_page(client, payment.order.number)
    assert "dana akan dikembalikan" in page
    assert "tidak dikenai biaya" not in page


def test_lost_notification_is_found_by_the_beat_status_check(
    midtrans_payment, mocked, settings, django_capture_on_commit_callbacks
):
    """Item 7: a pending attempt whose notification is overdue is asked about, and acted on
    exactly as the notification would have been; a fresh one is left alone."""
    from payments.tasks import check_pending_payments
    from storefront.celery import app

    assert check_pending_payments.name == "payments.check_pending_payments"
    assert check_pending_payments.name in app.tasks
    assert any(
        entry["task"] == check_pending_payments.name
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )
    status_api(mocked, midtrans_payment)
    assert check_pending_payments() == 0  # not overdue yet: Midtrans not asked
    assert not [c for c in mocked.calls if "/status" in c.request.url]
    age(Payment, midtrans_payment.pk, "created_at", settings.PAYMENT_STATUS_CHECK_AFTER + 1)
    with django_capture_on_commit_callbacks() as callbacks:
        assert check_pending_payments() == 1
        assert check_pending_payments() == 0  # just asked: not again at once
    assert Order.objects.get().status == S.PAID
    assert Payment.objects.get().status == Payment.Status.PAID
    assert queued_tasks(callbacks) == ["orders.submit_order"]


def test_order_paid_at_midtrans_is_not_expired_when_its_notification_was_lost(
    midtrans_payment, mocked, settings
):
    """Item 7: every order is checked once at the provider before it expires."""
    age(Order, midtrans_payment.order_id, "created_at", settings.PAYMENT_TIMEOUT + 1)
    status_api(mocked, midtrans_payment)
    assert services.expire_unpaid() == 0
    assert Order.objects.get().status == S.PAID
    assert Payment.objects.get().status == Payment.Status.PAID


def test_change_the_order_expires_its_transaction_at_midtrans(client, midtrans_payment, mocked):
    """Ubah pesanan closes the unpaid order, and its Snap transaction so it cannot be paid."""
    status_api(mocked, midtrans_payment, status="pending")
    expire = mocked.post(f"{CORE}/{midtrans_payment.reference}/expire", json=EXPIRE_OK)
    number = midtrans_payment.order.number
    assert client.post(reverse("orders:change", args=[number])).status_code == 302
    assert expire.call_count == 1
    assert Order.objects.get().status == S.EXPIRED
    assert Payment.objects.get().status == Payment.Status.EXPIRED


def test_change_of_an_order_paid_at_midtrans_whose_notification_was_lost_keeps_it(
    client, midtrans_payment, mocked
):
    status_api(mocked, midtrans_payment)
    expire = mocked.post(f"{CORE}/{midtrans_payment.reference}/expire", json=EXPIRE_OK)
    response = client.post(reverse("orders:change", args=[midtrans_payment.order.number]))
    assert response["Location"].startswith("/games/mobile-legends/?")
    assert expire.call_count == 0
    assert Order.objects.get().status == S.PAID
    assert Payment.objects.get().status == Payment.Status.PAID


def test_every_midtrans_call_carries_the_connect_and_read_timeouts(
    midtrans_payment, mocked, settings
):
    """Item 8: Snap, status, expire and refund calls all go out with a timeout."""
    from payments.providers import get_provider

    provider = get_provider("midtrans")
    status_api(mocked, midtrans_payment)
    mocked.post(f"{CORE}/{midtrans_payment.reference}/expire", json=EXPIRE_OK)
    mocked.post(f"{CORE}/{midtrans_payment.reference}/refund", json={"status_code": "200"})
    provider.status(reference=midtrans_payment.reference)
    provider.cancel(reference=midtrans_payment.reference)
    provider.refund(reference=midtrans_payment.reference, amount=1, reason="test")
    timeouts = {c.request.req_kwargs["timeout"] for c in mocked.calls}
    assert timeouts == {(settings.MIDTRANS_CONNECT_TIMEOUT, settings.MIDTRANS_READ_TIMEOUT)}
    assert len(mocked.calls) == 4  # Snap (the fixture), status, expire, refund


class HangingServer:
    """Accepts connections and never answers (closes each after `hold` seconds)."""

    def __init__(self, hold: float = 8) -> None:
        self.hold = hold
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn) -> None:
        self.stop.wait(self.hold)
        conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def hanging_midtrans(settings, monkeypatch):
    """Midtrans' API and Snap both hang; our timeouts are short."""
    from midtransclient.config import ApiConfig

    server = HangingServer()
    monkeypatch.setattr(ApiConfig, "CORE_SANDBOX_BASE_URL", server.url)
    monkeypatch.setattr(ApiConfig, "SNAP_SANDBOX_BASE_URL", server.url + "/snap/v1")
    settings.MIDTRANS_CONNECT_TIMEOUT = 1
    settings.MIDTRANS_READ_TIMEOUT = 0.5
    yield server
    server.close()


def test_hanging_midtrans_gives_a_named_error_within_the_timeout(hanging_midtrans):
    """Item 8: a Midtrans that accepts and never answers costs the read timeout, no more."""
    from payments import PaymentUnavailable
    from payments.providers import get_provider

    started = time.monotonic()
    with pytest.raises(PaymentUnavailable, match="no answer in time"):
        get_provider("midtrans").status(reference="GR-ANY-1")
    assert time.monotonic() - started < 3


def test_hanging_midtrans_neither_blocks_pay_nor_the_notification(client, synced, hanging_midtrans):
    """Item 8: the Pay view and the notification view answer within the timeout."""
    variant = Variant.objects.get(code="MLBB_ID_5")
    order = services.create_order(
        variant=variant, account={"user_id": "1", "zone_id": "2"}, payment_provider="midtrans"
    )
    started = time.monotonic()
    response = client.post(reverse("orders:pay", args=[order.number]), follow=True)
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert not Payment.objects.exists()  # nothing opened; the customer can try again
    payment = PaymentFactory(order=order)
    started = time.monotonic()
    assert notify(client, notification(payment)).status_code == 503  # Midtrans retries later
    assert time.monotonic() - started < 3


def failed_and_paid(payment, mocked) -> None:
    """A paid order that isipay failed: its refund is due."""
    status_api(mocked, payment)
    payments.confirm_paid(payment=payment)
    Order.objects.filter(pk=payment.order_id).update(status=S.FAILED)


def test_refund_whose_answer_never_came_is_finished_by_the_sweeper(
    midtrans_payment, mocked, settings
):
    """Item 9: the refund was sent, the answer lost (timeout): the payment stays refunding; the
    sweeper asks Midtrans, which says refunded, and finishes payment and order."""
    failed_and_paid(midtrans_payment, mocked)
    refund_url = f"{CORE}/{midtrans_payment.reference}/refund"
    mocked.post(refund_url, body=requests.ConnectTimeout("no answer"))
    assert not services.refund_order(order_id=midtrans_payment.order_id)
    assert Payment.objects.get().status == Payment.Status.REFUNDING
    assert payments.sweep_refunds() == 0  # not stuck yet
    age(Payment, midtrans_payment.pk, "updated_at", settings.PAYMENT_REFUND_STUCK_AFTER + 1)
    status_api(mocked, midtrans_payment, status="refund")
    mocked.replace(
        responses.GET,
        f"{CORE}/{midtrans_payment.reference}/status",
        json={
            "status_code": "200",
            "transaction_status": "refund",
            "gross_amount": f"{midtrans_payment.amount}.00",
        },
    )
    assert payments.sweep_refunds() == 1
    assert Payment.objects.get().status == Payment.Status.REFUNDED
    assert Order.objects.get().status == S.REFUNDED
    assert len([c for c in mocked.calls if c.request.url == refund_url]) == 1  # not sent twice


def test_refund_a_dead_worker_left_is_sent_once_more_with_the_same_key_then_flagged(
    midtrans_payment, mocked, settings
):
    """Item 9: the process died between claiming the refund and sending it. The sweeper finds
    Midtrans has not refunded: it sends the refund once more with the same refund key; when
    that gets no answer either, the payment is flagged refund due with the reason."""
    failed_and_paid(midtrans_payment, mocked)
    # What a worker killed right after the claim leaves behind.
    Payment.objects.filter(pk=midtrans_payment.pk).update(
        status=Payment.Status.REFUNDING,
        refund_attempts=1,
        refund_reason="isipay failed",
        updated_at=timezone.now() - timedelta(seconds=settings.PAYMENT_REFUND_STUCK_AFTER + 1),
    )
    refund_url = f"{CORE}/{midtrans_payment.reference}/refund"
    mocked.post(refund_url, body=requests.ReadTimeout("no answer"))
    assert payments.sweep_refunds() == 1
    sent = [json.loads(c.request.body) for c in mocked.calls if c.request.url == refund_url]
    assert [s["refund_key"] for s in sent] == [f"{midtrans_payment.reference}-refund"]
    assert Payment.objects.get().status == Payment.Status.REFUNDING
    age(Payment, midtrans_payment.pk, "updated_at", settings.PAYMENT_REFUND_STUCK_AFTER + 1)
    assert payments.sweep_refunds() == 1
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.REFUND_DUE
    assert "did not confirm the refund after 2 tries" in payment.refund_due_reason
    assert len([c for c in mocked.calls if c.request.url == refund_url]) == 1  # no third send


def test_refund_sweeper_is_a_named_beat_task(settings):
    from payments.tasks import sweep_refunds

    assert sweep_refunds.name == "payments.sweep_refunds"
    assert any(e["task"] == sweep_refunds.name for e in settings.CELERY_BEAT_SCHEDULE.values())


def test_rate_limit_counts_only_notifications_that_fail_the_signature_check(
    client, midtrans_payment, mocked, settings
):
    """Item 10: Midtrans' genuine notifications from its few IPs are never 429'd; forgeries
    from the same IP are limited."""
    settings.RATELIMIT_WEBHOOK = "3/m"
    status_api(mocked, midtrans_payment, status="pending")
    genuine = notification(midtrans_payment, status="pending")
    assert [notify(client, genuine).status_code for _ in range(6)] == [200] * 6
    forged = notification(midtrans_payment, key="guess")
    assert [notify(client, forged).status_code for _ in range(4)] == [403, 403, 403, 429]
    assert notify(client, genuine).status_code == 200  # still passes after the limit


@pytest.mark.parametrize("signature", ["é" * 128, "\ud800", "签名"])
def test_notification_with_a_non_ascii_signature_is_403_not_500(
    client, midtrans_payment, signature
):
    """Item 15: compare_digest on str raises TypeError for non-ASCII; bytes do not."""
    payload = notification(midtrans_payment)
    payload["signature_key"] = signature
    body = json.dumps(payload)  # ensure_ascii: a lone surrogate travels as \\ud800
    response = client.post(
        reverse("payments:midtrans-notify"), body, content_type="application/json"
    )
    assert response.status_code == 403
    assert Order.objects.get().status == S.AWAITING_PAYMENT


# --- issue 12, refunds ---------------------------------------------------------------------


def test_a_refund_being_retried_says_do_nothing_until_midtrans_gives_up_then_refund_due(
    midtrans_payment, mocked, settings, django_capture_on_commit_callbacks, mailoutbox
):
    """Refunds item 1/4: a refund without an answer is retried by payments.sweep_refunds; the
    order meanwhile says so (do nothing, until about when) and the customer hears nothing. Only
    when the payment is refund due does the order tell a person to refund by hand, and the
    customer that the order failed; the order follows at once."""
    failed_and_paid(midtrans_payment, mocked)
    refund_url = f"{CORE}/{midtrans_payment.reference}/refund"
    mocked.post(refund_url, body=requests.ReadTimeout("no answer"))
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.refund_order(order_id=midtrans_payment.order_id)
    order = Order.objects.get()
    assert order.status == S.FAILED and not order.is_refund_due
    note = order.events.last().message
    assert "retried automatically" in note and "until about" in note and "do nothing" in note
    assert "by hand" not in note
    deliver_outbox()
    assert mailoutbox == []

    for _try in range(2):  # sent once more (same key), then given up on
        age(Payment, midtrans_payment.pk, "updated_at", settings.PAYMENT_REFUND_STUCK_AFTER + 1)
        with django_capture_on_commit_callbacks(execute=True):
            assert payments.sweep_refunds() == 1
    order.refresh_from_db()
    assert Payment.objects.get().status == Payment.Status.REFUND_DUE
    assert order.is_refund_due  # at once, not on a later order sweep
    assert "did not confirm the refund after 2 tries" in order.refund_due_reason
    assert "by hand" in order.refund_due_reason
    deliver_outbox()  # the notify queue's worker
    assert [m.subject for m in mailoutbox if order.number in m.subject]  # told once, now
    assert len(mailoutbox) == 1
    assert len([c for c in mocked.calls if c.request.url == refund_url]) == 2


def test_refund_due_order_says_what_midtrans_answered(midtrans_payment, mocked):
    """Refunds item 1: the order's refund-due text carries the provider's actual refusal."""
    assert not refund_midtrans_refuses(midtrans_payment, mocked)
    reason = Order.objects.get().refund_due_reason
    assert "Merchant cannot modify the status" in reason and "by hand" in reason


def test_expiry_has_a_time_budget_so_a_slow_midtrans_leaves_the_rest_for_the_next_run(
    midtrans_payment, mocked, settings
):
    """Refunds item 6: expire_unpaid asks Midtrans about each order; when Midtrans is slow it
    stops at its time budget (checked per order) and the next run expires the rest."""
    variant = Variant.objects.get(code="MLBB_ID_5")
    for _ in range(2):
        order = services.create_order(
            variant=variant, account={"user_id": "1", "zone_id": "2"}, payment_provider="midtrans"
        )
        payments.start_payment(order=order)
    Order.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.PAYMENT_TIMEOUT + 1)
    )
    slow = {"on": True}

    def status(request):
        if slow["on"]:
            time.sleep(0.3)  # Midtrans answering slowly (an outside service, not a wait of ours)
        return 200, {}, json.dumps({"status_code": "201", "transaction_status": "pending"})

    mocked.add_callback(responses.GET, re.compile(rf"{CORE}/.+/status"), callback=status)
    mocked.post(re.compile(rf"{CORE}/.+/expire"), json=EXPIRE_OK)
    assert services.expire_unpaid(time_budget=0.2) == 1  # one order, then out of time
    assert Order.objects.filter(status=S.AWAITING_PAYMENT).count() == 2
    slow["on"] = False
    assert services.expire_unpaid(time_budget=30) == 2  # the next run, with its time to spare
    assert not Order.objects.filter(status=S.AWAITING_PAYMENT).exists()
