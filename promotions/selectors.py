"""Reads: items priced for a customer (the game page), the usage report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q

from catalog.models import Variant, for_sale

from .models import CustomerTier, FlashSale, FlashSaleItem, Tier
from .quote import PriceBook, Quote


@dataclass
class PricedVariants:
    variants: list  # each with .quote (the customer's) and .guest_quote (or None)
    guest_tier: Tier | None


def priced_variants(
    variants: list, *, customer=None, now: datetime, tier: Tier | None = None
) -> PricedVariants:
    """The game page's items, each with the customer's quote; for a guest also the quote of
    the tier shown to guests ("Member: Rp X"). A fixed number of queries. `tier`: the
    customer's tier when already read (member_tier), so the page is priced at the tier its
    cache key names even if it changes meanwhile (tier_by_id)."""
    ids = [v.pk for v in variants]
    book = PriceBook.load(customer=customer, now=now, variant_ids=ids, tier=tier)
    guest_tier = None
    guest_book = None
    logged_in = customer is not None and getattr(customer, "is_authenticated", False)
    if not logged_in:
        guest_tier = Tier.objects.filter(shown_to_guests=True).order_by("order").first()
        if guest_tier is not None and (book.tier is None or guest_tier.pk != book.tier.pk):
            guest_book = PriceBook.load(now=now, variant_ids=ids, tier=guest_tier)
        else:
            guest_tier = None
    for variant in variants:
        variant.quote = book.quote(variant)
        variant.guest_quote = guest_book.quote(variant) if guest_book is not None else None
        if variant.guest_quote is not None and variant.guest_quote.total >= variant.quote.total:
            variant.guest_quote = None  # no better price to show
    return PricedVariants(variants=variants, guest_tier=guest_tier)


PROMO_SESSION_KEY = "promo_refused"

# The tier part of a cached page's key: a guest's page (the default tier's prices, with the
# tier shown to guests beside them) is never a member's, even a member at the default tier.
GUEST_TIER_KEY = "tier-guest"


def member_tier_id(user) -> int | None:
    """A logged-in customer's own tier (its id; None: the default tier), the one quote.tier_of
    prices them at, in one small query: what their cached page's key is read from."""
    row = (
        CustomerTier.objects.filter(user_id=user.pk)
        .values_list("tier_id", "tier__order", "bought_tier_id", "bought_tier__order")
        .first()
    )
    if row is None:
        return None
    held = [(order, pk) for pk, order in (row[:2], row[2:]) if pk is not None]
    # The higher of the tier set or reached and the one bought, as quote.tier_of orders them.
    return max(held)[1] if held else None


def page_tier_key(tier_id: int | None) -> str:
    """The tier part of a member's cached page's key (from member_tier_id): members' pages are
    cached per tier, never per person; guests' under GUEST_TIER_KEY."""
    return f"tier-member-{tier_id or 'default'}"


def tier_by_id(tier_id: int | None) -> Tier | None:
    """The tier a member's page is priced at: the one its key names (member_tier_id's), so
    a tier changed meanwhile never lands under the old key; the default tier for None."""
    tiers = Tier.objects.order_by("order", "pk")
    return (tiers.filter(pk=tier_id).first() if tier_id else None) or tiers.first()


def promo_form(order, request) -> dict | None:
    """The promo-code field of the order summary: only on an unpaid order without a code and
    no payment started; with the last refusal (code and reason) this browser got for it."""
    if order.status != order.Status.AWAITING_PAYMENT or order.promo_code:
        return None
    if order.payments.exists():
        return None
    refused = request.session.pop(PROMO_SESSION_KEY, None) if hasattr(request, "session") else None
    if refused and refused.get("order") == order.number:
        return {"code": refused.get("code", ""), "error": refused.get("error", "")}
    return {"code": "", "error": ""}


def promo_allows_method(order, *, provider: str, method: str = "") -> bool:
    """Whether the order's promo code (if any) is for this payment method."""
    if not order.promo_code:
        return True
    from .models import PromoCode

    promo = PromoCode.objects.filter(code=order.promo_code).first()
    return promo is None or promo.allows_method(provider=provider, method=method)


def price_floors(variant_ids, *, now: datetime) -> dict[int, int]:
    """Each item's lowest allowed price without a subsidy: cost + the minimum margin of the
    markup that prices it, the highest over the tiers (what the quote would lift a lower
    sale price or discount to). One set of queries per tier, whatever the item count."""

    items = list(Variant.objects.filter(pk__in=list(variant_ids)))
    floors: dict[int, int] = {}
    for tier in [None, *Tier.objects.order_by("order", "pk")]:
        book = PriceBook.load(now=now, variant_ids=[v.pk for v in items], tier=tier)
        for item in items:
            floors[item.pk] = max(floors.get(item.pk, 0), book.quote(item).floor)
    return floors


# --- flash sales on pages ---------------------------------------------------------------------

# Per process: the sale times under the catalog version they were read at (admin edits of a
# sale move that version). Which sales run is worked out from them at each request, so a sale
# starting or ending moves the pages' cache key at that second, with no query.
_schedule: dict[str, list[tuple[int, datetime, datetime]]] = {}
NO_SALE = "no-sale"


def sale_state(now: datetime) -> str:
    """What pages are cached under besides the catalog version: the flash sales running now."""
    from catalog.cache import catalog_version

    version = catalog_version()
    schedule = _schedule.get(version)
    if schedule is None:
        schedule = list(
            FlashSale.objects.filter(ends_at__gt=now).values_list("pk", "starts_at", "ends_at")
        )
        _schedule.clear()
        _schedule[version] = schedule
    running = [str(pk) for pk, starts, ends in schedule if starts <= now < ends]
    if not running:
        return NO_SALE
    # While a sale runs, what is left of its items ("sisa N") has its own version: a sale
    # order moves only that one, not the whole catalog's.
    return "sale-" + "-".join(running) + ":" + sale_stock_version()


SALE_STOCK_KEY = "promotions:sale-stock"


def sale_stock_version() -> str:
    from catalog.cache import REUSE_SECONDS
    from storefront.pagecache import current_version

    return current_version(SALE_STOCK_KEY, reuse_for=REUSE_SECONDS)


def bump_sale_stock() -> None:
    """A flash-sale unit taken or given back: the pages showing what is left render anew."""
    from storefront.pagecache import new_version

    new_version(SALE_STOCK_KEY)


@dataclass
class RunningSale:
    sale: FlashSale
    items: list[SaleTile]  # in price order


@dataclass(frozen=True)
class SaleTile:
    """One item of the home page's flash-sale strip, at the price checkout charges."""

    variant: Variant
    quote: Quote


def running_sale(now: datetime) -> RunningSale | None:
    """The flash sale the home page shows: the one ending first among those running. No
    query when none runs (sale_state knows from the times it keeps)."""
    if sale_state(now) == NO_SALE:
        return None
    sale = FlashSale.objects.filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at").first()
    if sale is None:
        return None
    items = list(
        FlashSaleItem.objects.filter(
            for_sale("variant__"), for_sale("variant__product__"), sale=sale
        )
        .filter(Q(quantity__isnull=True) | Q(sold__lt=F("quantity")))  # sold out: not shown
        .select_related("variant__product")
        .order_by("sale_price")[:12]
    )
    # Priced by the same quote as checkout (guests' tier: the home page is one for all): a
    # price raised to the floor, the lowest of overlapping sales; no sale price, not shown.
    from .quote import price_items

    quotes = price_items([item.variant for item in items], now=now)
    tiles = [SaleTile(item.variant, quotes[item.variant_id]) for item in items]
    tiles = [tile for tile in tiles if tile.quote.sale_price is not None]
    tiles.sort(key=lambda tile: tile.quote.price)
    return RunningSale(sale=sale, items=tiles) if tiles else None


@dataclass
class MyTier:
    current: Tier | None
    for_sale: list[Tier]  # higher tiers the customer may buy from their balance


def tiers_for(user) -> MyTier:
    """My account: the customer's tier and the higher ones on sale (upgrade fee)."""
    from .quote import tier_of

    tiers = list(Tier.objects.order_by("order", "pk"))
    current = tier_of(user, tiers=tiers)
    higher = [
        tier
        for tier in tiers
        if tier.upgrade_fee is not None and (current is None or tier.order > current.order)
    ]
    return MyTier(current=current, for_sale=higher)
