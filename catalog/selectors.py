"""Catalog reads used by pages: each a fixed number of queries, whatever the catalog size."""

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from .models import Product, SyncRun, Variant, for_sale


def variants_for_sale(product: Product) -> QuerySet[Variant]:
    return (
        Variant.objects.filter(for_sale(), product=product)
        .only("pk", "code", "name", "sell_price", "product_id")
        .order_by("sell_price", "code")
    )


def products_for_sale(*, search: str = "") -> QuerySet[Product]:
    """Games a customer can buy something in, with their lowest price, in the owner's order."""
    sellable = Variant.objects.filter(for_sale(), product=OuterRef("pk"))
    products = (
        Product.objects.filter(for_sale())
        .filter(Exists(sellable))
        .annotate(lowest_price=Min("variants__sell_price", filter=for_sale("variants__")))
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
    return Product.objects.filter(for_sale(), slug=slug).first()


def variant_for_sale(*, product: Product, code: str) -> Variant | None:
    return variants_for_sale(product).filter(code=code).first()


def recent_sync_runs(limit: int = 10) -> QuerySet[SyncRun]:
    return SyncRun.objects.order_by("-started_at")[:limit]
