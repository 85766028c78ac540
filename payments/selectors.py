"""Payment reads for customer pages."""

from orders.models import Order

from .models import Payment

P = Payment.Status


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
