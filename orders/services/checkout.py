"""The customer and the payment: an order is placed, paid, changed, or expires unpaid;
a payment that comes too late is noted."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.account_fields import build_data
from catalog.models import Variant

from ..cache import order_changed
from ..models import Order, OrderEvent
from .transitions import _note, _seconds, _transition, schedule

S = Order.Status


class NotForSale(Exception):
    pass


def create_order(
    *,
    variant: Variant,
    account: dict[str, str],
    contact_email: str = "",
    contact_phone: str = "",
    whatsapp_opt_in: bool = False,
    buyer_ip: str | None = None,
    payment_provider: str = "sandbox",
    payment_method: str = "",
    language: str = "id",
    customer=None,
    quote=None,
    now=None,
) -> Order:
    """An order awaiting payment, with its price (promotions.quote: the same quote the page
    showed), cost and names copied from the catalog now.

    `customer`: the logged-in User placing it (None for a guest). `quote`: the price already
    worked out for this checkout (at `now`); without it, the customer's price now. A flash
    sale's unit is taken with the order (promotions.services.SaleGone when it is gone).
    `payment_method`: the gateway's channel (Tripay's QRIS, BRIVA, ...); its fee on the item's
    price is fixed on the order now: paid by the customer on top of the price (payment_fee),
    or borne by the shop (payment_gateway_fee)."""
    from payments import fees
    from promotions.quote import quote as price_of

    product = variant.product
    method = payment_method if payment_provider == "tripay" else ""
    channel = fees.channel(method)  # read once for both fees
    if not (variant.is_for_sale and product.is_for_sale):
        raise NotForSale(variant.code)
    now = timezone.now() if now is None else now
    if quote is None:
        quote = price_of(variant, customer=customer, now=now)
    with transaction.atomic():
        order = Order.objects.create(
            variant=variant,
            product_code=product.code,
            product_name=product.title,
            variant_code=variant.code,
            variant_name=variant.name,
            price=quote.subtotal,
            cost=quote.cost,
            tier_name=quote.tier,
            base_price=quote.base,
            sale_price=quote.sale_price,
            promo_code=quote.promo_code,
            promo_discount=quote.promo_discount,
            subsidy_cost=quote.subsidy,
            margin_floor=quote.floor,
            account=account,
            data=build_data(product.data_template, account),
            contact_email=contact_email,
            contact_phone=contact_phone,
            whatsapp_opt_in=bool(contact_phone) and whatsapp_opt_in,
            buyer_ip=buyer_ip,
            payment_provider=payment_provider,
            payment_method=method,
            payment_fee=fees.customer_fee(channel, quote.subtotal),
            payment_gateway_fee=fees.shop_fee(channel, quote.subtotal),
            language=language,
            customer=customer,
        )
        if quote.sale_item_id is not None:  # SaleGone (nothing saved) when it sold out
            from promotions.services import take_sale_item

            take_sale_item(order=order, sale_item_id=quote.sale_item_id, now=now)
        OrderEvent.objects.create(
            order=order, to_status=S.AWAITING_PAYMENT, actor="customer", message="Order placed."
        )
    return order


def switch_payment_method(*, order_id: int, provider: str, method: str = "") -> bool:
    """Failover: the chosen gateway could not start the payment, and the customer picked a
    method of another one. Only an unpaid order without an open attempt changes, to a method
    that takes its total (the channel's minimum and maximum amount); its fees are those of
    the new method. True when it changed.

    A promo code limited to payment methods the new one is not among comes off: the price
    goes back to the one before the code and its use is given back (the customer sees the
    new total on the order page before paying)."""
    from payments import fees
    from promotions.selectors import promo_allows_method
    from promotions.services import take_off_promo

    method = method if provider == "tripay" else ""
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != S.AWAITING_PAYMENT or order.payments.filter(status="pending").exists():
            return False
        keeps_promo = promo_allows_method(order, provider=provider, method=method)
        # The total the new method would take, checked before anything changes.
        price = order.price
        if not keeps_promo:
            price = order.price_before_code
        channel = fees.channel(method)  # read once for the check and both fees
        if not fees.accepts(channel, price + fees.customer_fee(channel, price)):
            return False
        changes: dict[str, Any] = {}
        note = ""
        if not keeps_promo:
            changes = take_off_promo(order=order, now=now)
            note = f" Promo code {order.promo_code} taken off: not for this method."
        price = changes.get("price", order.price)
        Order.objects.filter(pk=order.pk).update(
            payment_provider=provider,
            payment_method=method,
            payment_fee=fees.customer_fee(channel, price),
            payment_gateway_fee=fees.shop_fee(channel, price),
            updated_at=now,
            **changes,
        )
        OrderEvent.objects.create(
            order=order,
            to_status=S.AWAITING_PAYMENT,
            actor="customer",
            message=f"Payment method changed to {provider}{f' {method}' if method else ''} "
            f"({order.payment_provider} could not start the payment).{note}",
        )
        order_changed(order.number)
    return True


def mark_paid(
    *,
    order_id: int,
    payment_reference: str = "",
    actor: str = "payment",
    payment_provider: str | None = None,
) -> bool:
    """Paid: on to submission. `payment_provider` when it was paid another way than chosen at
    checkout (the customer's balance), recorded in the same conditional update, and then the
    chosen method's fees go with it: nobody paid a gateway, so the receipt's total and the
    profit hold no fee."""
    now = timezone.now()
    paid_with: dict[str, Any] = (
        {}
        if payment_provider is None
        else {
            "payment_provider": payment_provider,
            "payment_method": "",
            "payment_fee": 0,
            "payment_gateway_fee": 0,
        }
    )
    moved = _transition(
        order_id,
        from_=S.AWAITING_PAYMENT,
        to=S.PAID,
        actor=actor,
        message="Payment received.",
        paid_at=now,
        next_submit_at=now,
        payment_reference=payment_reference,
        **paid_with,
    )
    if moved:
        schedule("orders.submit_order", order_id)
    return moved


def expire_order(*, order_id: int, actor: str = "system", message: str = "") -> bool:
    return _transition(
        order_id,
        from_=S.AWAITING_PAYMENT,
        to=S.EXPIRED,
        actor=actor,
        message=message or "Payment not received in time.",
        completed_at=timezone.now(),
    )


def expire_unpaid(*, time_budget: float = 40.0) -> int:
    """Unpaid orders past PAYMENT_TIMEOUT expire, and their open payment attempts with them.

    Each open attempt is asked about at the provider first (a lost notification must not
    expire a paid order), and closed there too (so it cannot be paid later). The time budget
    is checked before each order, as in poll_due: with the provider slow or hung, what is left
    waits for the next run instead of the task being killed mid-way.
    """
    from payments import services as payments

    deadline = timezone.now() + timedelta(seconds=time_budget)
    cutoff = timezone.now() - _seconds("PAYMENT_TIMEOUT")
    expired = 0
    unpaid = Order.objects.filter(status=S.AWAITING_PAYMENT, created_at__lt=cutoff)
    for order in unpaid.order_by("created_at"):
        if timezone.now() >= deadline:
            break
        if payments.paid_at_provider(order=order):
            continue
        if expire_order(order_id=order.pk):
            payments.cancel_open_payments(order=order)
            expired += 1
    return expired


def change_order(*, order_id: int) -> bool:
    """The customer changes an unpaid order ("Change the order"): it closes, like one that
    expired, and its open payment attempts are cancelled at the provider, so it neither stays
    "awaiting payment" nor can be paid later. Nothing happens to an order no longer waiting
    for payment or with money already paid for it (the provider is asked, as on expiry).
    """
    from payments import services as payments
    from payments.models import Payment

    order = Order.objects.filter(pk=order_id, status=S.AWAITING_PAYMENT).first()
    if order is None:
        return False
    unpaid = (Payment.Status.PENDING, Payment.Status.FAILED, Payment.Status.EXPIRED)
    if order.payments.exclude(status__in=unpaid).exists() or payments.paid_at_provider(order=order):
        return False
    if not expire_order(order_id=order.pk, actor="customer", message="Changed by the customer"):
        return False
    payments.cancel_open_payments(order=order)
    return True


def note_late_payment(
    *, order_id: int, message: str, actor: str = "payment", once: bool = False
) -> None:
    """A payment event on a closed order (paid after it expired, and its refund): noted in its
    timeline, and its page shows it. `once`: not again when the same note is there already
    (a provider repeating itself)."""
    if once and OrderEvent.objects.filter(order_id=order_id, message=message).exists():
        return
    status, number = Order.objects.filter(pk=order_id).values_list("status", "number").get()
    _note(order_id, status=status, actor=actor, message=message)
    order_changed(number)
