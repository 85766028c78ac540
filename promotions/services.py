"""Writes: customer tiers (by hand, by spend, bought), promo codes on orders, quotas back."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Order
from payments import fees
from wallet import services as wallet
from wallet.models import LedgerEntry

from .models import CustomerTier, FlashSaleItem, FlashSaleUse, PromoCode, PromoUse, Tier
from .quote import Quote, promo_discount

# --- tiers ------------------------------------------------------------------------------------


def set_tier(*, user, tier: Tier, source: str = CustomerTier.Source.MANUAL) -> CustomerTier:
    row, _created = CustomerTier.objects.update_or_create(
        user=user, defaults={"tier": tier, "source": source, "since": timezone.now()}
    )
    return row


class CannotBuyTier(Exception):
    pass


def _higher(a: Tier | None, b: Tier | None) -> Tier | None:
    if a is None or b is None:
        return a or b
    return a if (a.order, a.pk) >= (b.order, b.pk) else b


def _lock_tier_row(user_id: int) -> CustomerTier | None:
    """The customer's CustomerTier row, locked; with no row yet, the user's row is locked
    instead, so two writers cannot both create it."""
    from django.contrib.auth import get_user_model

    rows = CustomerTier.objects.select_for_update(of=("self",)).select_related(
        "tier", "bought_tier"
    )
    row = rows.filter(user_id=user_id).first()
    if row is None:
        get_user_model().objects.select_for_update().filter(pk=user_id).first()
        row = rows.filter(user_id=user_id).first()
    return row


@transaction.atomic
def buy_tier(*, user, tier: Tier) -> CustomerTier:
    """The customer buys `tier` for its upgrade fee, paid from their balance (wallet.debit:
    InsufficientBalance when it does not cover it; nothing changes then). The bought tier is
    kept apart from the spend tier: no recompute lowers it."""
    from .quote import tier_of

    if tier.upgrade_fee is None:
        raise CannotBuyTier(_("This tier cannot be bought."))
    row = _lock_tier_row(user.pk)  # one purchase at a time, checked after the lock
    current = tier_of(user)
    if current is not None and current.order >= tier.order:
        raise CannotBuyTier(_("You already have this tier or a higher one."))
    wallet.debit(
        user=user,
        amount=tier.upgrade_fee,
        kind=LedgerEntry.Kind.PURCHASE,
        cause=f"tier:{tier.pk}:user:{user.pk}:{uuid.uuid4().hex}",  # each purchase pays
        note=f"Tier {tier.name}",
        actor=f"user:{user.pk}",
    )
    if row is None:
        row = CustomerTier(user=user, source=CustomerTier.Source.BOUGHT)
    row.bought_tier = tier
    if row.source != CustomerTier.Source.MANUAL:  # a hand-set tier stays as staff set it
        row.tier, row.source, row.since = tier, CustomerTier.Source.BOUGHT, timezone.now()
    row.save()
    return row


def _settle_tier(user_id: int, target: Tier | None, now: datetime) -> bool:
    """Put the spend tier `target` on one customer, under their row's lock: the tier becomes
    the higher of it and the bought tier; a hand-set tier stays. True when it changed."""
    with transaction.atomic():
        row = _lock_tier_row(user_id)
        if row is not None and row.source == CustomerTier.Source.MANUAL:
            return False
        bought = row.bought_tier if row is not None else None
        tier = _higher(target, bought)
        if tier is None:
            if row is not None:
                row.delete()  # back to the default tier
            return row is not None
        source = CustomerTier.Source.SPEND
        if bought is not None and tier.pk == bought.pk:
            source = CustomerTier.Source.BOUGHT
        if row is None:
            CustomerTier.objects.create(user_id=user_id, tier=tier, source=source, since=now)
            return True
        if row.tier_id == tier.pk and row.source == source:
            return False
        row.tier, row.source, row.since = tier, source, now
        row.save(update_fields=["tier", "source", "since"])
        return True


def recompute_tiers(*, now: datetime | None = None) -> int:
    """Tiers reached by spend: each customer's successful orders over TIER_SPEND_DAYS against
    the tiers' thresholds. Tiers set by hand stay; a bought tier is never lowered. Returns
    how many customers' tiers changed. Safe to run twice."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.TIER_SPEND_DAYS)
    ladder = [t for t in Tier.objects.order_by("-spend_threshold") if t.spend_threshold is not None]
    spend = dict(
        Order.objects.filter(
            status=Order.Status.SUCCESS, completed_at__gte=since, customer__isnull=False
        )
        .values_list("customer_id")
        .annotate(total=Sum("price"))
        .values_list("customer_id", "total")
    )
    sources = dict(CustomerTier.objects.values_list("user_id", "source"))
    changed = 0
    for user_id in set(spend) | {u for u, s in sources.items() if s != "manual"}:
        if sources.get(user_id) == CustomerTier.Source.MANUAL:
            continue
        target = next((t for t in ladder if spend.get(user_id, 0) >= t.spend_threshold), None)
        changed += _settle_tier(user_id, target, now)
    return changed


# --- promo codes ------------------------------------------------------------------------------


class PromoRefused(Exception):
    """A code that cannot be used on this order; the message says why, for the customer."""


def _refuse(message: str) -> NoReturn:
    raise PromoRefused(message)


def check_promo(
    *, promo: PromoCode | None, order: Order, tier_id: int | None, user, now: datetime
) -> None:
    """Raises PromoRefused with the one reason the customer needs."""
    if promo is None or not promo.is_active:
        _refuse(_("There is no such promo code."))
    if now < promo.valid_from or now > promo.valid_to:
        _refuse(_("This promo code has expired."))
    if promo.quota is not None and promo.used >= promo.quota:
        _refuse(_("This promo code is used up."))
    games = {p.pk for p in promo.games.all()}
    items = {v.pk for v in promo.items.all()}
    if (games or items) and not (order.variant.product_id in games or order.variant_id in items):
        _refuse(_("This promo code is not for this game."))
    tiers = {t.pk for t in promo.tiers.all()}
    if tiers and tier_id not in tiers:
        _refuse(_("This promo code is not for your member level."))
    if not promo.allows_method(provider=order.payment_provider, method=order.payment_method):
        _refuse(_("This promo code is not for this payment method."))
    price = order.price_before_code
    if price < promo.min_order:
        _refuse(
            _("Below this code's minimum order (at least Rp %(amount)s).")
            % {"amount": f"{promo.min_order:,}".replace(",", ".")}
        )


def _uses_by(promo: PromoCode, *, order: Order, user) -> int:
    mine = Q()
    if order.customer_id:  # the order's owner, whoever is applying the code
        mine |= Q(user_id=order.customer_id)
    if order.contact_email:
        mine |= Q(email__iexact=order.contact_email.strip().lower())
    if order.contact_phone:
        mine |= Q(phone=order.contact_phone)
    if not mine:
        return 0
    return promo.uses.filter(mine, released_at__isnull=True).count()


def order_quote(order: Order) -> Quote:
    """The order's frozen price as a Quote (what a code applies to)."""
    return Quote(
        variant_id=order.variant_id,
        cost=order.cost,
        base=order.base_price,
        tier=order.tier_name,
        sale_price=order.sale_price,
        payment_fee=order.payment_fee,
        floor=order.margin_floor,
    )


def apply_promo(*, order_id: int, code: str, user=None, now: datetime | None = None) -> Quote:
    """Put a promo code on an unpaid order (the summary step): its quota taken by one
    conditional UPDATE, the order's price lowered by another, in one transaction. Raises
    PromoRefused (nothing changed) with the reason."""
    with transaction.atomic():
        new, number = _apply_promo(order_id=order_id, code=code, user=user, now=now)
    from orders.cache import order_changed

    order_changed(number)
    return new


def _apply_promo(*, order_id: int, code: str, user, now: datetime | None) -> tuple[Quote, str]:
    from .quote import tier_of

    now = now or timezone.now()
    code = (code or "").strip().upper()
    # The order's row stays locked until the end: payments' start_payment records its
    # attempt under the same lock, so a code never lowers a price already sent to a provider.
    orders = Order.objects.select_for_update(of=("self",)).select_related("variant")
    order = orders.filter(pk=order_id).first()
    if order is None or order.status != Order.Status.AWAITING_PAYMENT:
        _refuse(_("This order is already paid or closed."))
    if order.promo_code:
        _refuse(_("This order already has a promo code."))
    if order.payments.exists():
        _refuse(_("Payment has started: a promo code can no longer be added."))
    promo = PromoCode.objects.filter(code=code).first() if code else None
    customer = order.customer if order.customer_id else None
    tier = tier_of(customer)
    check_promo(promo=promo, order=order, tier_id=tier.pk if tier else None, user=user, now=now)
    assert promo is not None
    quote = order_quote(order)
    discount = promo_discount(promo, quote.price)
    lowest = 1 if promo.subsidised else max(quote.floor, 1)
    discount = max(0, min(discount, quote.price - lowest))
    if discount <= 0:
        _refuse(_("This promo code does not lower the price of this item."))
    new = replace(
        quote,
        promo_discount=discount,
        promo_code=promo.code,
        promo_id=promo.pk,
        subsidy=max(0, quote.floor - (quote.price - discount)),
    )
    # The method's fee follows the lower price (a percent fee shrinks with it).
    new = replace(new, payment_fee=fees.customer_fee(order.payment_method, new.subtotal))
    if order.payment_provider == "tripay" and not fees.accepts(order.payment_method, new.total):
        _refuse(_("With this code the total is outside what this payment method accepts."))
    with transaction.atomic():
        taken = PromoCode.objects.filter(pk=promo.pk, is_active=True)
        if promo.quota is not None:
            taken = taken.filter(used__lt=F("quota"))
        if not taken.update(used=F("used") + 1):
            _refuse(_("This promo code is used up."))
        # Counted after the UPDATE: it holds the code's row until commit, so two uses by the
        # same customer at once are counted one after the other.
        if _uses_by(promo, order=order, user=user) >= promo.per_customer:
            _refuse(_("You have already used this promo code."))
        moved = Order.objects.filter(
            pk=order.pk, status=Order.Status.AWAITING_PAYMENT, promo_code=""
        ).update(
            price=new.subtotal,
            payment_fee=new.payment_fee,
            payment_gateway_fee=fees.shop_fee(order.payment_method, new.subtotal),
            promo_code=new.promo_code,
            promo_discount=new.promo_discount,
            subsidy_cost=new.subsidy,
            updated_at=now,
        )
        if not moved:
            raise PromoRefused(_("This order is already paid or closed."))
        PromoUse.objects.create(
            promo=promo,
            order=order,
            user_id=order.customer_id,
            email=order.contact_email.strip().lower(),
            phone=order.contact_phone,
            discount=discount,
            created_at=now,
        )
    return new, order.number


def take_off_promo(*, order: Order, now: datetime) -> dict:
    """The order's code comes off (its payment method changed to one the code is not for):
    its use is given back to the quota, and the order's fields without it are returned for the
    caller's update of the order (locked, in the caller's transaction): the price before the
    code, no discount, the subsidy a subsidised sale alone leaves."""
    use = PromoUse.objects.filter(order_id=order.pk, released_at__isnull=True).first()
    if use is not None and PromoUse.objects.filter(pk=use.pk, released_at__isnull=True).update(
        released_at=now
    ):
        PromoCode.objects.filter(pk=use.promo_id, used__gt=0).update(used=F("used") - 1)
    price = order.price_before_code
    return {
        "price": price,
        "promo_code": "",
        "promo_discount": 0,
        "subsidy_cost": max(0, order.margin_floor - price),
    }


# --- flash sales ------------------------------------------------------------------------------


class SaleGone(Exception):
    """The flash-sale price quoted is no longer there: the sale ended or its quantity sold out."""


def take_sale_item(*, order: Order, sale_item_id: int, now: datetime) -> None:
    """One unit of a flash-sale item for `order`, by one conditional UPDATE (the sale still
    running at `now`, quantity left); SaleGone otherwise. Call inside the order's transaction."""
    running = FlashSaleItem.objects.filter(
        pk=sale_item_id, sale__starts_at__lte=now, sale__ends_at__gt=now
    ).exists()
    # No join in the UPDATE: PostgreSQL re-checks a plain WHERE on the row it waited for (a
    # join would become a subquery that is not re-checked, and oversell).
    taken = FlashSaleItem.objects.filter(pk=sale_item_id).filter(
        Q(quantity__isnull=True) | Q(sold__lt=F("quantity"))
    )
    if not running or not taken.update(sold=F("sold") + 1):
        raise SaleGone(sale_item_id)
    FlashSaleUse.objects.create(item_id=sale_item_id, order=order, created_at=now)
    from .selectors import bump_sale_stock

    transaction.on_commit(bump_sale_stock)  # "sisa N" on the pages moves, nothing else


# --- quotas back --------------------------------------------------------------------------------


def release_quotas(*, order_id: int) -> bool:
    """Give back what an order took (its promo code's use, its flash-sale unit): called by
    orders' one transition function when an order expires, fails or is refunded. Once per
    order, whatever calls it twice."""
    now = timezone.now()
    released = False
    with transaction.atomic():
        use = PromoUse.objects.filter(order_id=order_id, released_at__isnull=True).first()
        if use is not None and PromoUse.objects.filter(pk=use.pk, released_at__isnull=True).update(
            released_at=now
        ):
            PromoCode.objects.filter(pk=use.promo_id, used__gt=0).update(used=F("used") - 1)
            released = True
        unit = FlashSaleUse.objects.filter(order_id=order_id, released_at__isnull=True).first()
        if unit is not None and FlashSaleUse.objects.filter(
            pk=unit.pk, released_at__isnull=True
        ).update(released_at=now):
            FlashSaleItem.objects.filter(pk=unit.item_id, sold__gt=0).update(sold=F("sold") - 1)
            released = True
            from .selectors import bump_sale_stock

            transaction.on_commit(bump_sale_stock)  # "sisa N" moves back
    return released
