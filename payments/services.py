"""Payment writes. Payments tell orders "paid" via orders.services; orders ask for refunds here.

Every Payment status change is a conditional update, so a repeated notification, a reload or
two workers at once change nothing twice.
"""

import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from orders import services as order_services
from orders.models import Order

from .models import Payment
from .providers import get_provider, parse_amount, signature_is_valid

logger = logging.getLogger(__name__)
P = Payment.Status


class NotificationRejected(Exception):
    """A webhook we must not act on; the message says why (no secret in it)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def start_payment(*, order: Order) -> Payment:
    """Open a payment attempt; a reload reuses the open one instead of starting a second."""
    open_payment = order.payments.filter(status=P.PENDING).first()
    if open_payment:
        return open_payment
    provider = get_provider(order.payment_provider)
    reference = f"{order.number}-{order.payments.count() + 1}"
    if provider.name == "sandbox":
        # The sandbox page acts on its reference alone: make it impossible to guess, so that
        # nobody can pay, fail or expire another customer's attempt by counting.
        reference = f"{reference}-{secrets.token_urlsafe(24)}"
    finish_url = settings.SITE_URL.rstrip("/") + reverse("orders:detail", args=[order.number])
    started = provider.start(
        reference=reference, amount=order.price, item=order.variant_name, finish_url=finish_url
    )
    return Payment.objects.create(
        order=order,
        provider=provider.name,
        amount=order.price,
        reference=reference,
        redirect_url=started.redirect_url,
        provider_token=started.token,
    )


def confirm_paid(*, payment: Payment, actor: str = "payment") -> bool:
    """The money arrived: record it once and hand the order to fulfilment."""
    with transaction.atomic():
        if not Payment.objects.filter(pk=payment.pk, status=P.PENDING).update(status=P.PAID):
            return False
        if order_services.mark_paid(
            order_id=payment.order_id, payment_reference=payment.reference, actor=actor
        ):
            return True
    # Paid after the order expired (or was paid by another attempt): give the money back.
    order = Order.objects.get(pk=payment.order_id)
    logger.warning("payment %s arrived for order %s in state %s; refunding it",
                   payment.reference, order.number, order.status)  # fmt: skip
    _refund_payment(payment, reason="payment arrived after the order closed")
    return False


def close_payment(*, payment: Payment, status: str) -> bool:
    """A pending attempt failed or expired at the provider."""
    return bool(Payment.objects.filter(pk=payment.pk, status=P.PENDING).update(status=status))


def cancel_open_payments(*, order: Order) -> int:
    return order.payments.filter(status=P.PENDING).update(status=P.EXPIRED)


def refund(*, order: Order, reason: str) -> bool:
    """Refund the order's paid payment once; False ("refund due") when the provider cannot."""
    payment = order.payments.filter(status=P.PAID).first()
    if payment is None:
        return order.payments.filter(status=P.REFUNDED).exists()
    return _refund_payment(payment, reason=reason)


def _refund_payment(payment: Payment, *, reason: str) -> bool:
    # Claim it first, so two workers can never both send the refund.
    if not Payment.objects.filter(pk=payment.pk, status=P.PAID).update(status=P.REFUNDING):
        return Payment.objects.filter(pk=payment.pk, status=P.REFUNDED).exists()
    result = get_provider(payment.provider).refund(
        reference=payment.reference, amount=payment.amount, reason=reason
    )
    Payment.objects.filter(pk=payment.pk).update(
        status=P.REFUNDED if result.ok else P.REFUND_DUE, refund_reference=result.reference
    )
    if not result.ok:
        logger.warning("refund of payment %s is due by hand: %s", payment.reference, result.message)
    return result.ok


def handle_midtrans_notification(payload: dict) -> str:
    """Verify a Midtrans notification, confirm it with Midtrans, then act; returns what it did.

    Trust order: signature over the fields as received, then Midtrans' own status API, then
    the amount against the order's price. A repeated notification changes nothing.
    """
    if not isinstance(payload, dict) or not signature_is_valid(
        payload, settings.MIDTRANS_SERVER_KEY
    ):
        raise NotificationRejected("invalid signature", status=403)
    payment = (
        Payment.objects.select_related("order")
        .filter(reference=str(payload["order_id"]), provider="midtrans")
        .first()
    )
    if payment is None:
        raise NotificationRejected("unknown payment", status=404)
    try:
        remote = get_provider("midtrans").status(reference=payment.reference)
    except Exception as exc:  # Midtrans down: answer non-2xx so that it notifies again later
        logger.warning("Midtrans status check for %s failed: %s", payment.reference,
                       type(exc).__name__)  # fmt: skip
        raise NotificationRejected("could not confirm with Midtrans", status=503) from exc
    if remote.amount != payment.amount or parse_amount(payload.get("gross_amount")) != (
        payment.amount
    ):
        logger.warning("Midtrans amount for %s does not match the order", payment.reference)
        raise NotificationRejected("amount does not match the order")
    if remote.state == "paid":
        return "paid" if confirm_paid(payment=payment, actor="midtrans") else "no-op"
    if remote.state in ("failed", "expired"):
        closed = close_payment(
            payment=payment, status=P.EXPIRED if remote.state == "expired" else P.FAILED
        )
        if closed and not payment.order.payments.filter(status=P.PENDING).exists():
            order_services.expire_order(
                order_id=payment.order_id,
                actor="midtrans",
                message=f"Payment {remote.raw_status} at Midtrans.",
            )
        return remote.state if closed else "no-op"
    return "pending"
