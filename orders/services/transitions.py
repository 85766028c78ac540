"""Every status change, and the small helpers the other modules share.

A status change is one conditional UPDATE (`… WHERE status = expected`) plus its event, in one
transaction, and only along Order.TRANSITIONS: two workers racing for the same order cannot
both win, and a second delivery of the same task finds nothing to move. The row, not the
Celery message, is the truth. _transition moves one order, _transition_many a chunk of them
that make the same move (a poll tick's answers): the same path, one UPDATE per chunk.
"""

import logging
from collections.abc import Collection
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import Expression
from django.utils import timezone

from notifications import services as notifications
from storefront.celery import schedule  # noqa: F401  (re-exported: the one way to queue a task)

from ..cache import orders_changed
from ..models import TRANSITIONS, IllegalTransition, Order, OrderEvent

logger = logging.getLogger(__name__)

# An order reaching one of these gives back what it took of promotions' quotas.
QUOTA_BACK = frozenset({Order.Status.EXPIRED, Order.Status.FAILED, Order.Status.REFUNDED})


def _transition(
    order_id: int,
    *,
    from_: str,
    to: str,
    actor: str,
    message: str = "",
    where: Q | Expression | None = None,
    **fields,
) -> bool:
    """Move the order from `from_` to `to` if it is still `from_`; True when it moved.

    `where`: a further condition the order must meet to move (e.g. refund due). A move
    Order.TRANSITIONS does not allow raises IllegalTransition before the database is touched.
    One order through _transition_many: one path for every status change.
    """
    return bool(
        _transition_many(
            [order_id], from_=from_, to=to, actor=actor, message=message, where=where, **fields
        )
    )


def _transition_many(
    order_ids: Collection[int],
    *,
    from_: str,
    to: str,
    actor: str,
    message: str = "",
    where: Q | Expression | None = None,
    **fields,
) -> list[int]:
    """Move every order of `order_ids` that is still `from_` to `to`; the ids that moved.

    One transaction: the orders still `from_` (and meeting `where`) are locked, then moved by
    one conditional UPDATE, each with its event and outbox rows. An order that moved
    meanwhile is left out: it gets no event, no message, and is not in the result, so what
    callers do for the moved ones (a refund, saving the game account) happens once. The
    same fields and message for all of them (a poll tick groups its answers by status word).
    """
    if to not in TRANSITIONS.get(from_, ()):
        raise IllegalTransition(from_, to)
    if not order_ids:
        return []
    now = timezone.now()
    with transaction.atomic():
        rows = Order.objects.filter(status=from_)
        if where is not None:
            rows = rows.filter(where)
        # Locked in pk order (two workers never deadlock), so the UPDATE below moves exactly
        # these rows. SQLite has no row locks, but its IMMEDIATE transactions (settings)
        # hold the write lock from the start: nobody moves a row in between either.
        movable = list(
            rows.filter(pk__in=order_ids)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", "number", "reference_number")
        )
        if not movable:
            return []
        ids = [pk for pk, _number, _reference in movable]
        # By key alone: the locked rows cannot change, and `where` was read under the lock (a
        # second read of it here could see a change committed meanwhile to another table).
        moved = Order.objects.filter(pk__in=ids).update(status=to, updated_at=now, **fields)
        if moved != len(ids):  # never with the rows locked: undo all rather than guess
            raise RuntimeError(f"{len(ids)} orders locked to move {from_} -> {to}, {moved} moved")
        OrderEvent.objects.bulk_create(
            OrderEvent(
                order_id=pk,
                created_at=now,
                from_status=from_,
                to_status=to,
                actor=actor,
                message=message[:2000],
            )
            for pk in ids
        )
        # The messages it causes (customer, owner), in the same transaction: an outbox.
        notifications.orders_transitioned(order_ids=ids, from_=from_, to=to)
        if to in QUOTA_BACK:  # a promo code's use goes back to its quota
            from promotions.services import release_quotas

            for pk in ids:
                release_quotas(order_id=pk)
    orders_changed([number for _pk, number, _reference in movable])
    for pk, number, reference in movable:
        logger.info(
            "order %s: %s -> %s (%s) %s",
            pk,
            from_,
            to,
            actor,
            message,
            extra={"order": number, "reference": reference},
        )
    return ids


def _note(order_id: int, *, status: str, actor: str, message: str) -> None:
    """An event that is not a transition (a refund that has to be done by hand)."""
    OrderEvent.objects.create(
        order_id=order_id, from_status=status, to_status=status, actor=actor, message=message
    )


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


def on_success(order_id: int) -> None:
    on_success_many([order_id])


def on_success_many(order_ids: list[int]) -> None:
    """After orders' success commits: each logged-in customer's game account is saved
    (accounts.services.remember_game_accounts), once per order as its success happens once.
    Its failure never undoes the success."""
    if not order_ids:
        return

    def remember() -> None:
        from accounts.services import remember_game_accounts

        remember_game_accounts(order_ids=order_ids)

    transaction.on_commit(remember)
