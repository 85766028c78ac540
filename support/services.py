"""Writes for Support's notes on orders."""

from django.utils import timezone

from orders.models import Order

from .models import OrderNote


def file_complaint(*, order: Order, topic: str, text: str, contact: str = "") -> OrderNote:
    """The customer's complaint, as a note on the order for Support to pick up."""
    return OrderNote.objects.create(
        order=order,
        kind=OrderNote.Kind.COMPLAINT,
        topic=topic,
        text=text.strip(),
        contact=contact.strip(),
    )


def mark_handled(*, note_ids: list[int]) -> int:
    """Handled now, once: a note already handled keeps its time."""
    return OrderNote.objects.filter(pk__in=note_ids, handled_at=None).update(
        handled_at=timezone.now()
    )
