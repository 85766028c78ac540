"""Placing a paid order at isipay exactly once, and the submission queue's pause switch.

submit_order claims the order (paid → submitting) and places it; whatever goes wrong puts it
back to wait (paid), fails it (refund), or sends it to review. sweep_submissions re-nudges
what a lost message or a dead worker left behind; check_supplier_balance resumes a queue
paused for the balance.
"""

import logging
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, Min, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import isipay
from catalog import services as catalog_services
from catalog.models import Product, Variant
from storefront.logging import order_context

from ..models import Order, SubmissionQueue
from .refunds import refund_order
from .review import _to_review
from .transitions import _seconds, _transition, schedule

logger = logging.getLogger(__name__)
S = Order.Status


class SubmitOutcome(StrEnum):
    """What one submit_order call did (for logs and tests; equal to the old bare strings)."""

    PAUSED = "paused"  # the queue is paused: the order stays paid
    NOT_CLAIMED = "not-claimed"  # not paid (any more): another worker has it, or it moved on
    SUBMITTED = "submitted"  # isipay accepted it (or already had it): processing
    ADOPTED = "adopted"  # isipay had our reference: its invoice learnt, processing
    RETRY = "retry"  # back to paid, tried again later
    REJECTED = "rejected"  # isipay will not place it: failed, refunded
    REVIEW = "review"  # a person has to look


def submit_order(
    *, order_id: int, client: isipay.IsipayClient, actor: str = "worker"
) -> SubmitOutcome:
    """Place the order at isipay exactly once; returns what happened, for logs and tests.

    The happy path is a dozen statements (claim, read, cost recorded, invoice): a burst of
    paid orders waits on isipay, not on the database.
    """
    # The pause switch is read by the claim itself: no statement of its own per order.
    claimed = _transition(
        order_id,
        from_=S.PAID,
        to=S.SUBMITTING,
        actor=actor,
        message="Placing the order at isipay.",
        where=~Exists(SubmissionQueue.objects.filter(paused_at__isnull=False)),
        submit_attempts=F("submit_attempts") + 1,
        next_submit_at=None,
    )
    if not claimed:
        if SubmissionQueue.get().is_paused:
            return SubmitOutcome.PAUSED  # stays paid; check_supplier_balance resumes it
        return SubmitOutcome.NOT_CLAIMED
    # With its item and game: their cost and last reading come along (see _current_cost).
    order = Order.objects.select_related("variant__product").get(pk=order_id)
    if order.duplicate_seen_at is not None:
        return _adopt_by_reference(order, client)  # isipay has it: only its invoice is missing

    try:
        cost = _current_cost(order, client)
    except CostUnknown as exc:
        return _retry_unread_cost(order, str(exc))
    except ItemGone as exc:
        return _reject(order, str(exc))
    if cost > order.price:
        earlier = (
            f" An earlier attempt may have reached isipay under reference "
            f"{order.reference_number}: look it up at isipay.top."
            if order.placed_cost is not None
            else ""
        )
        _to_review(
            order,
            f"Cost rose above price: isipay now charges Rp {cost}, "
            f"the customer paid Rp {order.price}. Not placed.{earlier}",
        )
        return SubmitOutcome.REVIEW

    # The cost this attempt places at; an earlier attempt that may have reached isipay keeps
    # its own while this one is under way (isipay charged that one if it did).
    Order.objects.filter(pk=order.pk).update(
        placed_cost=Coalesce("placed_cost", Value(cost)), cost_unread_since=None
    )
    try:
        placed = client.order(order.variant_code, order.reference_number, order.data)
    except (isipay.InsufficientBalance, isipay.AuthError) as exc:
        return _wait_for_supplier(order, exc)
    except isipay.DuplicateReference:
        return _adopt_by_reference(order, client)  # the first attempt's order: its cost stays
    except isipay.Unavailable as exc:
        return _retry_later(order, exc.message, reached=exc.may_have_reached_supplier)
    except isipay.IsipayError as exc:
        return _reject(order, f"isipay refused the order: {exc.message}")
    if placed.duplicate:
        _start_processing(
            order,
            placed.invoice_number,
            message="isipay already had this order (its answer was lost earlier).",
        )
        return SubmitOutcome.SUBMITTED
    # A plain acceptance after an attempt that may have reached isipay: that attempt did not
    # (isipay would have said duplicate), so this one is the order isipay placed and charged,
    # at this attempt's reading. A duplicate (above, or DuplicateReference) keeps the first's.
    _start_processing(
        order, placed.invoice_number, message="isipay accepted the order.", placed_cost=cost
    )
    return SubmitOutcome.SUBMITTED


class CostUnknown(Exception):
    """No reading of the item's cost recent enough to place the order on."""


class ItemGone(Exception):
    """isipay no longer lists the item."""


def _current_cost(order: Order, client: isipay.IsipayClient) -> int:
    """What isipay charges for the order's item now.

    From a reading of the game's variants at most SUPPLIER_COST_MAX_AGE seconds old (taken
    here if need be: one call per game however many orders wait), which also reprices the
    catalog; when isipay cannot be read, from the last reading if it is at most
    SUPPLIER_COST_MAX_STALE seconds old; else CostUnknown.
    """
    variant = order.variant  # read with the order, just after it was claimed
    read_at = variant.product.variants_read_at
    if read_at is not None and timezone.now() - read_at <= _seconds("SUPPLIER_COST_MAX_AGE"):
        # The common case in a burst: one reading serves every order of the game for a
        # minute, and that row came with the order (one statement: the cost is this reading's).
        if variant.retired_at is not None:
            raise ItemGone(f"isipay no longer offers {order.variant_code}. Not placed.")
        return variant.cost_price
    product_id = variant.product_id
    try:
        catalog_services.refresh_variants(
            client=client,
            product_id=product_id,
            max_age=settings.SUPPLIER_COST_MAX_AGE,
            wait=settings.ISIPAY_TIMEOUT + settings.ISIPAY_CONNECT_TIMEOUT,
        )
    except (isipay.IsipayError, catalog_services.ReadingBusy) as exc:
        read_at = Product.objects.values_list("variants_read_at", flat=True).get(pk=product_id)
        if read_at is None or timezone.now() - read_at > _seconds("SUPPLIER_COST_MAX_STALE"):
            raise CostUnknown(f"the current cost could not be read from isipay: {exc}") from exc
        logger.warning(
            "order %s: cost not re-read (%s); placing on the reading of %s",
            order.number,
            exc,
            read_at.isoformat(timespec="seconds"),
            extra=order_context(order),
        )
    cost, retired_at = Variant.objects.values_list("cost_price", "retired_at").get(
        pk=order.variant_id
    )
    if retired_at is not None:
        raise ItemGone(f"isipay no longer offers {order.variant_code}. Not placed.")
    return cost


def _reject(order: Order, message: str) -> SubmitOutcome:
    """isipay will not place this order: failed, and the money goes back."""
    if _transition(
        order.pk,
        from_=S.SUBMITTING,
        to=S.FAILED,
        actor="isipay",
        message=message,
        completed_at=timezone.now(),
        placed_cost=None,
    ):
        refund_order(order_id=order.pk)
    return SubmitOutcome.REJECTED


def _start_processing(order: Order, invoice: str, *, message: str, **fields) -> None:
    first_poll = min(
        max(order.variant.process_duration, settings.ORDER_POLL_FIRST_MIN),
        settings.ORDER_POLL_BACKOFF_CAP,
    )
    now = timezone.now()
    _transition(
        order.pk,
        from_=S.SUBMITTING,
        to=S.PROCESSING,
        actor="isipay",
        message=f"{message} Invoice {invoice}.",
        invoice_number=invoice,
        submitted_at=now,
        next_poll_at=now + timedelta(seconds=first_poll),
        **fields,
    )


def _wait_for_supplier(order: Order, exc: isipay.IsipayError) -> SubmitOutcome:
    """Nothing is wrong with the order: the supplier account is. Pause; no order fails."""
    reason = (
        "isipay balance too low: top up the deposit at isipay.top. Orders resume by themselves."
        if isinstance(exc, isipay.InsufficientBalance)
        else f"isipay refused access: {exc.message}"
    )
    pause_submissions(reason=reason)
    _transition(
        order.pk,
        from_=S.SUBMITTING,
        to=S.PAID,
        actor="isipay",
        message=f"Waiting: {reason}",
        submit_attempts=F("submit_attempts") - 1,
        placed_cost=order.placed_cost,  # this attempt placed nothing
    )
    return SubmitOutcome.PAUSED


def _adopt_by_reference(order: Order, client: isipay.IsipayClient) -> SubmitOutcome:
    """isipay already has our reference: the first call reached it. Learn its invoice.

    A lookup isipay does not answer (timeout, 5xx) is asked again with backoff for
    ORDER_ADOPT_RETRY_FOR seconds, without sending the order again; then review.
    """
    now = timezone.now()
    first_seen = order.duplicate_seen_at or now
    used = (
        f"isipay says reference {order.reference_number} was already used, but does not "
        "tell its invoice"
    )
    advice = "Look the reference up at isipay.top; never resubmit with a new reference."
    try:
        status = client.status(order.reference_number)
    except isipay.Unavailable as exc:
        waited = (now - first_seen).total_seconds()
        if waited >= settings.ORDER_ADOPT_RETRY_FOR:
            _to_review(order, f"{used} (no answer for {waited:.0f} s: {exc.message}). {advice}")
            return SubmitOutcome.REVIEW
        delay = max(settings.ORDER_SUBMIT_RETRY_BASE, waited)
        if _transition(
            order.pk,
            from_=S.SUBMITTING,
            to=S.PAID,
            actor="isipay",
            message=f"isipay already has reference {order.reference_number} but did not "
            f"answer its lookup ({exc.message}); asking again in {delay:.0f} s.",
            duplicate_seen_at=first_seen,
            next_submit_at=now + timedelta(seconds=delay),
        ):
            schedule("orders.submit_order", order.pk, countdown=delay)
        return SubmitOutcome.RETRY
    except isipay.IsipayError as exc:
        _to_review(order, f"{used} ({exc}). {advice}")
        return SubmitOutcome.REVIEW
    _start_processing(
        order,
        status.invoice_number,
        message="isipay already had this order (its answer was lost earlier).",
    )
    return SubmitOutcome.ADOPTED


def _retry_unread_cost(order: Order, note: str) -> SubmitOutcome:
    """isipay's current price could not be read, so nothing was sent: not a submission attempt.

    Tried again with backoff for ORDER_COST_RETRY_FOR seconds from the first such attempt,
    then review, saying that nothing was sent (unless an earlier attempt may have been).
    """
    now = timezone.now()
    first_seen = order.cost_unread_since or now
    waited = (now - first_seen).total_seconds()
    if waited >= settings.ORDER_COST_RETRY_FOR:
        unread = f"Could not read isipay's current price for {waited / 60:.0f} minutes"
        if order.placed_cost is None:
            reason = f"{unread}; nothing was sent to isipay; safe to retry. Last error: {note}."
        else:
            reason = (
                f"{unread}; nothing was sent to isipay since, but an earlier attempt may have "
                f"reached it under reference {order.reference_number}: look it up at "
                f"isipay.top before retrying. Last error: {note}."
            )
        _transition(
            order.pk,
            from_=S.SUBMITTING,
            to=S.NEEDS_REVIEW,
            actor="system",
            message=reason,
            review_reason=reason,
            submit_attempts=F("submit_attempts") - 1,
        )
        return SubmitOutcome.REVIEW
    delay = min(
        max(settings.ORDER_SUBMIT_RETRY_BASE, waited),
        max(settings.ORDER_SUBMIT_RETRY_BASE, settings.ORDER_COST_RETRY_FOR - waited),
    )
    if _transition(
        order.pk,
        from_=S.SUBMITTING,
        to=S.PAID,
        actor="isipay",
        message=f"Nothing sent to isipay: {note}; trying again in {delay:.0f} s.",
        submit_attempts=F("submit_attempts") - 1,  # this attempt sent nothing
        cost_unread_since=first_seen,
        next_submit_at=now + timedelta(seconds=delay),
    ):
        schedule("orders.submit_order", order.pk, countdown=delay)
    return SubmitOutcome.RETRY


def _retry_later(order: Order, note: str, *, reached: bool) -> SubmitOutcome:
    """No answer from isipay: back to paid, tried again with backoff and the same reference.

    `reached`: whether this attempt's order call may have reached isipay; when not, the cost
    it was about to place at is forgotten (see submit_order).
    """
    if order.submit_attempts >= settings.ORDER_SUBMIT_MAX_ATTEMPTS:
        _to_review(
            order,
            f"isipay did not answer after {order.submit_attempts} attempts ({note}). "
            f"The order may exist at isipay under reference {order.reference_number}.",
        )
        return SubmitOutcome.REVIEW
    delay = settings.ORDER_SUBMIT_RETRY_BASE * 2 ** (order.submit_attempts - 1)
    kept: dict[str, Any] = {} if reached else {"placed_cost": order.placed_cost}
    moved = _transition(
        order.pk,
        from_=S.SUBMITTING,
        to=S.PAID,
        actor="isipay",
        message=f"No answer from isipay ({note}); retrying in {delay:.0f} s "
        "with the same reference.",
        next_submit_at=timezone.now() + timedelta(seconds=delay),
        **kept,
    )
    if moved:
        schedule("orders.submit_order", order.pk, countdown=delay)
    return SubmitOutcome.RETRY


def sweep_submissions() -> int:
    """Re-nudge orders whose Celery message was lost or whose worker died mid-submission."""
    now = timezone.now()
    nudged = 0
    stuck = Order.objects.filter(
        status=S.SUBMITTING, updated_at__lt=now - _seconds("ORDER_SUBMIT_STUCK_AFTER")
    ).values_list("pk", flat=True)
    for order_id in stuck:
        if _transition(
            order_id,
            from_=S.SUBMITTING,
            to=S.PAID,
            actor="sweeper",
            message="The worker stopped mid-submission; resuming with the same reference.",
            next_submit_at=now,
        ):
            schedule("orders.submit_order", order_id)
            nudged += 1
    if not SubmissionQueue.get().is_paused:
        waiting = Order.objects.filter(
            status=S.PAID, next_submit_at__lt=now - _seconds("ORDER_SWEEP_INTERVAL")
        ).values_list("pk", flat=True)
        for order_id in waiting:
            schedule("orders.submit_order", order_id)
            nudged += 1
    return nudged


def pause_submissions(*, reason: str) -> None:
    SubmissionQueue.get()
    SubmissionQueue.objects.filter(pk=1).update(
        paused_at=Coalesce("paused_at", Value(timezone.now())), reason=reason
    )
    logger.warning("order submission paused: %s", reason)
    from notifications import services as notifications

    notifications.submissions_paused(reason=reason)


def resume_submissions(*, actor: str = "system") -> int:
    """Unpause and send every waiting paid order to the submit queue; returns how many."""
    now = timezone.now()
    SubmissionQueue.get()
    SubmissionQueue.objects.filter(pk=1).update(paused_at=None, reason="")
    waiting = list(Order.objects.filter(status=S.PAID).values_list("pk", flat=True))
    Order.objects.filter(pk__in=waiting, status=S.PAID).update(next_submit_at=now)
    for order_id in waiting:
        schedule("orders.submit_order", order_id)
    logger.info("order submission resumed by %s: %d orders waiting", actor, len(waiting))
    from notifications import services as notifications

    notifications.submissions_resumed()
    return len(waiting)


def check_supplier_balance(*, client: isipay.IsipayClient) -> int | None:
    """While the queue is paused, read the isipay balance (kept as a snapshot by the back office's
    one balance service) and resume once it covers the cheapest waiting order."""
    from backoffice.services import record_balance_snapshot

    if not SubmissionQueue.get().is_paused:
        return None  # nothing to decide; beat's snapshots keep the dashboard's reading
    snapshot = record_balance_snapshot(client=client)
    if snapshot is None:
        return None
    balance = snapshot.balance
    if SubmissionQueue.get().is_paused:
        # Resume only for an order the balance can pay; with none waiting, stay paused (an
        # order in flight may be about to come back for the same reason).
        cheapest = Order.objects.filter(status=S.PAID).aggregate(low=Min("cost"))["low"]
        if cheapest is not None and balance >= cheapest:
            resume_submissions(actor="balance check")
    return balance
