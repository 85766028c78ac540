"""Every order write, and every status change, happens here.

A status change is one conditional UPDATE (`… WHERE status = expected`) plus its event, in one
transaction: two workers racing for the same order cannot both win, and a second delivery of
the same task finds nothing to move. The row, not the Celery message, is the truth.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import isipay
from catalog import services as catalog_services
from catalog.account_fields import build_data
from catalog.models import Product, Variant
from storefront.logging import order_context
from storefront.supplier import status_map

from . import notifications
from .cache import order_changed
from .models import Order, OrderEvent, SubmissionQueue

logger = logging.getLogger(__name__)
S = Order.Status


class NotForSale(Exception):
    pass


# --- transitions ---------------------------------------------------------------------------


def _move(order_id: int, *, from_: str, to: str, actor: str, message: str = "", **fields) -> bool:
    now = timezone.now()
    with transaction.atomic():
        moved = Order.objects.filter(pk=order_id, status=from_).update(
            status=to, updated_at=now, **fields
        )
        if moved:
            OrderEvent.objects.create(
                order_id=order_id,
                created_at=now,
                from_status=from_,
                to_status=to,
                actor=actor,
                message=message[:2000],
            )
            number, reference = (
                Order.objects.filter(pk=order_id).values_list("number", "reference_number").get()
            )
    if moved:
        order_changed(number)
        logger.info(
            "order %s: %s -> %s (%s) %s", order_id, from_, to, actor, message,
            extra={"order": number, "reference": reference},
        )  # fmt: skip
    return bool(moved)


def _note(order_id: int, *, status: str, actor: str, message: str) -> None:
    """An event that is not a transition (a refund that has to be done by hand)."""
    OrderEvent.objects.create(
        order_id=order_id, from_status=status, to_status=status, actor=actor, message=message
    )


def _after_commit(task, *args, countdown: float | None = None) -> None:
    transaction.on_commit(partial(task.apply_async, args=args, countdown=countdown))


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


# --- customer and payment ------------------------------------------------------------------


def create_order(
    *,
    variant: Variant,
    account: dict[str, str],
    contact_email: str = "",
    contact_phone: str = "",
    buyer_ip: str | None = None,
    payment_provider: str = "sandbox",
    language: str = "id",
) -> Order:
    """An order awaiting payment, with price, cost and names copied from the catalog now."""
    product = variant.product
    if not (variant.is_for_sale and product.is_for_sale):
        raise NotForSale(variant.code)
    with transaction.atomic():
        order = Order.objects.create(
            variant=variant,
            product_code=product.code,
            product_name=product.title,
            variant_code=variant.code,
            variant_name=variant.name,
            price=variant.sell_price,
            cost=variant.cost_price,
            account=account,
            data=build_data(product.data_template, account),
            contact_email=contact_email,
            contact_phone=contact_phone,
            buyer_ip=buyer_ip,
            payment_provider=payment_provider,
            language=language,
        )
        OrderEvent.objects.create(
            order=order, to_status=S.AWAITING_PAYMENT, actor="customer", message="Order placed."
        )
    return order


def mark_paid(*, order_id: int, payment_reference: str = "", actor: str = "payment") -> bool:
    from . import tasks

    now = timezone.now()
    moved = _move(
        order_id,
        from_=S.AWAITING_PAYMENT,
        to=S.PAID,
        actor=actor,
        message="Payment received.",
        paid_at=now,
        next_submit_at=now,
        payment_reference=payment_reference,
    )
    if moved:
        _after_commit(tasks.submit_order, order_id)
    return moved


def expire_order(*, order_id: int, actor: str = "system", message: str = "") -> bool:
    return _move(
        order_id,
        from_=S.AWAITING_PAYMENT,
        to=S.EXPIRED,
        actor=actor,
        message=message or "Payment not received in time.",
        completed_at=timezone.now(),
    )


# --- submission ----------------------------------------------------------------------------


def submit_order(*, order_id: int, client: isipay.IsipayClient, actor: str = "worker") -> str:
    """Place the order at isipay exactly once; returns what happened, for logs and tests."""
    if SubmissionQueue.get().is_paused:
        return "paused"  # stays paid; check_supplier_balance resumes it
    claimed = _move(
        order_id,
        from_=S.PAID,
        to=S.SUBMITTING,
        actor=actor,
        message="Placing the order at isipay.",
        submit_attempts=F("submit_attempts") + 1,
        next_submit_at=None,
    )
    if not claimed:
        return "not-claimed"
    order = Order.objects.select_related("variant").get(pk=order_id)
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
        return "review"

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
        return "submitted"
    # A plain acceptance after an attempt that may have reached isipay: that attempt did not
    # (isipay would have said duplicate), so this one is the order isipay placed and charged,
    # at this attempt's reading. A duplicate (above, or DuplicateReference) keeps the first's.
    _start_processing(
        order, placed.invoice_number, message="isipay accepted the order.", placed_cost=cost
    )
    return "submitted"


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
    product_id = Variant.objects.values_list("product_id", flat=True).get(pk=order.variant_id)
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
            order.number, exc, read_at.isoformat(timespec="seconds"),
            extra=order_context(order),
        )  # fmt: skip
    cost, retired_at = Variant.objects.values_list("cost_price", "retired_at").get(
        pk=order.variant_id
    )
    if retired_at is not None:
        raise ItemGone(f"isipay no longer offers {order.variant_code}. Not placed.")
    return cost


def _reject(order: Order, message: str) -> str:
    """isipay will not place this order: failed, and the money goes back."""
    if _move(
        order.pk,
        from_=S.SUBMITTING,
        to=S.FAILED,
        actor="isipay",
        message=message,
        completed_at=timezone.now(),
        placed_cost=None,
    ):
        refund_order(order_id=order.pk)
    return "rejected"


def _start_processing(order: Order, invoice: str, *, message: str, **fields) -> None:
    first_poll = min(
        max(order.variant.process_duration, settings.ORDER_POLL_FIRST_MIN),
        settings.ORDER_POLL_BACKOFF_CAP,
    )
    now = timezone.now()
    _move(
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


def _wait_for_supplier(order: Order, exc: isipay.IsipayError) -> str:
    """Nothing is wrong with the order: the supplier account is. Pause; no order fails."""
    reason = (
        "isipay balance too low: top up the deposit at isipay.top. Orders resume by themselves."
        if isinstance(exc, isipay.InsufficientBalance)
        else f"isipay refused access: {exc.message}"
    )
    pause_submissions(reason=reason)
    _move(
        order.pk,
        from_=S.SUBMITTING,
        to=S.PAID,
        actor="isipay",
        message=f"Waiting: {reason}",
        submit_attempts=F("submit_attempts") - 1,
        placed_cost=order.placed_cost,  # this attempt placed nothing
    )
    return "paused"


def _adopt_by_reference(order: Order, client: isipay.IsipayClient) -> str:
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
            return "review"
        from . import tasks

        delay = max(settings.ORDER_SUBMIT_RETRY_BASE, waited)
        if _move(
            order.pk,
            from_=S.SUBMITTING,
            to=S.PAID,
            actor="isipay",
            message=f"isipay already has reference {order.reference_number} but did not "
            f"answer its lookup ({exc.message}); asking again in {delay:.0f} s.",
            duplicate_seen_at=first_seen,
            next_submit_at=now + timedelta(seconds=delay),
        ):
            _after_commit(tasks.submit_order, order.pk, countdown=delay)
        return "retry"
    except isipay.IsipayError as exc:
        _to_review(order, f"{used} ({exc}). {advice}")
        return "review"
    _start_processing(
        order,
        status.invoice_number,
        message="isipay already had this order (its answer was lost earlier).",
    )
    return "adopted"


def _retry_unread_cost(order: Order, note: str) -> str:
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
        _move(
            order.pk,
            from_=S.SUBMITTING,
            to=S.NEEDS_REVIEW,
            actor="system",
            message=reason,
            review_reason=reason,
            submit_attempts=F("submit_attempts") - 1,
        )
        return "review"
    from . import tasks

    delay = min(
        max(settings.ORDER_SUBMIT_RETRY_BASE, waited),
        max(settings.ORDER_SUBMIT_RETRY_BASE, settings.ORDER_COST_RETRY_FOR - waited),
    )
    if _move(
        order.pk,
        from_=S.SUBMITTING,
        to=S.PAID,
        actor="isipay",
        message=f"Nothing sent to isipay: {note}; trying again in {delay:.0f} s.",
        submit_attempts=F("submit_attempts") - 1,  # this attempt sent nothing
        cost_unread_since=first_seen,
        next_submit_at=now + timedelta(seconds=delay),
    ):
        _after_commit(tasks.submit_order, order.pk, countdown=delay)
    return "retry"


def _retry_later(order: Order, note: str, *, reached: bool) -> str:
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
        return "review"
    from . import tasks

    delay = settings.ORDER_SUBMIT_RETRY_BASE * 2 ** (order.submit_attempts - 1)
    kept = {} if reached else {"placed_cost": order.placed_cost}
    moved = _move(
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
        _after_commit(tasks.submit_order, order.pk, countdown=delay)
    return "retry"


def _to_review(order: Order, reason: str) -> bool:
    return _move(
        order.pk,
        from_=order.status,
        to=S.NEEDS_REVIEW,
        actor="system",
        message=reason,
        review_reason=reason,
        next_poll_at=None,
    )


def sweep_submissions() -> int:
    """Re-nudge orders whose Celery message was lost or whose worker died mid-submission."""
    from . import tasks

    now = timezone.now()
    nudged = 0
    stuck = Order.objects.filter(
        status=S.SUBMITTING, updated_at__lt=now - _seconds("ORDER_SUBMIT_STUCK_AFTER")
    ).values_list("pk", flat=True)
    for order_id in stuck:
        if _move(
            order_id,
            from_=S.SUBMITTING,
            to=S.PAID,
            actor="sweeper",
            message="The worker stopped mid-submission; resuming with the same reference.",
            next_submit_at=now,
        ):
            _after_commit(tasks.submit_order, order_id)
            nudged += 1
    if not SubmissionQueue.get().is_paused:
        waiting = Order.objects.filter(
            status=S.PAID, next_submit_at__lt=now - _seconds("ORDER_SWEEP_INTERVAL")
        ).values_list("pk", flat=True)
        for order_id in waiting:
            _after_commit(tasks.submit_order, order_id)
            nudged += 1
    return nudged


# --- the submission queue ------------------------------------------------------------------


def pause_submissions(*, reason: str) -> None:
    SubmissionQueue.get()
    SubmissionQueue.objects.filter(pk=1).update(
        paused_at=Coalesce("paused_at", Value(timezone.now())), reason=reason
    )
    logger.warning("order submission paused: %s", reason)


def resume_submissions(*, actor: str = "system") -> int:
    """Unpause and send every waiting paid order to the submit queue; returns how many."""
    from . import tasks

    now = timezone.now()
    SubmissionQueue.get()
    SubmissionQueue.objects.filter(pk=1).update(paused_at=None, reason="")
    waiting = list(Order.objects.filter(status=S.PAID).values_list("pk", flat=True))
    Order.objects.filter(pk__in=waiting, status=S.PAID).update(next_submit_at=now)
    for order_id in waiting:
        _after_commit(tasks.submit_order, order_id)
    logger.info("order submission resumed by %s: %d orders waiting", actor, len(waiting))
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


# --- polling -------------------------------------------------------------------------------


def lease_due_orders(*, limit: int) -> list[int]:
    """Take up to `limit` due orders, pushing their next poll out so no other tick takes them.

    skip_locked spreads the work over workers on PostgreSQL; the conditional lease keeps it
    correct where row locks do not exist (SQLite).
    """
    return _lease_due(limit=limit)[0]


def _lease_due(*, limit: int) -> tuple[list[int], datetime]:
    now = timezone.now()
    until = now + _seconds("ORDER_POLL_LEASE")
    with transaction.atomic():
        due = list(
            Order.objects.select_for_update(skip_locked=True)
            .filter(status=S.PROCESSING, next_poll_at__lte=now)
            .order_by("next_poll_at")
            .values_list("pk", flat=True)[:limit]
        )
        if due:
            Order.objects.filter(pk__in=due, status=S.PROCESSING).update(next_poll_at=until)
    return due, until


def _release_lease(order_ids: list[int], *, until: datetime) -> None:
    """Give leased orders back unpolled: due again now, for the next tick."""
    if order_ids:
        Order.objects.filter(pk__in=order_ids, status=S.PROCESSING, next_poll_at=until).update(
            next_poll_at=timezone.now()
        )


def poll_due(*, client: isipay.IsipayClient, time_budget: float = 50.0) -> int:
    """Poll due orders, batch by batch, while the time budget lasts; returns how many.

    The budget is checked before each order: with isipay slow, one batch can take far longer
    than the task may run. What is left of a batch is given back, due at once, rather than
    left leased for ORDER_POLL_LEASE (also when the task is stopped mid-batch).
    """
    deadline = timezone.now() + timedelta(seconds=time_budget)
    polled = 0
    while timezone.now() < deadline:
        batch, until = _lease_due(limit=settings.ORDER_POLL_BATCH)
        left = list(batch)
        try:
            while left and timezone.now() < deadline:
                poll_order(order_id=left[0], client=client)
                left.pop(0)
                polled += 1
        finally:
            _release_lease(left, until=until)
        if left or len(batch) < settings.ORDER_POLL_BATCH:
            break
    return polled


def poll_order(*, order_id: int, client: isipay.IsipayClient) -> str:
    order = Order.objects.filter(pk=order_id, status=S.PROCESSING).first()
    if order is None:
        return "not-processing"
    try:
        status = client.status(order.invoice_number)
    except isipay.IsipayError as exc:
        return _poll_again(order, word=None, note=str(exc))
    outcome = status_map().outcome(status.status_word)
    word = status.status_word[:50]
    now = timezone.now()
    if outcome in (isipay.Outcome.SUCCESS, isipay.Outcome.FAILED):
        succeeded = outcome is isipay.Outcome.SUCCESS
        if _move(
            order.pk,
            from_=S.PROCESSING,
            to=S.SUCCESS if succeeded else S.FAILED,
            actor="isipay",
            message=f"isipay reports {word}.",
            supplier_status=word,
            completed_at=now,
            next_poll_at=None,
        ):
            if succeeded:
                notifications.on_commit_notify(order.pk, "success")
            else:
                refund_order(order_id=order.pk)
        return "success" if succeeded else "failed"
    return _poll_again(order, word=word, unknown=outcome is isipay.Outcome.UNKNOWN)


def _poll_again(order: Order, *, word: str | None, unknown: bool = False, note: str = "") -> str:
    now = timezone.now()
    if order.submitted_at and now - order.submitted_at > _seconds("ORDER_PROCESSING_MAX_AGE"):
        _to_review(order, f"Still not final at isipay after {now - order.submitted_at}.")
        return "review"
    since = order.supplier_status_since
    if word is not None and word != order.supplier_status:
        since = now
        if unknown:
            logger.warning(
                "order %s: isipay status word %r is not known", order.number, word,
                extra=order_context(order),
            )  # fmt: skip
    if unknown and since and now - since > _seconds("ORDER_UNKNOWN_STATUS_REVIEW_AFTER"):
        _to_review(order, f'isipay keeps answering the unknown status "{word}".')
        return "review"
    delay = min(
        settings.ORDER_POLL_BACKOFF_BASE * 2 ** min(order.poll_count, 20),
        settings.ORDER_POLL_BACKOFF_CAP,
    )
    Order.objects.filter(pk=order.pk, status=S.PROCESSING).update(
        poll_count=F("poll_count") + 1,
        next_poll_at=now + timedelta(seconds=delay),
        supplier_status=word if word is not None else order.supplier_status,
        supplier_status_since=since,
        updated_at=now,
    )
    if note:
        logger.info(
            "order %s: status poll failed, next in %.0f s: %s", order.number, delay, note,
            extra=order_context(order),
        )  # fmt: skip
    return "pending"


def repoll_now(*, order_id: int) -> bool:
    from . import tasks

    moved = Order.objects.filter(pk=order_id, status=S.PROCESSING).update(
        next_poll_at=timezone.now()
    )
    if moved:
        _after_commit(tasks.poll_order, order_id)
    return bool(moved)


# --- refunds and review --------------------------------------------------------------------


def refund_order(*, order_id: int, actor: str = "system") -> bool:
    """Give a failed order's money back; True when it is refunded.

    When it cannot be done now, the order stays failed with refund_due_reason saying what a
    person has to do. A worker that dies between "failed" and this leaves neither: the
    sweeper (sweep_refunds) calls this again.
    """
    from payments import selectors as payment_selectors
    from payments import services as payments

    order = Order.objects.get(pk=order_id)
    if order.status != S.FAILED:
        return False
    if payments.refund(order=order, reason="isipay could not fulfil the order"):
        if _move(
            order_id,
            from_=S.FAILED,
            to=S.REFUNDED,
            actor=actor,
            message="Money refunded to the customer.",
            refund_due_reason="",
        ):
            notifications.on_commit_notify(order_id, "refunded")
            return True
        return False
    reason = payment_selectors.refund_due_reason(order=order)
    noted = (
        Order.objects.filter(pk=order_id, status=S.FAILED)
        .exclude(refund_due_reason=reason)
        .update(refund_due_reason=reason)
    )
    if noted:
        _note(order_id, status=S.FAILED, actor=actor, message=f"Refund due: {reason}")
        logger.warning("order %s: refund due: %s", order.number, reason, extra=order_context(order))
    if noted and not order.refund_due_reason:
        notifications.on_commit_notify(order_id, "failed")
    return False


def sweep_refunds(*, limit: int = 500) -> int:
    """Finish failed orders: a worker that died after "failed" left the refund undone.

    Takes failed orders with no refund outcome for ORDER_REFUND_SWEEP_AFTER seconds, and
    failed orders marked refund due (their payment may have been settled since); returns how
    many it refunded.
    """
    cutoff = timezone.now() - _seconds("ORDER_REFUND_SWEEP_AFTER")
    failed = Order.objects.filter(status=S.FAILED)
    unsettled = failed.filter(refund_due_reason="", updated_at__lt=cutoff)
    due = failed.exclude(refund_due_reason="")
    ids = list(unsettled.order_by("updated_at").values_list("pk", flat=True)[:limit])
    ids += list(due.order_by("updated_at").values_list("pk", flat=True)[:limit])
    return sum(refund_order(order_id=order_id, actor="sweeper") for order_id in ids)


def resolve_review(*, order_id: int, success: bool, note: str, actor: str) -> bool:
    """A person decides an order under review: delivered (success) or not (failed → refund)."""
    to = S.SUCCESS if success else S.FAILED
    moved = _move(
        order_id,
        from_=S.NEEDS_REVIEW,
        to=to,
        actor=actor,
        message=f"Resolved by hand: {note}".strip(),
        completed_at=timezone.now(),
    )
    if moved and success:
        notifications.on_commit_notify(order_id, "success")
    elif moved:
        refund_order(order_id=order_id, actor=actor)
    return moved


def expire_unpaid() -> int:
    """Unpaid orders past PAYMENT_TIMEOUT expire, and their open payment attempts with them.

    Each open attempt is asked about at the provider first (a lost notification must not
    expire a paid order), and closed there too (so it cannot be paid later).
    """
    from payments import services as payments

    cutoff = timezone.now() - _seconds("PAYMENT_TIMEOUT")
    expired = 0
    for order in Order.objects.filter(status=S.AWAITING_PAYMENT, created_at__lt=cutoff):
        if payments.paid_at_provider(order=order):
            continue
        if expire_order(order_id=order.pk):
            payments.cancel_open_payments(order=order)
            expired += 1
    return expired


def change_order(*, order_id: int) -> bool:
    """The customer changes an unpaid order ("Change the order"): it closes, like one that
    expired, and its open payment attempts are cancelled at the provider, so it neither stays
    "awaiting payment" nor can be paid later. Nothing happens to an order no longer waiting
    for payment or with money already paid for it (the provider is asked, as on expiry).
    """
    from payments import services as payments
    from payments.models import Payment

    order = Order.objects.filter(pk=order_id, status=S.AWAITING_PAYMENT).first()
    if order is None:
        return False
    unpaid = (Payment.Status.PENDING, Payment.Status.FAILED, Payment.Status.EXPIRED)
    if order.payments.exclude(status__in=unpaid).exists() or payments.paid_at_provider(order=order):
        return False
    if not expire_order(order_id=order.pk, actor="customer", message="Changed by the customer"):
        return False
    payments.cancel_open_payments(order=order)
    return True


def note_late_payment(*, order_id: int, message: str, actor: str = "payment") -> None:
    """A payment event on a closed order (paid after it expired, and its refund): noted in its
    timeline, and its page shows it."""
    status, number = Order.objects.filter(pk=order_id).values_list("status", "number").get()
    _note(order_id, status=status, actor=actor, message=message)
    order_changed(number)


# --- back office ---------------------------------------------------------------------------

# The receipt email that fits each final status.
RECEIPT_KINDS = {S.SUCCESS: "success", S.FAILED: "failed", S.REFUNDED: "refunded"}


def resend_receipt(*, order_id: int, actor: str) -> bool:
    """Email the customer the receipt for the order's outcome again; noted in its timeline.

    False when the order has no outcome yet, no email address, or the mail could not be sent.
    """
    order = Order.objects.filter(pk=order_id).only("status", "contact_email").first()
    kind = RECEIPT_KINDS.get(order.status) if order else None
    if kind is None or not order.contact_email:
        return False
    if not notifications.notify(order_id, kind):
        return False
    _note(order_id, status=order.status, actor=actor, message=f"Receipt email ({kind}) sent again.")
    return True
