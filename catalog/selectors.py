"""Catalog reads used by pages: each a fixed number of queries, whatever the catalog size."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from .categories import Category, category_of
from .models import Product, SyncRun, Variant, for_sale


def variants_for_sale(product: Product) -> QuerySet[Variant]:
    return (
        Variant.objects.filter(for_sale(), product=product)
        .only("pk", "code", "name", "sell_price", "cost_price", "product_id")
        .order_by("sell_price", "code")
    )


def products_for_sale(*, search: str = "") -> QuerySet[Product]:
    """Games a customer can buy something in, with their lowest price, in the owner's order."""
    sellable = Variant.objects.filter(for_sale(), product=OuterRef("pk"))
    products = (
        Product.objects.filter(for_sale())
        .filter(Exists(sellable))
        .annotate(
            lowest_price=Min("variants__sell_price", filter=for_sale("variants__")),
            # Kept by the game status task (gamestatus.services.refresh), never counted here.
            recent_sales=Coalesce(
                "live_status__recent_sales", Value(0), output_field=IntegerField()
            ),
        )
        .order_by("sort_order", "display_name", "name")
    )
    if search := search.strip():
        products = products.filter(
            Q(name__icontains=search)
            | Q(display_name__icontains=search)
            | Q(code__icontains=search)
            | Q(search_aliases__icontains=search)
        )
    return products


def product_for_sale(slug: str) -> Product | None:
    """The game with its status row (the badge on its page) in the same query."""
    return Product.objects.filter(for_sale(), slug=slug).select_related("live_status").first()


@dataclass(frozen=True)
class Shelf:
    category: Category
    products: list[Product]


@dataclass(frozen=True)
class HomeShelves:
    popular: list[Product]
    by_category: list[Shelf]


def home_shelves(products: list[Product]) -> HomeShelves:
    """The home page's sections from the games for sale (products_for_sale, in the owner's
    order): Popular (pinned games in pin order, then the best sellers of the last days, then
    the owner's order, POPULAR_GAMES at most) and one shelf per category that has games."""

    def sales(product: Product) -> int:
        return getattr(product, "recent_sales", 0)  # annotated by products_for_sale

    pinned = sorted(
        (p for p in products if p.pin_order is not None), key=lambda p: p.pin_order or 0
    )
    selling = sorted(
        (p for p in products if p.pin_order is None and sales(p)),
        key=lambda p: -sales(p),  # sorted() is stable: ties keep the owner's order
    )
    rest = [p for p in products if p.pin_order is None and not sales(p)]
    popular = [*pinned, *selling, *rest][: settings.POPULAR_GAMES]
    shelves: dict[Category, list[Product]] = {category: [] for category in Category}
    for product in products:
        shelves[category_of(product)].append(product)
    return HomeShelves(
        popular=popular,
        by_category=[Shelf(category, items) for category, items in shelves.items() if items],
    )


def price_list() -> list[tuple[Product, list[Variant]]]:
    """Every game for sale with every item for sale and its current price: two queries."""
    products = list(
        Product.objects.filter(for_sale())
        .annotate(n_for_sale=Count("variants", filter=for_sale("variants__")))
        .filter(n_for_sale__gt=0)
        .order_by("sort_order", "display_name", "name")
    )
    variants: dict[int, list[Variant]] = {product.pk: [] for product in products}
    rows = (
        Variant.objects.filter(for_sale(), product_id__in=variants)
        .only("pk", "code", "name", "sell_price", "cost_price", "product_id")
        .order_by("sell_price", "code")
    )
    for variant in rows:
        variants[variant.product_id].append(variant)
    return [(product, variants[product.pk]) for product in products]


def variant_for_sale(*, product: Product, code: str) -> Variant | None:
    return variants_for_sale(product).filter(code=code).first()


def recent_sync_runs(limit: int = 10) -> QuerySet[SyncRun]:
    return SyncRun.objects.order_by("-started_at")[:limit]
