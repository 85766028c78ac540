"""Polling status-order until each invoice is final: backoff, unknown words, review."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Message, NotifySettings
from orders import services
from orders.models import Order
from payments.models import Payment
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
    # The next batch is leased while the last one's calls still wait: never more than 4.
    assert sandbox.max_in_flight == 4
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


def _success_emails(order) -> int:
    return Message.objects.filter(order_id=order.pk, event="success").count()


def _events_to(order, status) -> int:
    return order.events.filter(to_status=status).count()


def test_a_chunk_moves_only_the_orders_still_processing_each_once(
    processing, django_capture_on_commit_callbacks
):
    first, checked_meanwhile, last = [processing() for _ in range(3)]
    # A person took one of them to review while its answer was on its way.
    services._transition(
        checked_meanwhile.pk, from_=S.PROCESSING, to=S.NEEDS_REVIEW, actor="admin", message="?"
    )
    chunk = [first.pk, checked_meanwhile.pk, last.pk]
    success = {"actor": "isipay", "message": "isipay reports Success.", "supplier_status": "Ok"}
    with django_capture_on_commit_callbacks(execute=True):
        moved = services._transition_many(chunk, from_=S.PROCESSING, to=S.SUCCESS, **success)
        again = services._transition_many(chunk, from_=S.PROCESSING, to=S.SUCCESS, **success)
    assert moved == [first.pk, last.pk] and again == []
    for order in (first, last):
        order.refresh_from_db()
        assert order.status == S.SUCCESS and order.supplier_status == "Ok"
        assert _events_to(order, S.SUCCESS) == 1 and _success_emails(order) == 1
    checked_meanwhile.refresh_from_db()
    assert checked_meanwhile.status == S.NEEDS_REVIEW
    assert _events_to(checked_meanwhile, S.SUCCESS) == 0 and _success_emails(checked_meanwhile) == 0


def test_one_tick_records_successes_and_failures_each_exactly_once(
    processing, isipay_client, django_capture_on_commit_callbacks
):
    delivered = [processing() for _ in range(3)]
    failed = [processing(code="FF_5", account={"user_id": f"FAIL-{i}"}) for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.poll_due(client=isipay_client) == 5
        assert services.poll_due(client=isipay_client) == 0  # nothing left to ask
    for order in delivered:
        order.refresh_from_db()
        assert order.status == S.SUCCESS and order.completed_at and order.next_poll_at is None
        assert _events_to(order, S.SUCCESS) == 1 and _success_emails(order) == 1
    for order in failed:
        order.refresh_from_db()
        assert order.status == S.REFUNDED
        assert [e.to_status for e in order.events.all()][-2:] == [S.FAILED, S.REFUNDED]
        assert _events_to(order, S.FAILED) == 1 and _events_to(order, S.REFUNDED) == 1
        assert order.payments.get().status == Payment.Status.REFUNDED
        assert Message.objects.filter(order_id=order.pk, event="refunded").count() == 1


def test_orders_not_final_yet_are_asked_again_each_after_its_own_backoff(
    processing, isipay_client, sandbox, settings
):
    settings.ORDER_POLL_BACKOFF_BASE, settings.ORDER_POLL_BACKOFF_CAP = 5, 300
    orders = [processing(code="FF_5", account={"user_id": f"HANG-{i}"}) for i in range(3)]
    for order, polls in zip(orders, (0, 1, 3), strict=True):
        Order.objects.filter(pk=order.pk).update(poll_count=polls)
    before = timezone.now()
    assert services.poll_due(client=isipay_client) == 3
    delays = []
    for order in orders:
        order.refresh_from_db()
        assert order.status == S.PROCESSING and order.supplier_status  # isipay's word kept
        delays.append(round((order.next_poll_at - before).total_seconds()))
    assert delays == [5, 10, 40]
    assert [o.poll_count for o in orders] == [1, 2, 4]


def test_recording_a_tick_costs_the_same_queries_for_2_orders_as_for_12(
    processing, isipay_client, django_capture_on_commit_callbacks
):
    NotifySettings.get()  # the shop's settings row exists, as in a running shop

    def queries_to_poll(count: int) -> int:
        orders = [processing() for _ in range(count)]
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert services.poll_due(client=isipay_client) == count
        assert Order.objects.filter(pk__in=[o.pk for o in orders], status=S.SUCCESS).count() == (
            count
        )
        return len(queries)

    assert queries_to_poll(2) == queries_to_poll(12)
