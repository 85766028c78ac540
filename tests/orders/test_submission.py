"""Submitting paid orders to the live sandbox: exactly once, whatever goes wrong."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from catalog.models import Product, Variant
from orders import services
from orders.models import Order, OrderEvent, SubmissionQueue
from payments.models import Payment
from tests.notify import deliver_outbox
from tests.oncommit import queued_tasks

S = Order.Status


def submit(order, client):
    return services.submit_order(order_id=order.pk, client=client)


def reload(order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_order_freezes_what_was_bought(place_order):
    order = place_order()
    Variant.objects.filter(code="MLBB_ID_5").update(name="Renamed", sell_price=99_999)
    order = reload(order)
    assert order.variant_name == "5 (5+0) Diamonds"
    assert order.product_name == "Mobile Legends"
    assert order.data == "123456789(2345)"
    assert order.price < 99_999 and order.cost == 1389
    assert order.number.startswith("GR-") and len(order.number) == 11
    assert order.reference_number and order.status == S.PAID


def test_paying_twice_marks_paid_once_and_enqueues_one_submission(
    place_order, django_capture_on_commit_callbacks
):
    order = place_order()
    with django_capture_on_commit_callbacks() as callbacks:
        assert not services.mark_paid(order_id=order.pk)
    assert callbacks == []
    assert OrderEvent.objects.filter(order=order, to_status=S.PAID).count() == 1


def test_accepted_order_goes_to_processing_with_invoice_and_first_poll(
    place_order, isipay_client, sandbox
):
    order = place_order()
    assert submit(order, isipay_client) == "submitted"
    order = reload(order)
    assert order.status == S.PROCESSING
    assert order.invoice_number == sandbox.orders[order.reference_number].invoice
    assert order.next_poll_at > timezone.now()
    assert [e.to_status for e in order.events.all()] == [
        S.AWAITING_PAYMENT,
        S.PAID,
        S.SUBMITTING,
        S.PROCESSING,
    ]


def test_a_burst_of_orders_for_one_game_is_placed_on_one_cost_reading_in_a_dozen_statements(
    place_order, isipay_client, sandbox, django_assert_max_num_queries
):
    """A flash sale's orders wait on isipay, not on the database (issue 19: 1,000 paid orders
    placed in 30 s at 1 s per call): after the game's first order has read isipay's prices,
    each next one is claimed, read with its item's cost, recorded and placed in 12 statements
    (the claim and the invoice each a transaction of update, event and lookup), and isipay is
    asked for the prices once."""
    assert submit(place_order(), isipay_client) == "submitted"
    sandbox.clear_calls()
    orders = [place_order() for _ in range(3)]
    for order in orders:
        with django_assert_max_num_queries(12):
            assert submit(order, isipay_client) == "submitted"
    assert sandbox.call_count("/api/v1/variant") == 0
    assert sandbox.call_count("/api/v1/order") == 3


def test_second_delivery_of_the_same_task_does_nothing(place_order, isipay_client, sandbox):
    order = place_order()
    submit(order, isipay_client)
    assert submit(order, isipay_client) == "not-claimed"
    assert sandbox.order_calls(order.reference_number) == 1


def test_insufficient_balance_pauses_the_queue_and_a_top_up_resumes_it(
    place_order, isipay_client, sandbox, django_capture_on_commit_callbacks
):
    sandbox.balance = 100
    first, second = place_order(), place_order(code="MLBB_ID_12")
    assert submit(first, isipay_client) == "paused"
    assert reload(first).status == S.PAID
    assert SubmissionQueue.get().is_paused
    assert "balance" in SubmissionQueue.get().reason
    assert submit(second, isipay_client) == "paused"  # queue paused: not even tried
    assert sandbox.order_calls(second.reference_number) == 0

    with django_capture_on_commit_callbacks() as callbacks:
        assert services.check_supplier_balance(client=isipay_client) == 100
    assert callbacks == [] and SubmissionQueue.get().is_paused

    sandbox.balance = 1_000_000
    with django_capture_on_commit_callbacks() as callbacks:
        services.check_supplier_balance(client=isipay_client)
    assert not SubmissionQueue.get().is_paused
    assert queued_tasks(callbacks) == ["orders.submit_order"] * 2 + [
        "notifications.send_message"  # the owner hears that submissions resumed
    ]
    assert submit(first, isipay_client) == "submitted"
    assert submit(second, isipay_client) == "submitted"
    assert Order.objects.filter(status=S.FAILED).count() == 0


def test_supplier_rejection_fails_and_refunds(
    place_order, isipay_client, django_capture_on_commit_callbacks
):
    order = place_order(code="FF_5", account={"user_id": "INVALID-ID"})
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(order, isipay_client) == "rejected"
    order = reload(order)
    assert order.status == S.REFUNDED
    assert order.payments.get().status == Payment.Status.REFUNDED
    assert "tidak valid" in order.events.get(to_status=S.FAILED).message
    deliver_outbox()
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject and "dikembalikan" in mail.outbox[0].subject


def test_dropped_answer_then_retry_adopts_the_first_order(
    place_order, isipay_client, sandbox, django_capture_on_commit_callbacks
):
    order = place_order()
    sandbox.inject("/api/v1/order", "drop")
    with django_capture_on_commit_callbacks() as callbacks:
        assert submit(order, isipay_client) == "retry"
    assert queued_tasks(callbacks) == ["orders.submit_order"]  # a retry, with a countdown
    assert reload(order).status == S.PAID
    assert submit(order, isipay_client) == "adopted"
    order = reload(order)
    assert order.status == S.PROCESSING
    assert order.invoice_number == sandbox.orders[order.reference_number].invoice
    assert len([o for o in sandbox.orders.values() if o.reference == order.reference_number]) == 1
    assert sandbox.order_calls(order.reference_number) == 2  # same reference both times


def test_duplicate_reference_without_lookup_goes_to_review(place_order, isipay_client, sandbox):
    order = place_order()
    sandbox.inject("/api/v1/order", "drop")
    submit(order, isipay_client)
    sandbox.accept_reference_lookup = False
    assert submit(order, isipay_client) == "review"
    order = reload(order)
    assert order.status == S.NEEDS_REVIEW
    assert order.reference_number in order.review_reason
    assert sandbox.order_calls(order.reference_number) == 2


def test_duplicate_answer_carrying_the_invoice_is_the_same_order(
    place_order, isipay_client, sandbox
):
    sandbox.duplicate_reference = "invoice"
    order = place_order()
    sandbox.inject("/api/v1/order", "drop")
    submit(order, isipay_client)
    assert submit(order, isipay_client) == "submitted"
    assert reload(order).invoice_number == sandbox.orders[order.reference_number].invoice


def test_no_answer_is_retried_a_bounded_number_of_times_then_reviewed(
    place_order, isipay_client, sandbox, settings
):
    settings.ORDER_SUBMIT_MAX_ATTEMPTS = 3
    order = place_order()
    sandbox.inject("/api/v1/order", "http502", times=None)
    outcomes = [submit(order, isipay_client) for _ in range(3)]
    assert outcomes == ["retry", "retry", "review"]
    order = reload(order)
    assert order.status == S.NEEDS_REVIEW and order.submit_attempts == 3
    assert order.reference_number in order.review_reason


def test_cost_above_price_goes_to_review_without_calling_isipay(
    place_order, isipay_client, sandbox
):
    order = place_order()
    # A reading of the game's variants from a few seconds ago already has the rise.
    Variant.objects.filter(code="MLBB_ID_5").update(
        cost_price=order.price + 1, sell_price=order.price + 500
    )
    Product.objects.filter(code="mobile-legends").update(variants_read_at=timezone.now())
    assert submit(order, isipay_client) == "review"
    order = reload(order)
    assert order.status == S.NEEDS_REVIEW
    assert "Cost rose above price" in order.review_reason
    assert sandbox.order_calls(order.reference_number) == 0


def test_sweeper_resumes_an_order_stuck_in_submitting_with_the_same_reference(
    place_order, isipay_client, sandbox, django_capture_on_commit_callbacks
):
    order = place_order()
    reference = order.reference_number
    # A worker claimed it, then died before calling isipay.
    Order.objects.filter(pk=order.pk).update(
        status=S.SUBMITTING, updated_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.sweep_submissions() == 1
    assert queued_tasks(callbacks) == ["orders.submit_order"]
    assert submit(order, isipay_client) == "submitted"
    assert reload(order).reference_number == reference
    assert sandbox.order_calls(reference) == 1


def test_sweeper_leaves_fresh_submissions_alone(place_order, django_capture_on_commit_callbacks):
    order = place_order()
    Order.objects.filter(pk=order.pk).update(status=S.SUBMITTING, updated_at=timezone.now())
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.sweep_submissions() == 0
    assert callbacks == []


def test_reference_lookup_without_answer_is_retried_with_backoff_before_review(
    place_order, isipay_client, sandbox, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_ADOPT_RETRY_FOR = 300
    order = place_order()
    sandbox.inject("/api/v1/order", "drop")  # isipay took it; the answer was lost
    assert submit(order, isipay_client) == "retry"
    sandbox.inject("/api/v1/status-order", "http502", times=2)  # then its lookup fails twice
    for _ in range(2):
        with django_capture_on_commit_callbacks() as callbacks:
            assert submit(order, isipay_client) == "retry"
        assert queued_tasks(callbacks) == ["orders.submit_order"]
        assert reload(order).status == S.PAID and reload(order).next_submit_at > timezone.now()
    assert submit(order, isipay_client) == "adopted"
    order = reload(order)
    assert order.status == S.PROCESSING
    assert order.invoice_number == sandbox.orders[order.reference_number].invoice
    assert sandbox.order_calls(order.reference_number) == 2  # the order was not sent again


def test_reference_lookup_still_unanswered_after_the_retry_window_goes_to_review(
    place_order, isipay_client, sandbox, settings
):
    settings.ORDER_ADOPT_RETRY_FOR = 300
    order = place_order()
    sandbox.inject("/api/v1/order", "drop")
    submit(order, isipay_client)
    sandbox.inject("/api/v1/status-order", "http502", times=None)
    assert submit(order, isipay_client) == "retry"
    Order.objects.filter(pk=order.pk).update(  # five minutes of unanswered lookups later
        duplicate_seen_at=timezone.now() - timedelta(seconds=301)
    )
    assert submit(order, isipay_client) == "review"
    order = reload(order)
    assert order.status == S.NEEDS_REVIEW and order.reference_number in order.review_reason
    assert sandbox.order_calls(order.reference_number) == 2
