"""Order reads for customer pages: what a customer may see of an order, in plain words."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .models import Order

S = Order.Status

# What each status means to a customer (the internal event messages stay internal).
CUSTOMER_WORDS = {
    S.AWAITING_PAYMENT: _("Order placed, waiting for payment"),
    S.PAID: _("Payment received"),
    S.SUBMITTING: _("Sent to our supplier"),
    S.PROCESSING: _("Being processed"),
    S.SUCCESS: _("Top-up delivered"),
    S.FAILED: _("Top-up failed"),
    S.REFUNDED: _("Money refunded"),
    S.EXPIRED: _("Payment time ran out"),
    S.NEEDS_REVIEW: _("Being checked by our team"),
}
# Statuses a customer waits on, and how often the page asks again (seconds).
LIVE_REFRESH = {
    S.AWAITING_PAYMENT: 3,
    S.PAID: 2,
    S.SUBMITTING: 2,
    S.PROCESSING: 2,
    S.FAILED: 2,
    S.NEEDS_REVIEW: 15,
}


@dataclass(frozen=True)
class Step:
    time: datetime
    status: str
    words: str


def order_for_customer(number: str) -> Order | None:
    return (
        Order.objects.select_related("variant__product")
        .prefetch_related("events")
        .filter(number=number)
        .first()
    )


def find_order(*, number: str, contact: str, phone: str = "") -> Order | None:
    """The order only when the contact matches; nothing tells which part was wrong."""
    order = Order.objects.filter(number=number).first()
    if order is None:
        return None
    email_matches = bool(order.contact_email) and order.contact_email.lower() == contact.lower()
    phone_matches = bool(order.contact_phone) and bool(phone) and order.contact_phone == phone
    return order if email_matches or phone_matches else None


def timeline(order: Order) -> list[Step]:
    """Each status the order reached, once, in order (retries are not the customer's concern)."""
    seen, steps = set(), []
    for event in order.events.all():
        if event.to_status in seen or event.to_status == S.SUBMITTING:
            continue
        seen.add(event.to_status)
        steps.append(Step(event.created_at, event.to_status, CUSTOMER_WORDS[event.to_status]))
    return steps


def refresh_seconds(order: Order) -> int | None:
    return LIVE_REFRESH.get(order.status)


def masked_email(email: str) -> str:
    if "@" not in email:
        return ""
    name, domain = email.split("@", 1)
    return f"{name[:2]}{'•' * max(len(name) - 2, 3)}@{domain}"


def masked_phone(phone: str) -> str:
    return f"{phone[:5]}{'•' * max(len(phone) - 8, 3)}{phone[-3:]}" if phone else ""
