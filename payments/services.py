"""Payment writes. Payments tell orders "paid" via orders.services; orders ask for refunds here."""

import logging

from django.db import transaction

from orders import services as order_services
from orders.models import Order

from .models import Payment
from .providers import get_provider

logger = logging.getLogger(__name__)


@transaction.atomic
def start_payment(*, order: Order) -> Payment:
    """Open a payment attempt; reuses the open one so a reload does not start a second."""
    open_payment = order.payments.filter(status=Payment.Status.PENDING).first()
    if open_payment:
        return open_payment
    provider = get_provider(order.payment_provider)
    started = provider.start(number=order.number, amount=order.price, item=order.variant_name)
    return Payment.objects.create(
        order=order,
        provider=provider.name,
        amount=order.price,
        reference=started.reference,
        redirect_url=started.redirect_url,
        provider_token=started.token,
    )


def confirm_paid(*, payment: Payment, actor: str = "payment") -> bool:
    """The provider confirmed the money arrived: record it and hand the order to fulfilment."""
    with transaction.atomic():
        moved = Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            status=Payment.Status.PAID
        )
        if moved:
            order_services.mark_paid(
                order_id=payment.order_id, payment_reference=payment.reference, actor=actor
            )
    return bool(moved)


def refund(*, order: Order, reason: str) -> bool:
    """Refund the order's payment once; False (and "refund due") when the provider cannot."""
    payment = order.payments.filter(status=Payment.Status.PAID).first()
    # Claim it first, so two workers can never both send the refund.
    if payment is None or not Payment.objects.filter(
        pk=payment.pk, status=Payment.Status.PAID
    ).update(status=Payment.Status.REFUNDING):
        return order.payments.filter(status=Payment.Status.REFUNDED).exists()
    result = get_provider(payment.provider).refund(
        reference=payment.reference, amount=payment.amount, reason=reason
    )
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.REFUNDED if result.ok else Payment.Status.REFUND_DUE,
        refund_reference=result.reference,
    )
    if not result.ok:
        logger.warning("refund of order %s is due by hand: %s", order.number, result.message)
    return result.ok
