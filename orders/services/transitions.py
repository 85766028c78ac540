"""Every status change, and the small helpers the other modules share.

A status change is one conditional UPDATE (`… WHERE status = expected`) plus its event, in one
transaction, and only along Order.TRANSITIONS: two workers racing for the same order cannot
both win, and a second delivery of the same task finds nothing to move. The row, not the
Celery message, is the truth.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Exists, Q
from django.utils import timezone

from notifications import services as notifications
from storefront.celery import schedule  # noqa: F401  (re-exported: the one way to queue a task)

from ..cache import order_changed
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
    where: Q | Exists | None = None,
    **fields,
) -> bool:
    """Move the order from `from_` to `to` if it is still `from_`; True when it moved.

    One conditional UPDATE plus its event. `where`: a further condition the order must meet
    to move (e.g. refund due). A move Order.TRANSITIONS does not allow raises
    IllegalTransition before the database is touched.
    """
    if to not in TRANSITIONS.get(from_, ()):
        raise IllegalTransition(from_, to)
    now = timezone.now()
    with transaction.atomic():
        rows = Order.objects.filter(pk=order_id, status=from_)
        moved = (rows.filter(where) if where is not None else rows).update(
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
            # The messages it causes (customer, owner), in the same transaction: an outbox.
            notifications.order_transitioned(order_id=order_id, from_=from_, to=to)
            if to in QUOTA_BACK:  # a promo code's use goes back to its quota
                from promotions.services import release_quotas

                release_quotas(order_id=order_id)
            number, reference = (
                Order.objects.filter(pk=order_id).values_list("number", "reference_number").get()
            )
    if moved:
        order_changed(number)
        logger.info(
            "order %s: %s -> %s (%s) %s",
            order_id,
            from_,
            to,
            actor,
            message,
            extra={"order": number, "reference": reference},
        )
    return bool(moved)


def _note(order_id: int, *, status: str, actor: str, message: str) -> None:
    """An event that is not a transition (a refund that has to be done by hand)."""
    OrderEvent.objects.create(
        order_id=order_id, from_status=status, to_status=status, actor=actor, message=message
    )


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


def on_success(order_id: int) -> None:
    """After an order's success commits: a logged-in customer's game account is saved
    (accounts.services.remember_game_account). Its failure never undoes the success."""

    def remember() -> None:
        from accounts.services import remember_game_account

        try:
            remember_game_account(order_id=order_id)
        except DatabaseError:
            logger.exception("order %s: saving the game account failed", order_id)

    transaction.on_commit(remember)
