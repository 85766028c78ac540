"""Issue 12, refunds: one refund flow, with the payment's state as its truth."""

import pytest
from django.core import mail
from django.urls import reverse

from orders import services
from orders import tasks as order_tasks
from orders.models import Order
from payments import tasks as payment_tasks
from payments.models import Payment
from storefront.celery import RELIABLE
from storefront.celery import app as celery_app
from tests.notify import deliver_outbox

from ..backoffice.roles import MANAGER, SUPPORT, logged_in, staff


def test_every_order_and_payment_task_runs_with_the_one_reliable_setting():
    """Item 5: RELIABLE is defined once; every order and payment task is acked late and given
    back when its worker dies (a copy that drifted in one module would lose tasks)."""
    assert order_tasks.RELIABLE is RELIABLE and payment_tasks.RELIABLE is RELIABLE
    names = [name for name in celery_app.tasks if name.startswith(("orders.", "payments."))]
    assert len(names) >= 9
    for name in names:
        task = celery_app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost and task.ignore_result, name


S = Order.Status
P = Payment.Status
CHANGELIST = reverse("admin:orders_order_changelist")


def failed(order: Order) -> Order:
    """isipay failed the order; its refund has not been asked for yet."""
    Order.objects.filter(pk=order.pk).update(status=S.FAILED)
    return Order.objects.get(pk=order.pk)


def late_second_payment(order: Order, status: str = P.PAID) -> Payment:
    """Another attempt on the same order the customer paid too (after the first had paid it)."""
    return Payment.objects.create(
        order=order,
        provider="sandbox",
        amount=order.price,
        status=status,
        reference=f"{order.number}-2-late",
    )


@pytest.fixture
def refund_due(place_order, django_capture_on_commit_callbacks):
    """A failed order whose payment the provider refused to refund: refund due."""

    def make() -> Order:
        order = failed(place_order())
        Payment.objects.filter(order=order).update(
            status=P.REFUND_DUE, refund_due_reason="sandbox refused the refund: too old"
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.refund_order(order_id=order.pk)
        order.refresh_from_db()
        assert order.is_refund_due
        return order

    return make


# --- item 3: the payment the order was paid with -------------------------------------------


def test_the_refund_goes_to_the_payment_the_order_was_paid_with_not_a_late_second_one(
    place_order, django_capture_on_commit_callbacks
):
    order = place_order()
    paid_with = order.payments.get()
    late = late_second_payment(order)  # its own refund (the late path) not started yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.refund_order(order_id=failed(order).pk)
    assert Order.objects.get(pk=order.pk).status == S.REFUNDED
    assert Payment.objects.get(pk=paid_with.pk).status == P.REFUNDED  # the real money is back
    assert Payment.objects.get(pk=late.pk).status == P.PAID  # left to the late-refund path


def test_a_refunded_late_payment_does_not_count_as_the_orders_refund(place_order):
    order = place_order()
    paid_with = order.payments.get()
    late_second_payment(order, status=P.REFUNDED)  # the late one went back already
    # The order's own refund was sent; its answer is not in yet.
    Payment.objects.filter(pk=paid_with.pk).update(status=P.REFUNDING, refund_attempts=1)
    assert not services.refund_order(order_id=failed(order).pk)
    order.refresh_from_db()
    assert order.status == S.FAILED  # not "refunded" while its own payment is still captured
    assert "Refund in progress" in order.events.last().message


# --- item 2: closing a refund-due order, and a sweep that never starves --------------------


def test_the_shop_manager_marks_a_refund_due_order_refunded_by_hand(
    refund_due, django_capture_on_commit_callbacks
):
    order = refund_due()
    manager = staff("manager-ann", MANAGER)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(manager).post(
            CHANGELIST, {"action": "refunded_by_hand", "_selected_action": [order.pk]}
        )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.REFUNDED and not order.refund_due_reason
    event = order.events.get(to_status=S.REFUNDED)
    assert event.from_status == S.FAILED and event.actor == "admin:manager-ann"
    assert "by hand" in event.message
    payment = order.payments.get()
    assert payment.status == P.REFUNDED and "by hand" in payment.refund_reference
    deliver_outbox()
    assert [m for m in mail.outbox if order.number in m.subject]  # the customer is told
    # Nothing sends it again, and a second click changes nothing.
    assert services.sweep_refunds() == 0
    assert not services.refunded_by_hand(order_id=order.pk, actor="admin:manager-ann")


def test_support_cannot_mark_an_order_refunded_by_hand(refund_due):
    order = refund_due()
    client = logged_in(staff("support-bob", SUPPORT))
    assert "refunded_by_hand" not in client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "refunded_by_hand", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == S.FAILED and order.is_refund_due
    assert order.payments.get().status == P.REFUND_DUE


def test_refunded_by_hand_leaves_an_order_being_refunded_automatically_alone(place_order):
    order = failed(place_order())
    Payment.objects.filter(order=order).update(status=P.REFUNDING, refund_attempts=1)
    services.refund_order(order_id=order.pk)  # in progress: not refund due
    client = logged_in(staff("manager-ann", MANAGER))
    client.post(CHANGELIST, {"action": "refunded_by_hand", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == S.FAILED and order.payments.get().status == P.REFUNDING


def test_refund_due_orders_do_not_starve_newer_ones_in_the_sweep(
    refund_due, place_order, django_capture_on_commit_callbacks
):
    older = [refund_due() for _ in range(3)]  # noted once, nothing changed since
    newer = failed(place_order())
    Payment.objects.filter(order=newer).update(status=P.REFUNDED)  # e.g. the payments sweeper
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_refunds(limit=2) == 1
    assert Order.objects.get(pk=newer.pk).status == S.REFUNDED
    assert all(Order.objects.get(pk=o.pk).is_refund_due for o in older)
