"""Asking isipay about processing orders until their outcome is final.

A beat tick leases the due orders (poll_due), each is asked about once, and the answers are
written in chunks (_record_polls): each order is moved to its outcome or given its next poll
time with backoff. poll_order asks about one order, through the same path.
"""

import logging
from collections import defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from enum import StrEnum
from time import monotonic

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

import isipay
from storefront.logging import order_context
from storefront.supplier import status_map

from ..models import Order
from .refunds import refund_order
from .review import _to_review
from .transitions import _seconds, _transition_many, on_success_many, schedule

logger = logging.getLogger(__name__)
S = Order.Status

# Answers are written this many at a time, or once the oldest has waited RECORD_WAIT seconds
# (or no call is left in flight): a chunk costs about what one answer did.
RECORD_CHUNK = 100
RECORD_WAIT = 1.0


class PollOutcome(StrEnum):
    """What one poll_order call found (for logs and tests; equal to the old bare strings)."""

    NOT_PROCESSING = "not-processing"  # not processing (any more): nothing asked
    SUCCESS = "success"
    FAILED = "failed"  # failed at isipay: refund started
    PENDING = "pending"  # not final yet: asked again later
    REVIEW = "review"  # not final for too long, or an unknown status word


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
    """Poll due orders while the time budget lasts; returns how many were handled.

    Up to ORDER_POLL_CONCURRENCY status calls wait on isipay at once, in threads that only
    wait on the network; every read and write stays in this thread. The next batch is leased
    as soon as the last one's orders are all asked, so the calls in flight do not drain at
    each batch's end. Answers are recorded in chunks (_record_polls: one UPDATE for a chunk's
    successes, one for its orders asked again later), while the next calls already wait on
    isipay: recording one answer at a time, ~9 queries each, was the limit, not isipay.

    The budget is checked before each call: with isipay slow, one batch can take far longer
    than the task may run. What is left leased and unrecorded is given back, due at once,
    rather than left leased for ORDER_POLL_LEASE (also when the task is stopped mid-batch).
    """
    deadline = timezone.now() + timedelta(seconds=time_budget)
    leased: dict[int, datetime] = {}  # leased and not recorded yet: pk -> lease end
    waiting: deque[Order] = deque()
    in_flight: dict[Future, Order] = {}
    answers: list[tuple[Order, Answer]] = []
    first_answer_at = 0.0  # monotonic time the oldest unrecorded answer came
    more_due = True  # the last lease was full: more orders may be due
    polled = 0
    with ThreadPoolExecutor(settings.ORDER_POLL_CONCURRENCY, "order-poll") as pool:
        try:
            while True:
                while len(in_flight) < settings.ORDER_POLL_CONCURRENCY:
                    if timezone.now() >= deadline:
                        break
                    if not waiting:
                        if not more_due:
                            break
                        batch, until = _lease_due(limit=settings.ORDER_POLL_BATCH)
                        more_due = len(batch) == settings.ORDER_POLL_BATCH
                        orders = Order.objects.filter(pk__in=batch, status=S.PROCESSING).in_bulk()
                        leased.update((pk, until) for pk in orders)
                        polled += len(batch) - len(orders)  # final meanwhile: nothing to ask
                        waiting.extend(orders[pk] for pk in batch if pk in orders)
                        continue
                    order = waiting.popleft()
                    in_flight[pool.submit(_ask, client, order.invoice_number)] = order
                if answers and (
                    not in_flight
                    or len(answers) >= RECORD_CHUNK
                    or monotonic() - first_answer_at >= RECORD_WAIT
                ):
                    _record_polls(answers)
                    for order, _answer in answers:
                        del leased[order.pk]
                    polled += len(answers)
                    answers = []
                if not in_flight:
                    return polled  # all asked, or out of time: the rest is given back
                timeout = RECORD_WAIT - (monotonic() - first_answer_at) if answers else None
                finished, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
                if finished and not answers:
                    first_answer_at = monotonic()
                answers.extend((in_flight.pop(future), future.result()) for future in finished)
        finally:
            for future in in_flight:
                future.cancel()
            _release_leases(leased)


def _release_leases(leased: dict[int, datetime]) -> None:
    by_end: dict[datetime, list[int]] = defaultdict(list)
    for pk, until in leased.items():
        by_end[until].append(pk)
    for until, order_ids in by_end.items():
        _release_lease(order_ids, until=until)


def poll_order(*, order_id: int, client: isipay.IsipayClient) -> PollOutcome:
    order = Order.objects.filter(pk=order_id, status=S.PROCESSING).first()
    if order is None:
        return PollOutcome.NOT_PROCESSING
    return _record_polls([(order, _ask(client, order.invoice_number))])[order.pk]


Answer = isipay.OrderStatus | isipay.IsipayError


def _ask(client: isipay.IsipayClient, invoice: str) -> Answer:
    """isipay's status of one invoice, or the error instead (runs in a poll thread: no ORM)."""
    try:
        return client.status(invoice)
    except isipay.IsipayError as exc:
        return exc


def _record_polls(answers: list[tuple[Order, Answer]]) -> dict[int, PollOutcome]:
    """What isipay answered about these orders, written: each order's outcome by pk.

    Final answers move their orders in one _transition_many per (outcome, status word); only
    the orders still processing move, and only those are refunded or have their game account
    saved, once. The rest are asked again later (_poll_again).
    """
    words = status_map()
    now = timezone.now()
    outcomes: dict[int, PollOutcome] = {}
    finals: dict[tuple[str, str], list[int]] = defaultdict(list)
    again: list[tuple[Order, str | None, bool, str]] = []
    for order, answer in answers:
        if isinstance(answer, isipay.IsipayError):
            again.append((order, None, False, str(answer)))
            continue
        outcome = words.outcome(answer.status_word)
        word = answer.status_word[:50]
        if outcome is isipay.Outcome.SUCCESS:
            finals[S.SUCCESS, word].append(order.pk)
            outcomes[order.pk] = PollOutcome.SUCCESS
        elif outcome is isipay.Outcome.FAILED:
            finals[S.FAILED, word].append(order.pk)
            outcomes[order.pk] = PollOutcome.FAILED
        else:
            again.append((order, word, outcome is isipay.Outcome.UNKNOWN, ""))
    for (to, word), order_ids in finals.items():
        moved = _transition_many(
            order_ids,
            from_=S.PROCESSING,
            to=to,
            actor="isipay",
            message=f"isipay reports {word}.",
            supplier_status=word,
            completed_at=now,
            next_poll_at=None,
        )
        if to == S.SUCCESS:
            on_success_many(moved)
        else:
            for order_id in moved:
                refund_order(order_id=order_id)
    outcomes.update(_poll_again(again))
    return outcomes


def _poll_again(
    orders: list[tuple[Order, str | None, bool, str]],
) -> dict[int, PollOutcome]:
    """Orders not final yet, each (order, status word or None after an error, unknown word,
    error note): asked again after their backoff, one UPDATE per (backoff, new word); those
    not final for too long go to review."""
    now = timezone.now()
    outcomes: dict[int, PollOutcome] = {}
    groups: dict[tuple[float, str | None], list[int]] = defaultdict(list)
    for order, word, unknown, note in orders:
        if order.submitted_at and now - order.submitted_at > _seconds("ORDER_PROCESSING_MAX_AGE"):
            _to_review(order, f"Still not final at isipay after {now - order.submitted_at}.")
            outcomes[order.pk] = PollOutcome.REVIEW
            continue
        since = order.supplier_status_since
        new_word = word if word is not None and word != order.supplier_status else None
        if new_word is not None:
            since = now
            if unknown:
                logger.warning(
                    "order %s: isipay status word %r is not known",
                    order.number,
                    word,
                    extra=order_context(order),
                )
        if unknown and since and now - since > _seconds("ORDER_UNKNOWN_STATUS_REVIEW_AFTER"):
            _to_review(order, f'isipay keeps answering the unknown status "{word}".')
            outcomes[order.pk] = PollOutcome.REVIEW
            continue
        delay = min(
            settings.ORDER_POLL_BACKOFF_BASE * 2 ** min(order.poll_count, 20),
            settings.ORDER_POLL_BACKOFF_CAP,
        )
        groups[delay, new_word].append(order.pk)
        outcomes[order.pk] = PollOutcome.PENDING
        if note:
            logger.info(
                "order %s: status poll failed, next in %.0f s: %s",
                order.number,
                delay,
                note,
                extra=order_context(order),
            )
    for (delay, new_word), order_ids in groups.items():
        word_change: dict[str, object] = {}
        if new_word is not None:
            word_change = {"supplier_status": new_word, "supplier_status_since": now}
        Order.objects.filter(pk__in=order_ids, status=S.PROCESSING).update(
            poll_count=F("poll_count") + 1,
            next_poll_at=now + timedelta(seconds=delay),
            updated_at=now,
            **word_change,
        )
    return outcomes


def repoll_now(*, order_id: int) -> bool:
    moved = Order.objects.filter(pk=order_id, status=S.PROCESSING).update(
        next_poll_at=timezone.now()
    )
    if moved:
        schedule("orders.poll_order", order_id)
    return bool(moved)
