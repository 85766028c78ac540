"""One price for every path: the game page, checkout, the order summary and the stored order.

    base      = cost + the customer's tier markup (catalog's rules for the default tier, Umum)
    sale      = a running flash sale's price for the item, when lower than base
    discount  = a promo code's discount on what is left
    total     = base or sale, minus discount, plus the payment method's fee

Nothing goes below cost + the minimum margin of the markup that priced the item, unless the
sale or code pushing it there is marked subsidised; then `subsidy` says by how much, and the
back office counts it as a cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q

from catalog.models import MarkupRule, Variant
from catalog.pricing import FALLBACK, Markup, RuleBook, sell_price

from .models import CustomerTier, FlashSaleItem, PromoCode, Tier, TierMarkupRule


@dataclass(frozen=True, slots=True)
class Quote:
    """What a customer pays for one item, and why. All integer rupiah."""

    variant_id: int
    cost: int
    base: int
    tier: str = ""
    tier_id: int | None = None
    sale_price: int | None = None
    sale_item_id: int | None = None
    sale_left: int | None = None
    promo_discount: int = 0
    promo_code: str = ""
    promo_id: int | None = None
    payment_fee: int = 0
    subsidy: int = 0
    floor: int = 0

    @property
    def price(self) -> int:
        """The item's price before any code or fee: the sale price when there is one."""
        return self.sale_price if self.sale_price is not None else self.base

    @property
    def subtotal(self) -> int:
        return self.price - self.promo_discount

    @property
    def total(self) -> int:
        return self.subtotal + self.payment_fee


def _markup(rule) -> Markup:
    return Markup(
        percent=rule.percent, fixed=rule.fixed, round_to=rule.round_to, min_margin=rule.min_margin
    )


@dataclass
class PriceBook:
    """Everything pricing needs, read in a fixed number of queries whatever the item count."""

    tier: Tier | None
    default_rules: RuleBook
    tier_rules: RuleBook | None
    sales: dict[int, FlashSaleItem] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        customer=None,
        now: datetime,
        variant_ids: Iterable[int] | None = None,
        tier: Tier | None = None,
    ) -> PriceBook:
        tiers = list(Tier.objects.order_by("order", "pk"))
        if tier is None:
            tier = tier_of(customer, tiers=tiers)
        is_default = tier is None or not tiers or tier.pk == tiers[0].pk
        default_rules = _rulebook(MarkupRule.objects.all(), fallback=FALLBACK)
        tier_rules = None
        if tier is not None and not is_default:
            rules = list(TierMarkupRule.objects.filter(tier=tier))
            tier_rules = _rulebook(rules, fallback=None) if rules else None
        sales = FlashSaleItem.objects.filter(
            sale__starts_at__lte=now, sale__ends_at__gt=now
        ).select_related("sale")
        sales = sales.filter(Q(quantity__isnull=True) | Q(sold__lt=F("quantity")))
        if variant_ids is not None:
            sales = sales.filter(variant_id__in=list(variant_ids))
        by_variant: dict[int, FlashSaleItem] = {}
        for item in sales.order_by("sale_price"):
            by_variant.setdefault(item.variant_id, item)  # the lowest price of overlapping sales
        return cls(tier=tier, default_rules=default_rules, tier_rules=tier_rules, sales=by_variant)

    def quote(
        self,
        item: Variant,
        *,
        promo: PromoCode | None = None,
        payment_fee: int = 0,
    ) -> Quote:
        cost = item.cost_price
        where = {"product_id": item.product_id, "variant_id": item.pk}
        markup = self.default_rules.markup_for(**where)
        base = item.sell_price  # the default tier's price, kept by catalog's reprice()
        if self.tier_rules is not None:
            tier_markup = self.tier_rules.markup_for(**where)
            tier_price = None if tier_markup is None else sell_price(cost, tier_markup)
            if tier_price is not None and tier_price < base:  # never above the default tier's
                markup, base = tier_markup, tier_price
        floor = cost + markup.min_margin
        price, subsidy = base, 0
        sale = self.sales.get(item.pk)
        sale_price = None
        if sale is not None and sale.sale_price < base:
            sale_price = sale.sale_price if sale.sale.subsidised else max(sale.sale_price, floor)
            if sale_price >= base:
                sale_price = None
            else:
                price = sale_price
        discount = 0
        if promo is not None:
            discount = promo_discount(promo, price)
            lowest = 1 if promo.subsidised else max(floor, 1)
            discount = max(0, min(discount, price - lowest))
        subsidy = max(0, floor - (price - discount))
        tier = self.tier
        return Quote(
            variant_id=item.pk,
            cost=cost,
            base=base,
            tier=tier.name if tier else "",
            tier_id=tier.pk if tier else None,
            sale_price=sale_price,
            sale_item_id=sale.pk if sale_price is not None and sale else None,
            sale_left=sale.left if sale_price is not None and sale else None,
            promo_discount=discount,
            promo_code=promo.code if promo and discount else "",
            promo_id=promo.pk if promo and discount else None,
            payment_fee=int(payment_fee),
            subsidy=subsidy,
            floor=floor,
        )


def _rulebook(rules, *, fallback: Markup | None) -> RuleBook:
    global_rule, by_product, by_variant = fallback, {}, {}
    for rule in rules:
        if rule.variant_id:
            by_variant[rule.variant_id] = _markup(rule)
        elif rule.product_id:
            by_product[rule.product_id] = _markup(rule)
        else:
            global_rule = _markup(rule)
    return RuleBook(global_rule=global_rule, by_product=by_product, by_variant=by_variant)  # type: ignore[arg-type]


def promo_discount(promo: PromoCode, price: int) -> int:
    """The code's discount on `price`, before the floor: percent rounded down, capped."""
    percent = promo.kind == PromoCode.Kind.PERCENT
    discount = price * promo.value // 100 if percent else promo.value
    if promo.max_discount is not None:
        discount = min(discount, promo.max_discount)
    return min(discount, price)


def tier_of(customer, *, tiers: list[Tier] | None = None) -> Tier | None:
    """The customer's tier (the higher of the hand-set or spend tier and the bought one); the
    default (lowest) one for guests and customers without one."""
    if tiers is None:
        tiers = list(Tier.objects.order_by("order", "pk"))
    if customer is not None and getattr(customer, "is_authenticated", False):
        mine = CustomerTier.objects.filter(user_id=customer.pk)
        ids = set(mine.values_list("tier_id", "bought_tier_id").first() or ())
        held = [tier for tier in tiers if tier.pk in ids]
        if held:
            return held[-1]  # the higher of the tier set or reached and the one bought
    return tiers[0] if tiers else None


def quote(
    item: Variant,
    *,
    customer=None,
    now: datetime,
    promo_code: PromoCode | None = None,
    payment_fee: int = 0,
    tier: Tier | None = None,
) -> Quote:
    """The customer's price for `item` at `now` (see the module's docstring)."""
    book = PriceBook.load(customer=customer, now=now, variant_ids=[item.pk], tier=tier)
    return book.quote(item, promo=promo_code, payment_fee=payment_fee)


def price_items(
    items: Iterable[Variant],
    customer=None,
    now: datetime | None = None,
    *,
    tier: Tier | None = None,
) -> dict[int, Quote]:
    """Quotes for many items (a game page), by variant id, in a fixed number of queries."""
    items = list(items)
    assert now is not None, "now is required"
    book = PriceBook.load(customer=customer, now=now, variant_ids=[v.pk for v in items], tier=tier)
    return {item.pk: book.quote(item) for item in items}
