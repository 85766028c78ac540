"""Payment reads for other apps and customer pages (orders asks here, never reads payment
rows itself)."""

from orders.models import Order

from .models import Payment

P = Payment.Status


def refund_due_reason(*, order: Order) -> str:
    """Why the money of a failed order is not back yet, as a person would act on it."""
    payments = list(order.payments.all())
    for payment in payments:
        if payment.status == P.REFUNDING:
            return (
                f"The refund of payment {payment.reference} (Rp {payment.amount}) was sent to "
                f"{payment.provider} but its answer was never recorded: check it there, and "
                "refund by hand if it did not go through."
            )
    for payment in payments:
        if payment.status == P.REFUND_DUE:
            return (
                f"{payment.provider} did not refund payment {payment.reference}: refund "
                f"Rp {payment.amount} to the customer by hand."
            )
    if not any(payment.status == P.PAID for payment in payments):
        return (
            "No captured payment was found for this order: check the payment provider, "
            "and refund by hand if the customer was charged."
        )
    return "The refund did not go through: refund by hand."


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
