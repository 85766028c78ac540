"""Asking isipay about processing orders until their outcome is final.

A beat tick leases the due orders (poll_due), each is asked about once (poll_order), and is
either moved to its outcome or given its next poll time with backoff.
"""

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from enum import StrEnum

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
from .transitions import _seconds, _transition, on_success, schedule

logger = logging.getLogger(__name__)
S = Order.Status


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
    """Poll due orders, batch by batch, while the time budget lasts; returns how many.

    Up to ORDER_POLL_CONCURRENCY status calls wait on isipay at once, in threads that only
    wait on the network; every read and write stays in this thread. The budget is checked
    before each call: with isipay slow, one batch can take far longer than the task may run.
    What is left of a batch is given back, due at once, rather than left leased for
    ORDER_POLL_LEASE (also when the task is stopped mid-batch).
    """
    deadline = timezone.now() + timedelta(seconds=time_budget)
    polled = 0
    with ThreadPoolExecutor(settings.ORDER_POLL_CONCURRENCY, "order-poll") as pool:
        while timezone.now() < deadline:
            batch, until = _lease_due(limit=settings.ORDER_POLL_BATCH)
            done: set[int] = set()
            try:
                _poll_batch(batch, client=client, pool=pool, deadline=deadline, done=done)
            finally:
                _release_lease([pk for pk in batch if pk not in done], until=until)
            polled += len(done)
            if len(done) < len(batch) or len(batch) < settings.ORDER_POLL_BATCH:
                break
    return polled


def _poll_batch(
    batch: list[int],
    *,
    client: isipay.IsipayClient,
    pool: ThreadPoolExecutor,
    deadline: datetime,
    done: set[int],
) -> None:
    """Ask about each leased order, in lease order; `done` collects the ones handled."""
    orders = Order.objects.filter(pk__in=batch, status=S.PROCESSING).in_bulk()
    done.update(pk for pk in batch if pk not in orders)  # final meanwhile: nothing to ask
    waiting = [orders[pk] for pk in batch if pk in orders]
    in_flight: dict[Future, Order] = {}
    try:
        while waiting or in_flight:
            while (
                waiting
                and len(in_flight) < settings.ORDER_POLL_CONCURRENCY
                and timezone.now() < deadline
            ):
                order = waiting.pop(0)
                in_flight[pool.submit(_ask, client, order.invoice_number)] = order
            if not in_flight:
                return  # out of time: the rest is given back
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                order = in_flight.pop(future)
                _record_poll(order, future.result())
                done.add(order.pk)
    finally:
        for future in in_flight:
            future.cancel()


def poll_order(*, order_id: int, client: isipay.IsipayClient) -> PollOutcome:
    order = Order.objects.filter(pk=order_id, status=S.PROCESSING).first()
    if order is None:
        return PollOutcome.NOT_PROCESSING
    return _record_poll(order, _ask(client, order.invoice_number))


def _ask(client: isipay.IsipayClient, invoice: str) -> isipay.OrderStatus | isipay.IsipayError:
    """isipay's status of one invoice, or the error instead (runs in a poll thread: no ORM)."""
    try:
        return client.status(invoice)
    except isipay.IsipayError as exc:
        return exc


def _record_poll(order: Order, answer: isipay.OrderStatus | isipay.IsipayError) -> PollOutcome:
    if isinstance(answer, isipay.IsipayError):
        return _poll_again(order, word=None, note=str(answer))
    outcome = status_map().outcome(answer.status_word)
    word = answer.status_word[:50]
    now = timezone.now()
    if outcome in (isipay.Outcome.SUCCESS, isipay.Outcome.FAILED):
        succeeded = outcome is isipay.Outcome.SUCCESS
        if _transition(
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
                on_success(order.pk)
            else:
                refund_order(order_id=order.pk)
        return PollOutcome.SUCCESS if succeeded else PollOutcome.FAILED
    return _poll_again(order, word=word, unknown=outcome is isipay.Outcome.UNKNOWN)


def _poll_again(
    order: Order, *, word: str | None, unknown: bool = False, note: str = ""
) -> PollOutcome:
    now = timezone.now()
    if order.submitted_at and now - order.submitted_at > _seconds("ORDER_PROCESSING_MAX_AGE"):
        _to_review(order, f"Still not final at isipay after {now - order.submitted_at}.")
        return PollOutcome.REVIEW
    since = order.supplier_status_since
    if word is not None and word != order.supplier_status:
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
        return PollOutcome.REVIEW
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
            "order %s: status poll failed, next in %.0f s: %s",
            order.number,
            delay,
            note,
            extra=order_context(order),
        )
    return PollOutcome.PENDING


def repoll_now(*, order_id: int) -> bool:
    moved = Order.objects.filter(pk=order_id, status=S.PROCESSING).update(
        next_poll_at=timezone.now()
    )
    if moved:
        schedule("orders.poll_order", order_id)
    return bool(moved)
