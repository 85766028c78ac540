"""What a person decides about one order: an order under review, a receipt sent again."""

from django.utils import timezone

from notifications import services as notifications

from ..models import Order
from .refunds import refund_order
from .transitions import _note, _transition, on_success

S = Order.Status


def _to_review(order: Order, reason: str) -> bool:
    return _transition(
        order.pk,
        from_=order.status,
        to=S.NEEDS_REVIEW,
        actor="system",
        message=reason,
        review_reason=reason,
        next_poll_at=None,
    )


def resolve_review(*, order_id: int, success: bool, note: str, actor: str) -> bool:
    """A person decides an order under review: delivered (success) or not (failed → refund)."""
    to = S.SUCCESS if success else S.FAILED
    moved = _transition(
        order_id,
        from_=S.NEEDS_REVIEW,
        to=to,
        actor=actor,
        message=f"Resolved by hand: {note}".strip(),
        completed_at=timezone.now(),
    )
    if moved and success:
        on_success(order_id)
    elif moved:
        refund_order(order_id=order_id, actor=actor)
    return moved


# The receipt email that fits each final status.
RECEIPT_KINDS = {S.SUCCESS: "success", S.FAILED: "failed", S.REFUNDED: "refunded"}


def resend_receipt(*, order_id: int, actor: str) -> bool:
    """Email the customer the receipt for the order's outcome again; noted in its timeline.

    The mail goes out through the outbox (notifications), as a new row of the message log.
    False when the order has no outcome yet, no email address, or e-mail is switched off.
    """
    order = Order.objects.filter(pk=order_id).only("status", "contact_email").first()
    if order is None or not order.contact_email:
        return False
    kind = RECEIPT_KINDS.get(S(order.status))
    if kind is None:
        return False
    if not notifications.resend_order_receipt(order_id=order_id, kind=kind):
        return False
    _note(order_id, status=order.status, actor=actor, message=f"Receipt email ({kind}) sent again.")
    return True
