"""Order reads for customer pages: what a customer may see of an order, in plain words;
and the back office's CSV export."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .models import ACTUAL_COST, Order

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


def change_order_url(order: Order) -> str:
    """The game page with this order's item and account filled in ("Change the order").

    The query carries only the item code and the account fields, which the order page shows
    anyway; the game page renders such a request afresh and never caches it.
    """
    prefill = {"item": order.variant_code}
    prefill |= {f"account_{name}": value for name, value in order.account.items()}
    slug = order.variant.product.slug
    return f"{reverse('catalog:game', args=[slug])}?{urlencode(prefill)}"


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
        status = S(event.to_status)
        steps.append(Step(event.created_at, status, str(CUSTOMER_WORDS[status])))
    return steps


def refresh_seconds(order: Order) -> int | None:
    return LIVE_REFRESH.get(S(order.status))


def masked_email(email: str) -> str:
    if "@" not in email:
        return ""
    name, domain = email.split("@", 1)
    return f"{name[:2]}{'•' * max(len(name) - 2, 3)}@{domain}"


def masked_phone(phone: str) -> str:
    return f"{phone[:5]}{'•' * max(len(phone) - 8, 3)}{phone[-3:]}" if phone else ""


# --- back office ---------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("number", "number"),
    ("created_at", "created_at"),
    ("status", "status"),
    ("product_code", "game_code"),
    ("product_name", "game"),
    ("variant_code", "item_code"),
    ("variant_name", "item"),
    ("price", "price"),
    ("tier_name", "tier"),
    ("base_price", "base_price"),
    ("sale_price", "sale_price"),
    ("promo_code", "promo_code"),
    ("promo_discount", "promo_discount"),
    ("payment_fee", "payment_fee"),
    ("subsidy_cost", "subsidy_cost"),
    ("cost", "cost"),
    ("profit", "profit"),
    ("data", "account"),
    ("contact_email", "email"),
    ("contact_phone", "phone"),
    ("reference_number", "reference"),
    ("invoice_number", "invoice"),
    ("supplier_status", "supplier_status"),
    ("payment_provider", "payment_provider"),
    ("payment_reference", "payment_reference"),
    ("paid_at", "paid_at"),
    ("submitted_at", "submitted_at"),
    ("completed_at", "completed_at"),
    ("review_reason", "review_reason"),
    ("quoted_cost", "quoted_cost"),
    ("refund_due_reason", "refund_due_reason"),
)
# Columns computed in the query: cost is what isipay charged at placement (else the quote).
_COMPUTED = {
    "cost": ACTUAL_COST,
    "profit": F("price") - ACTUAL_COST - F("payment_gateway_fee"),
    "quoted_cost": F("cost"),
}
# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_header() -> list[str]:
    return [title for _name, title in EXPORT_COLUMNS]


def export_rows(orders: QuerySet[Order]) -> Iterator[list]:
    """The orders as CSV rows: money as integer rupiah, times in the shop's time zone, and
    customer-typed text made inert for spreadsheets. Streams in chunks, whatever the count."""
    fields = [name for name, _title in EXPORT_COLUMNS if name not in _COMPUTED]
    computed = {f"computed_{name}": value for name, value in _COMPUTED.items()}
    rows = orders.annotate(**computed).values_list(*fields, *computed)
    for values in rows.iterator(chunk_size=2000):
        record = dict(zip([*fields, *_COMPUTED], values, strict=True))
        yield [_cell(record[name]) for name, _title in EXPORT_COLUMNS]


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def account_lines(order: Order) -> list[tuple[str, str]]:
    """The game account as the customer typed it, with the game's own field labels."""
    labels = {
        spec["name"]: spec.get("label", spec["name"])
        for spec in order.variant.product.account_fields
    }
    return [(labels.get(name, name), value) for name, value in order.account.items()]


def receipt(order: Order) -> dict:
    """What the receipt says, on the printable page and in the email alike
    (templates/orders/_receipt.html)."""
    from payments.providers import get_provider

    try:
        paid_with = get_provider(order.payment_provider).label
    except ValueError:
        paid_with = order.payment_provider
    return {
        "order": order,
        "account": account_lines(order),
        "paid_with": paid_with,
    }
