"""Payment fees in whole rupiah, always rounded up (a fee is never short by a fraction).

A gateway channel's fee is flat + percent of the amount it is charged on, clamped to the
channel's minimum and maximum fee when Tripay gives them. Who pays it is a setting of the
channel (TripayChannel.fee_paid_by):

- the customer: the fee is added to the price, and the gateway takes its percent of that total
  too, so the fee is the smallest F with F >= flat + percent * (price + F);
- the shop: the gateway takes flat + percent * price out of the price.

`method` is a TripayChannel or its code; a provider without channels (sandbox, Midtrans,
balance) has no fee here.
"""

from decimal import ROUND_CEILING, Decimal

from .models import TripayChannel

Payer = TripayChannel.Payer


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def channel(method: "TripayChannel | str | None") -> TripayChannel | None:
    if isinstance(method, TripayChannel) or not method:
        return method or None
    return TripayChannel.objects.filter(code=method).first()


def gateway_fee(method, amount: int) -> int:
    """What the gateway takes on a payment of `amount`."""
    found = channel(method)
    if found is None:
        return 0
    fee = found.fee_flat + _ceil(Decimal(amount) * found.fee_percent / 100)
    if found.minimum_fee is not None:
        fee = max(fee, found.minimum_fee)
    if found.maximum_fee is not None:
        fee = min(fee, found.maximum_fee)
    return fee


def customer_fee(method, amount: int) -> int:
    """The fee added to a price of `amount` when the customer pays it; 0 when the shop does."""
    found = channel(method)
    if found is None or found.fee_paid_by != Payer.CUSTOMER:
        return 0
    if found.fee_percent >= 100:
        raise ValueError(f"channel {found.code}: a fee of {found.fee_percent}% has no total")
    # The least fixed point of F = gateway_fee(amount + F), climbed to from below: the fee is
    # nondecreasing in the amount, so each step stays at or under the answer (and a minimum or
    # maximum fee is respected as Tripay applies it).
    fee = 0
    while fee < (needed := gateway_fee(found, amount + fee)):
        fee = needed
    return fee


def shop_fee(method, amount: int) -> int:
    """The gateway's fee the shop bears on a price of `amount`; 0 when the customer pays it."""
    found = channel(method)
    if found is None or found.fee_paid_by != Payer.SHOP:
        return 0
    return gateway_fee(found, amount)


def accepts(method, total: int) -> bool:
    """Does the channel take a payment of this total (its minimum and maximum amount)?"""
    found = channel(method)
    if found is None:
        return True
    return found.minimum_amount <= total and (
        not found.maximum_amount or total <= found.maximum_amount
    )


def _rp(amount: int) -> str:
    return f"Rp {amount:,}".replace(",", ".")


def fee_text(found: TripayChannel) -> str:
    """The fee as customers read it: "Rp 750 + 0,7%", "Rp 4.250", "3% (min. Rp 1.000)"."""
    parts = []
    if found.fee_flat:
        parts.append(_rp(found.fee_flat))
    if found.fee_percent:
        parts.append(f"{found.fee_percent.normalize():f}%".replace(".", ","))
    text = " + ".join(parts) or "Rp 0"
    if found.minimum_fee and found.minimum_fee > found.fee_flat:
        text += f" (min. {_rp(found.minimum_fee)})"
    return text
