"""Giving a failed order's money back: automatically, by the sweeper, or by hand."""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications import services as notifications
from storefront.logging import order_context

from ..models import Order
from .transitions import _note, _seconds, _transition

logger = logging.getLogger(__name__)
S = Order.Status


def refund_choice_until(order: Order) -> datetime | None:
    """Until when the customer of a failed order may choose where its money goes back (their
    balance, or the original method); None when there is no choice (a guest's order, paid from
    the balance, or its refund already started)."""
    from payments import selectors as payment_selectors

    if order.completed_at is None or payment_selectors.refund_choice(order) is None:
        return None
    return order.completed_at + _seconds("WALLET_REFUND_CHOICE_WINDOW")


def _waits_for_the_customer(order: Order, *, actor: str) -> bool:
    """A logged-in customer's failed, gateway-paid order waits WALLET_REFUND_CHOICE_WINDOW for
    the customer's choice before its automatic refund to the original method."""
    until = refund_choice_until(order)
    if until is None or timezone.now() >= until:
        return False
    # Looked at now: the order sweeper comes back after ORDER_REFUND_SWEEP_AFTER.
    Order.objects.filter(pk=order.pk, status=S.FAILED).update(updated_at=timezone.now())
    message = (
        f"Waiting until {timezone.localtime(until):%Y-%m-%d %H:%M} for the customer to choose "
        "a refund to their balance or to the original payment method; then the original method."
    )
    if not order.events.filter(message=message).exists():
        _note(order.pk, status=S.FAILED, actor=actor, message=message)
    return True


class NotYourOrder(Exception):
    """Only the order's own customer chooses where its refund goes."""


def refund_to_wallet(*, order_id: int, user) -> bool:
    """The customer's choice: a failed order's money back to their balance, at once. The
    payment's claim, the credit and failed → refunded are one transaction. False when the
    choice is no longer open (the refund started, or was already made)."""
    from payments import services as payments

    order = Order.objects.get(pk=order_id)
    if order.customer_id is None or order.customer_id != getattr(user, "pk", None):
        raise NotYourOrder(order.number)
    with transaction.atomic():
        if not payments.refund_to_wallet(order=order, user=user):
            return False
        if not _transition(
            order_id,
            from_=S.FAILED,
            to=S.REFUNDED,
            actor=f"customer {user.pk}",
            message="Money refunded to the customer's balance, as they chose.",
            refund_due_reason="",
        ):
            raise RuntimeError(f"order {order.number} could not be marked refunded")  # undo all
    return True


def refund_to_original_method(*, order_id: int, user) -> bool:
    """The customer's choice: the refund to the original payment method starts now instead of
    after the choice window. True when it is refunded already (the sandbox), False while it is
    on its way or when the choice was no longer open."""
    from payments import selectors as payment_selectors

    order = Order.objects.get(pk=order_id)
    if order.customer_id is None or order.customer_id != getattr(user, "pk", None):
        raise NotYourOrder(order.number)
    if payment_selectors.refund_choice(order) is None:
        return False
    return refund_order(order_id=order_id, actor=f"customer {user.pk}", customer_chose=True)


def refund_order(*, order_id: int, actor: str = "system", customer_chose: bool = False) -> bool:
    """Give a failed order's money back; True when it is refunded.

    A logged-in customer's order paid through a gateway first waits for the customer's choice
    (see _waits_for_the_customer; `customer_chose` when they chose the original method).

    The refund flow, one for every failed order, with the payment's state as its truth:
    1. "failed" calls this: it refunds the payment the order was paid with (payments.refund).
    2. No answer from the provider leaves the payment refunding: payments.sweep_refunds asks
       the provider and re-sends it (same refund key) until refunded or refund due. Meanwhile
       the order says "refund in progress … do nothing" and the customer hears nothing yet.
    3. The payment's outcome comes back here (payments.sweep_refunds calls this, and
       sweep_refunds below catches any it missed): refunded → the order is refunded; refund
       due → the order is marked refund due with the provider's reason, the customer is told,
       and a person refunds by hand and closes it with "Refunded by hand" (refunded_by_hand).
    sweep_refunds also starts refunds a dead worker never started.
    """
    from payments import selectors as payment_selectors
    from payments import services as payments

    order = Order.objects.get(pk=order_id)
    if order.status != S.FAILED:
        return False
    if not customer_chose and _waits_for_the_customer(order, actor=actor):
        return False
    if payments.refund(order=order, reason="isipay could not fulfil the order"):
        # The customer's refund messages are written by the transition (the outbox).
        return _transition(
            order_id,
            from_=S.FAILED,
            to=S.REFUNDED,
            actor=actor,
            message="Money refunded to the customer.",
            refund_due_reason="",
        )
    now = timezone.now()
    progress = payment_selectors.refund_in_progress(order=order)
    if progress:
        # Retried automatically: nobody is to refund by hand now, and "failed" waits.
        Order.objects.filter(pk=order_id, status=S.FAILED).update(
            refund_due_reason="", updated_at=now
        )
        last = order.events.order_by("-created_at", "-pk").values_list("message", flat=True)
        if last.first() != progress:
            _note(order_id, status=S.FAILED, actor=actor, message=progress)
            logger.info("order %s: %s", order.number, progress, extra=order_context(order))
        return False
    reason = payment_selectors.refund_due_reason(order=order)
    with transaction.atomic():
        noted = (
            Order.objects.filter(pk=order_id, status=S.FAILED)
            .exclude(refund_due_reason=reason)
            .update(refund_due_reason=reason, updated_at=now)
        )
        if noted and not order.refund_due_reason:
            # The customer hears, once, that the refund will be done by hand (outbox).
            notifications.order_refund_due(order_id=order_id)
    if noted:
        _note(order_id, status=S.FAILED, actor=actor, message=f"Refund due: {reason}")
        logger.warning("order %s: refund due: %s", order.number, reason, extra=order_context(order))
    else:  # looked at now: the sweeper need not look again until the payment changes
        Order.objects.filter(pk=order_id, status=S.FAILED).update(updated_at=now)
    return False


def sweep_refunds(*, limit: int = 500) -> int:
    """The order side of the refund flow (see refund_order); returns how many it refunded.

    Takes only failed orders with something to do (payments.selectors.refunds_to_follow):
    payment refunded or newly refund due, or no refund started ORDER_REFUND_SWEEP_AFTER
    seconds after failing. A payment still refunding is left to payments.sweep_refunds.
    """
    from payments import selectors as payment_selectors

    cutoff = timezone.now() - _seconds("ORDER_REFUND_SWEEP_AFTER")
    ids = payment_selectors.refunds_to_follow(not_started_before=cutoff, limit=limit)
    return sum(refund_order(order_id=order_id, actor="sweeper") for order_id in ids)


def refunded_by_hand(*, order_id: int, actor: str, note: str = "") -> bool:
    """A person refunded a refund-due order by hand: failed → refunded, its payment marked
    refunded by hand, the customer told. False when the order is not refund due (any more)."""
    from payments import services as payments

    message = f"Refunded to the customer by hand. {note}".strip()
    with transaction.atomic():
        moved = _transition(
            order_id,
            from_=S.FAILED,
            to=S.REFUNDED,
            actor=actor,
            message=message,
            where=~Q(refund_due_reason=""),
            refund_due_reason="",
        )
        if moved:
            payments.mark_refunded_by_hand(order_id=order_id, actor=actor)
    return moved
