"""Sell prices from supplier cost and markup rules. Pure functions: no I/O, integer rupiah.

sell = cost + ceil(cost × percent / 100) + fixed, at least cost + min_margin, then rounded
UP to a multiple of round_to. Rounding up keeps the floor, so sell > cost always holds.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Markup:
    percent: Decimal = Decimal("0")
    fixed: int = 0
    round_to: int = 100
    min_margin: int = 100

    def __post_init__(self) -> None:
        if self.percent < 0 or self.fixed < 0:
            raise ValueError("a markup cannot be negative")
        if self.round_to < 1 or self.min_margin < 1:
            raise ValueError("round_to and min_margin must be at least 1 rupiah")


# Used only when the shop has no global rule at all (the migration creates one).
FALLBACK = Markup(percent=Decimal("10"), fixed=0, round_to=100, min_margin=100)


def sell_price(cost: int, markup: Markup) -> int:
    if cost < 0:
        raise ValueError("cost cannot be negative")
    raw = cost + math.ceil(Decimal(cost) * markup.percent / 100) + markup.fixed
    raw = max(raw, cost + markup.min_margin)
    return -(-raw // markup.round_to) * markup.round_to


@dataclass(frozen=True)
class RuleBook:
    """All markup rules, resolved most-specific first: variant, then product, then global."""

    global_rule: Markup = FALLBACK
    by_product: Mapping[int, Markup] | None = None
    by_variant: Mapping[int, Markup] | None = None

    def markup_for(self, *, product_id: int, variant_id: int | None) -> Markup:
        if variant_id is not None and self.by_variant and variant_id in self.by_variant:
            return self.by_variant[variant_id]
        if self.by_product and product_id in self.by_product:
            return self.by_product[product_id]
        return self.global_rule

    def price(self, *, cost: int, product_id: int, variant_id: int | None) -> int:
        return sell_price(cost, self.markup_for(product_id=product_id, variant_id=variant_id))
