"""Payment reads for other apps and customer pages (orders asks here, never reads payment
rows itself)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from orders.models import Order

from .models import Payment

P = Payment.Status


def paid_with(order: Order) -> Payment | None:
    """The payment the order was paid with (not a late second attempt)."""
    if not order.payment_reference:
        return None
    return order.payments.filter(reference=order.payment_reference).first()


def refund_choice(order: Order) -> Payment | None:
    """The payment of a failed order whose customer may still choose where the money goes back
    (their balance at once, or the original method): a logged-in customer's order paid through
    a gateway (not the balance), whose refund has not started (the payment is still paid).
    None otherwise. The choice is taken by one conditional UPDATE of this payment (from paid):
    whichever of the customer and the automatic refund comes first wins, never both."""
    if order.status != Order.Status.FAILED or order.customer_id is None:
        return None
    payment = paid_with(order)
    if payment is None or payment.provider == "wallet" or payment.status != P.PAID:
        return None
    return payment


def refunded_to_balance(order: Order) -> bool:
    """A refunded order whose money went back to the customer's balance (paid from it, or the
    customer chose it)."""
    if order.status != Order.Status.REFUNDED:
        return False
    payment = paid_with(order)
    return payment is not None and (payment.refunded_to_wallet or payment.provider == "wallet")


def refund_retried_until(payment: Payment) -> datetime:
    """About when payments.sweep_refunds stops retrying a refunding payment: each try left
    waits PAYMENT_REFUND_STUCK_AFTER, then one more wait before it is marked refund due."""
    from .services import REFUND_TRIES

    tries_left = max(REFUND_TRIES - payment.refund_attempts, 0)
    sweep_every = settings.CELERY_BEAT_SCHEDULE.get("sweep-payment-refunds", {}).get("schedule")
    waits = (tries_left + 1) * settings.PAYMENT_REFUND_STUCK_AFTER + float(sweep_every or 60)
    return payment.updated_at + timedelta(seconds=waits)


def refund_in_progress(*, order: Order) -> str:
    """While the refund of the order's payment is retried automatically, what the order shows
    (nobody is to act: a refund by hand now could refund twice); "" otherwise."""
    payment = paid_with(order)
    if payment is None or payment.status != P.REFUNDING:
        return ""
    until = timezone.localtime(refund_retried_until(payment))
    return (
        f"Refund in progress: the refund of payment {payment.reference} (Rp {payment.amount}) "
        f"is retried automatically with {payment.provider} (until about "
        f"{until:%Y-%m-%d %H:%M}); do nothing. If it does not go through, this order says "
        "refund due."
    )


def refund_due_reason(*, order: Order) -> str:
    """Why the money of a failed order is not back, as a person would act on it. Only for a
    refund no machine retries any more (see refund_in_progress)."""
    payment = paid_with(order)
    if payment is not None and payment.status == P.REFUND_DUE:
        why = payment.refund_due_reason or f"{payment.provider} did not refund it"
        return (
            f"Payment {payment.reference} (Rp {payment.amount}) was not refunded: {why}. "
            f"Refund Rp {payment.amount} to the customer by hand, then use the admin action "
            "Refunded by hand."
        )
    if payment is None or payment.status != P.PAID:
        return (
            "No captured payment was found for this order: check the payment provider, "
            "and refund by hand if the customer was charged (then the action Refunded by hand)."
        )
    return "The refund did not go through: refund by hand, then the action Refunded by hand."


def refunds_to_follow(*, not_started_before: datetime, limit: int) -> list[int]:
    """Failed orders the order side of the refund flow has to act on, oldest first.

    - the refund of the payment it was paid with reached refunded (the order follows), or
      refund due since the order last noted it (the order says so, with the reason);
    - its refund was never started, for longer than `not_started_before` (a worker died
      between "failed" and the refund).
    Orders whose payment is refunding are not here: payments.sweep_refunds retries those.
    Each order taken leaves this set once acted on, so newer ones are never starved.
    """
    payment = Payment.objects.filter(order=OuterRef("pk"), reference=OuterRef("payment_reference"))
    orders = Order.objects.filter(status=Order.Status.FAILED).annotate(
        payment_status=Subquery(payment.values("status")[:1]),
        payment_changed_at=Subquery(payment.values("updated_at")[:1]),
    )
    newly_due = Q(payment_status=P.REFUND_DUE) & (
        Q(refund_due_reason="") | Q(updated_at__lt=F("payment_changed_at"))
    )
    not_started = Q(refund_due_reason="", updated_at__lt=not_started_before) & (
        Q(payment_status__isnull=True) | ~Q(payment_status__in=[P.REFUNDING, P.REFUND_DUE])
    )
    follow = orders.filter(Q(payment_status=P.REFUNDED) | newly_due | not_started)
    return list(follow.order_by("updated_at", "pk").values_list("pk", flat=True)[:limit])


def late_payment(order: Order) -> str | None:
    """For an expired order that was paid anyway: "refunded" once the money went back,
    "refund" while it is on its way back (or due by hand); None otherwise."""
    if order.status != Order.Status.EXPIRED:
        return None
    statuses = set(order.payments.values_list("status", flat=True))
    if P.REFUNDED in statuses:
        return "refunded"
    if statuses & {P.PAID, P.REFUNDING, P.REFUND_DUE}:
        return "refund"
    return None


# --- the checkout's payment method picker ----------------------------------------------------

# The groups as customers know them, in the picker's order; the providers without channels
# (the sandbox, Midtrans' own page, the balance) come last, under "Other".
PICKER_GROUPS = ("QRIS", "E-Wallet", "Virtual Account", "Convenience Store", "")


@dataclass(frozen=True)
class PaymentMethod:
    value: str  # the form's value: a provider name, or "tripay:<channel code>"
    label: str
    group: str = ""  # a TripayChannel.Group value; "" for a provider without channels
    group_label: str = ""
    fee: str = ""  # as customers read it, e.g. "Rp 750 + 0,7%"; "" for none
    fee_flat: int = 0
    fee_percent: str = "0"
    fee_bp: int = 0  # the percent in basis points (0,7% -> 70): the page's sums stay whole
    min_fee: int | None = None
    max_fee: int | None = None
    customer_pays: bool = False


def payment_methods(providers, *, price: int | None = None) -> list[PaymentMethod]:
    """The picker's methods, grouped: each Tripay channel the shop offers (else Tripay once, on
    its default channel, until the channel list is first refreshed), then the other providers.
    With `price` (an order's), only the channels whose minimum and maximum amount take its
    total."""
    from .fees import accepts, customer_fee, fee_text
    from .models import TripayChannel

    methods = []
    for provider in providers:
        channels = []
        if provider.name == "tripay":
            channels = list(
                TripayChannel.objects.filter(
                    active=True,
                    offered_by_tripay=True,
                    # Tripay's own fee on the customer would make the total more than shown.
                    tripay_customer_fee_flat=0,
                    tripay_customer_fee_percent=0,
                )
            )
            if price is not None:
                channels = [c for c in channels if accepts(c, price + customer_fee(c, price))]
        if not channels:
            methods.append(PaymentMethod(value=provider.name, label=str(provider.label)))
            continue
        methods += [
            PaymentMethod(
                value=f"tripay:{channel.code}",
                label=channel.name,
                group=channel.group,
                group_label=channel.get_group_display(),
                fee=fee_text(channel),
                fee_flat=channel.fee_flat,
                fee_percent=str(channel.fee_percent),
                fee_bp=int(channel.fee_percent * 100),
                min_fee=channel.minimum_fee,
                max_fee=channel.maximum_fee,
                customer_pays=channel.fee_paid_by == TripayChannel.Payer.CUSTOMER,
            )
            for channel in channels
        ]
    return sorted(methods, key=lambda method: PICKER_GROUPS.index(method.group))


def failover_methods(failed: str, *, price: int | None = None) -> list[PaymentMethod]:
    """When `failed` (a provider) cannot start a payment: the other gateways' methods (with
    `price`, those that take the order's total)."""
    from .providers import enabled_providers

    return payment_methods([p for p in enabled_providers() if p.name != failed], price=price)


def open_direct_payment(order: Order) -> Payment | None:
    """The open attempt of an unpaid order whose pay code or QRIS is shown on the order page."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        return None
    return (
        order.payments.filter(status=P.PENDING)
        .exclude(pay_code="", qr_string="")
        .order_by("-created_at")
        .first()
    )
