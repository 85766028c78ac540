"""Every failed order reaches refunded, or "refund due" with a reason, whatever dies when."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Order
from payments.models import Payment
from storefront.celery import app as celery_app
from tests.notify import deliver_outbox

S = Order.Status
P = Payment.Status


class WorkerDied(BaseException):
    """The worker process ends here (SIGKILL, OOM): nothing after this line runs."""


@pytest.fixture
def failing_at_isipay(place_order, isipay_client, sandbox):
    """An order isipay accepted and has since failed, due for its status poll."""
    order = place_order(code="FF_5", account={"user_id": "FAIL-555"})
    assert services.submit_order(order_id=order.pk, client=isipay_client) == "submitted"
    sandbox.order(order.reference_number).created_at -= 10  # final at isipay: Failed
    return Order.objects.get(pk=order.pk)


def die_before_refunding(monkeypatch):
    def died(**kwargs):
        raise WorkerDied

    monkeypatch.setattr(services.polling, "refund_order", died)  # where poll_order finds it


def a_while_later() -> None:
    """ORDER_REFUND_SWEEP_AFTER has passed since the orders last moved."""
    Order.objects.update(
        updated_at=timezone.now() - timedelta(seconds=settings.ORDER_REFUND_SWEEP_AFTER + 1)
    )


def test_worker_dying_between_failed_and_refund_is_finished_by_the_sweeper(
    failing_at_isipay, isipay_client, monkeypatch, django_capture_on_commit_callbacks
):
    order = failing_at_isipay
    die_before_refunding(monkeypatch)
    with pytest.raises(WorkerDied):
        services.poll_order(order_id=order.pk, client=isipay_client)
    monkeypatch.undo()  # the next worker runs the real code
    order.refresh_from_db()
    assert order.status == S.FAILED  # the move to failed was committed…
    assert order.payments.get().status == P.PAID  # …and the customer's money is still taken

    assert services.sweep_refunds() == 0  # not while the failing worker may still be at it
    a_while_later()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_refunds() == 1
    order.refresh_from_db()
    assert order.status == S.REFUNDED and not order.refund_due_reason
    assert order.payments.get().status == P.REFUNDED
    assert order.events.last().actor == "sweeper"
    deliver_outbox()
    assert any(order.number in m.subject and "dikembalikan" in m.subject for m in mail.outbox)
    assert services.sweep_refunds() == 0  # and never twice


def test_a_refund_whose_answer_was_lost_is_left_to_the_payment_retries_then_refund_due(
    failing_at_isipay, isipay_client, monkeypatch, admin_client, django_capture_on_commit_callbacks
):
    """Changed by issue 12 (refunds item 1): a refunding payment used to make the order "refund
    due … refund by hand" at once while payments.sweep_refunds still re-sent the refund (a
    refund by hand meanwhile refunded twice). Now the order waits for the payment's outcome."""
    order = failing_at_isipay
    die_before_refunding(monkeypatch)
    with pytest.raises(WorkerDied):
        services.poll_order(order_id=order.pk, client=isipay_client)
    monkeypatch.undo()
    # Another worker claimed the refund and died waiting for the provider's answer.
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(status=P.REFUNDING, refund_attempts=1)
    a_while_later()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_refunds() == 0
    order.refresh_from_db()
    assert order.status == S.FAILED and not order.refund_due_reason  # not refund due (yet)
    deliver_outbox()
    assert len(mail.outbox) == 0  # no "failed" message while it is being retried
    listing = admin_client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "Refund in progress" in listing and "do nothing" in listing
    assert "— refund due" not in listing and "refund by hand" not in listing.lower()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content
    assert b"retried automatically" in page and b"do nothing" in page

    # The provider's refusal reaches the payment: now it is refund due, with that reason.
    refusal = "sandbox refused the refund: this payment method cannot be refunded"
    Payment.objects.filter(pk=payment.pk).update(
        status=P.REFUND_DUE, refund_due_reason=refusal, updated_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_refunds() == 0
    order.refresh_from_db()
    assert order.status == S.FAILED
    assert payment.reference in order.refund_due_reason and refusal in order.refund_due_reason
    assert "by hand" in order.refund_due_reason
    assert order.events.last().message.startswith("Refund due:")
    deliver_outbox()
    assert len(mail.outbox) == 1  # the customer hears once that the order failed

    listing = admin_client.get(reverse("admin:orders_order_changelist"))
    assert "— refund due:" in listing.content.decode()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert order.refund_due_reason in page.content.decode()
    assert services.sweep_refunds() == 0
    deliver_outbox()
    assert len(mail.outbox) == 1  # noted once

    # Once the payment is settled (by the payments sweeper, or by hand), the order follows.
    Payment.objects.filter(pk=payment.pk).update(status=P.REFUNDED)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_refunds() == 1
    order.refresh_from_db()
    assert order.status == S.REFUNDED and not order.refund_due_reason
    assert services.sweep_refunds() == 0


def test_the_refund_sweeper_runs_on_the_beat_schedule():
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "orders.sweep_refunds"
    ]
    assert len(entries) == 1 and entries[0]["schedule"] <= 300
    assert "orders.sweep_refunds" in celery_app.tasks
