"""Paid orders through a real Celery worker and beat against the live sandbox."""

import threading

import pytest

from catalog.models import SyncRun, Variant
from catalog.tasks import sync_catalog
from orders import services
from orders.models import Order, SubmissionQueue
from orders.tasks import submit_order
from payments import services as payments

from .conftest import pay, status_of, wait_for, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = Order.Status
TERMINAL = (S.SUCCESS, S.REFUNDED, S.NEEDS_REVIEW, S.FAILED, S.EXPIRED)


def test_sync_task_runs_on_the_worker(worker, sandbox):
    sync_catalog.delay()
    run = wait_for(lambda: SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).first())
    assert run.counts["products"]["created"] == len(sandbox.catalog)


def test_paid_order_is_submitted_and_polled_to_success(worker, sandbox, catalog):
    order = pay()
    assert wait_status(order, S.SUCCESS) == S.SUCCESS
    order.refresh_from_db()
    assert order.invoice_number == sandbox.orders[order.reference_number].invoice
    assert sandbox.order_calls(order.reference_number) == 1


def test_failed_order_is_refunded(worker, sandbox, catalog):
    order = pay(code="FF_5", user_id="FAIL-77")
    assert wait_status(order, S.REFUNDED) == S.REFUNDED


def test_dropped_answer_after_acceptance_ends_success_with_one_supplier_order(
    worker, sandbox, catalog
):
    sandbox.inject("/api/v1/order", "drop")
    order = pay()
    assert wait_status(order, S.SUCCESS) == S.SUCCESS
    assert [o.reference for o in sandbox.orders.values()] == [order.reference_number]


def test_same_task_delivered_twice_at_once_calls_isipay_once(worker, sandbox, catalog):
    sandbox.inject("/api/v1/order", "slow", seconds=0.5)
    order = pay()  # enqueues one submission
    threads = [threading.Thread(target=submit_order.delay, args=[order.pk]) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wait_status(order, S.SUCCESS) == S.SUCCESS
    assert sandbox.order_calls(order.reference_number) == 1


def test_status_errors_for_a_while_then_success(worker, sandbox, catalog):
    sandbox.inject("/api/v1/status-order", "http500", times=4)
    order = pay()
    assert wait_status(order, S.SUCCESS) == S.SUCCESS
    order.refresh_from_db()
    assert order.poll_count >= 4


def test_unknown_status_word_goes_to_review_after_the_threshold(worker, sandbox, catalog):
    sandbox.set_status_word("Ditahan")
    order = pay(code="FF_5", user_id="HANG-9")
    assert wait_status(order, S.NEEDS_REVIEW) == S.NEEDS_REVIEW
    order.refresh_from_db()
    assert "Ditahan" in order.review_reason


def test_insufficient_balance_waits_then_all_go_through_after_a_top_up(worker, sandbox, catalog):
    sandbox.balance = 1_000
    orders = [pay(code="MLBB_ID_12"), pay(code="MLBB_ID_19"), pay(code="FF_12")]
    wait_for(
        lambda: SubmissionQueue.get().is_paused and all(status_of(o) == S.PAID for o in orders),
        what="the queue to pause with all three orders waiting as paid",
    )
    sandbox.balance = 5_000_000
    for order in orders:
        assert wait_status(order, S.SUCCESS) == S.SUCCESS
    assert not SubmissionQueue.get().is_paused
    assert Order.objects.filter(status__in=[S.FAILED, S.REFUNDED]).count() == 0


def test_cost_above_price_is_held_for_review_without_a_supplier_call(worker, sandbox, catalog):
    variant = Variant.objects.get(code="MLBB_ID_5")
    order = services.create_order(
        variant=variant, account={"user_id": "123456789", "zone_id": "2345"}
    )
    sandbox.set_price("MLBB_ID_5", order.price + 100)  # isipay raised it; no sync since
    payments.confirm_paid(payment=payments.start_payment(order=order))
    assert wait_status(order, S.NEEDS_REVIEW) == S.NEEDS_REVIEW
    assert sandbox.order_calls(order.reference_number) == 0


def test_two_hundred_orders_all_end_and_each_reference_reaches_isipay_once(
    worker, sandbox, catalog
):
    codes = ["MLBB_ID_5", "MLBB_ID_12", "FF_5", "FF_12"]
    orders = [pay(code=codes[i % 4], user_id=f"{100000 + i}") for i in range(200)]
    wait_for(
        lambda: Order.objects.filter(status__in=TERMINAL).count() == 200,
        timeout=300,
        what="200 orders to end",
    )
    assert Order.objects.filter(status=S.SUCCESS).count() == 200
    references = {order.reference_number for order in orders}
    assert set(sandbox.orders) == references
    assert all(sandbox.order_calls(reference) == 1 for reference in references)
