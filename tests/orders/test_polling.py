"""Polling status-order until each invoice is final: backoff, unknown words, review."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from orders import services
from orders.models import Order
from tests.notify import deliver_outbox

S = Order.Status


@pytest.fixture
def processing(place_order, isipay_client, sandbox):
    """An order accepted by isipay whose final status is already known there, due for a poll."""

    def make(**kwargs) -> Order:
        order = place_order(**kwargs)
        assert services.submit_order(order_id=order.pk, client=isipay_client) == "submitted"
        sandbox.order(order.reference_number).created_at -= 10  # age it past completion
        Order.objects.filter(pk=order.pk).update(next_poll_at=timezone.now())
        return Order.objects.get(pk=order.pk)

    return make


def poll(order, client) -> str:
    return services.poll_order(order_id=order.pk, client=client)


def test_success_word_completes_the_order_and_emails_the_customer(
    processing, isipay_client, django_capture_on_commit_callbacks
):
    order = processing()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.poll_due(client=isipay_client) == 1
    order.refresh_from_db()
    assert order.status == S.SUCCESS and order.supplier_status == "Success"
    assert order.completed_at and order.next_poll_at is None
    assert deliver_outbox() == 1  # the notify queue sends the receipt
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject
    assert f"/orders/{order.number}/" in mail.outbox[0].body


def test_failure_word_fails_and_refunds(
    processing, isipay_client, django_capture_on_commit_callbacks
):
    order = processing(code="FF_5", account={"user_id": "FAIL-555"})
    with django_capture_on_commit_callbacks(execute=True):
        assert poll(order, isipay_client) == "failed"
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert [e.to_status for e in order.events.all()][-2:] == [S.FAILED, S.REFUNDED]


def test_status_errors_back_off_and_never_fail_the_order(processing, isipay_client, sandbox):
    order = processing()
    sandbox.inject("/api/v1/status-order", "http500", times=3)
    delays = []
    for _ in range(3):
        before = timezone.now()
        assert poll(order, isipay_client) == "pending"
        order.refresh_from_db()
        delays.append((order.next_poll_at - before).total_seconds())
    assert order.status == S.PROCESSING
    assert delays[0] < delays[1] < delays[2]
    assert poll(order, isipay_client) == "success"


def test_backoff_is_capped(processing, isipay_client, sandbox, settings):
    settings.ORDER_POLL_BACKOFF_CAP = 60
    order = processing(code="FF_5", account={"user_id": "HANG-1"})
    Order.objects.filter(pk=order.pk).update(poll_count=30)
    before = timezone.now()
    assert poll(order, isipay_client) == "pending"
    order.refresh_from_db()
    assert (order.next_poll_at - before).total_seconds() <= 61


def test_unknown_status_word_keeps_polling_then_goes_to_review(
    processing, isipay_client, sandbox, settings
):
    settings.ORDER_UNKNOWN_STATUS_REVIEW_AFTER = 600
    order = processing(code="FF_5", account={"user_id": "HANG-2"})
    sandbox.set_status_word("Menunggu Konfirmasi")
    assert poll(order, isipay_client) == "pending"
    order.refresh_from_db()
    assert order.status == S.PROCESSING and order.supplier_status == "Menunggu Konfirmasi"
    assert poll(order, isipay_client) == "pending"  # still within the threshold
    Order.objects.filter(pk=order.pk).update(
        supplier_status_since=timezone.now() - timedelta(seconds=601)
    )
    assert poll(order, isipay_client) == "review"
    order.refresh_from_db()
    assert order.status == S.NEEDS_REVIEW
    assert "Menunggu Konfirmasi" in order.review_reason


def test_processing_past_the_maximum_age_goes_to_review(processing, isipay_client):
    order = processing(code="FF_5", account={"user_id": "HANG-3"})
    Order.objects.filter(pk=order.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    assert poll(order, isipay_client) == "review"
    assert Order.objects.get(pk=order.pk).status == S.NEEDS_REVIEW


def test_lease_takes_only_due_orders_and_never_the_same_twice(processing, settings):
    due = [processing(), processing()]
    later = processing()
    Order.objects.filter(pk=later.pk).update(next_poll_at=timezone.now() + timedelta(hours=1))
    first = services.lease_due_orders(limit=10)
    assert sorted(first) == sorted(order.pk for order in due)
    assert services.lease_due_orders(limit=10) == []


def test_poll_due_is_a_no_op_without_due_orders(db, isipay_client, sandbox):
    assert services.poll_due(client=isipay_client) == 0
    assert sandbox.call_count("/api/v1/status-order") == 0


def test_a_real_pending_order_is_polled_again_later(place_order, isipay_client, sandbox):
    sandbox.pending_seconds, sandbox.complete_seconds = 30, 60
    order = place_order()
    services.submit_order(order_id=order.pk, client=isipay_client)
    assert poll(order, isipay_client) == "pending"
    order.refresh_from_db()
    assert order.supplier_status == "Pending" and order.poll_count == 1


def test_the_time_budget_is_checked_per_order_and_unpolled_orders_are_given_back(
    processing, isipay_client, sandbox, settings
):
    settings.ORDER_POLL_BATCH, settings.ORDER_POLL_CONCURRENCY = 100, 1
    orders = [processing() for _ in range(4)]
    sandbox.inject("/api/v1/status-order", "slow", times=None, seconds=0.3)  # isipay is slow
    assert services.poll_due(client=isipay_client, time_budget=0.2) == 1  # one batch, one order
    now = timezone.now()
    left = Order.objects.filter(pk__in=[o.pk for o in orders], status=S.PROCESSING)
    assert left.count() == 3
    # Given back, due at once: not leased for ORDER_POLL_LEASE (120 s) by a finished task.
    assert all(order.next_poll_at <= now for order in left)
    sandbox.clear_faults()
    assert services.poll_due(client=isipay_client) == 3


def test_status_calls_wait_on_isipay_side_by_side_up_to_the_poll_concurrency(
    processing, isipay_client, sandbox, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_POLL_BATCH, settings.ORDER_POLL_CONCURRENCY = 3, 4
    orders = [processing() for _ in range(9)]
    sandbox.set_latency("status-order=0.3")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.poll_due(client=isipay_client) == 9  # three batches
    assert sandbox.max_in_flight == 3  # a batch at a time, all of it at once
    finished = Order.objects.filter(pk__in=[o.pk for o in orders], status=S.SUCCESS)
    assert finished.count() == 9


def test_out_of_time_the_calls_in_flight_finish_and_the_rest_is_given_back(
    processing, isipay_client, sandbox, settings
):
    settings.ORDER_POLL_BATCH, settings.ORDER_POLL_CONCURRENCY = 100, 2
    orders = [processing() for _ in range(5)]
    sandbox.set_latency("status-order=0.3")
    assert services.poll_due(client=isipay_client, time_budget=0.2) == 2
    left = Order.objects.filter(pk__in=[o.pk for o in orders], status=S.PROCESSING)
    assert left.count() == 3 and all(o.next_poll_at <= timezone.now() for o in left)
    assert sandbox.max_in_flight == 2
