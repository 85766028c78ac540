"""Catalog sync (budget 4) and queries per request (budget 3), for one catalog size.

python -m bench.catalog_bench PRODUCTS [--resync]

Syncs a generated catalog of PRODUCTS x 50 variants from a SandboxServer on localhost (a real
IsipayClient over HTTP) into this part's scratch database, counting every statement; with
--resync, syncs the unchanged catalog again and counts the catalog rows written. Then counts the
queries of home, game page, order page and order status fragment with Django's test client,
each on the uncached path (cache cleared before the request).
"""

import sys
import time

from bench.common import SANDBOX_TOKEN, StatementCounter, emit, migrate, setup_django


def main() -> None:
    products = int(sys.argv[1])
    resync = "--resync" in sys.argv
    setup_django()
    migrate()

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.budgets import SYNC_VARIANTS
    from catalog import selectors
    from catalog import services as catalog_services
    from catalog.models import Product, Variant
    from catalog.services import sync_catalog
    from isipay import IsipayClient
    from isipay.sandbox import SandboxServer
    from isipay.sandbox.catalog import generated_catalog
    from orders import services as order_services
    from storefront.pagecache import forget_local_copies

    figures: dict = {"products": products, "variants_per_product": SYNC_VARIANTS}
    catalog = generated_catalog(products, SYNC_VARIANTS)
    with SandboxServer(token=SANDBOX_TOKEN, catalog=catalog) as sb:
        client = IsipayClient(base_url=sb.url, token=SANDBOX_TOKEN)
        counter = StatementCounter()
        per_product: list[int] = []
        original = catalog_services._sync_variants

        def counted(*args, **kwargs):  # statements of one product's variant write
            before = counter.statements
            result = original(*args, **kwargs)
            per_product.append(counter.statements - before)
            return result

        catalog_services._sync_variants = counted
        try:
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                run = sync_catalog(client=client)
                figures["first_sync_seconds"] = time.perf_counter() - started
        finally:
            catalog_services._sync_variants = original
        figures["first_sync_statements"] = counter.statements
        figures["statements_per_product_min"] = min(per_product)
        figures["statements_per_product_max"] = max(per_product)
        figures["first_sync_status"] = run.status
        figures["products_in_db"] = Product.objects.count()
        figures["variants_in_db"] = Variant.objects.count()
        if resync:
            counter = StatementCounter()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                run = sync_catalog(client=client)
                figures["resync_seconds"] = time.perf_counter() - started
            figures["resync_statements"] = counter.statements
            figures["resync_catalog_rows_written"] = counter.catalog_rows_written
            figures["resync_catalog_write_statements"] = counter.catalog_write_statements
            figures["resync_status"] = run.status

    product = selectors.product_for_sale(Product.objects.get(code="game-0001").slug)
    variant = selectors.variants_for_sale(product).first()
    variant = Variant.objects.select_related("product").get(pk=variant.pk)
    order = order_services.create_order(
        variant=variant, account={"user_id": "123456789"}, contact_email="bench@example.com"
    )
    figures["game_slug"] = product.slug
    figures["order_number"] = order.number

    # Production shape: requests come through the TLS proxy (SECURE_SSL_REDIRECT stays on).
    web = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    pages = {
        "home": "/",
        "game": f"/games/{product.slug}/",
        "order": f"/orders/{order.number}/",
        "order_status": f"/orders/{order.number}/status/",
    }
    queries = {}
    for name, url in pages.items():
        cache.clear()
        forget_local_copies()
        assert web.get(url).status_code == 200, url  # warm the process, then measure
        cache.clear()
        forget_local_copies()
        with CaptureQueriesContext(connection) as captured:
            response = web.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries[name] = len(captured)
    figures["queries"] = queries
    figures |= promotions_setup(web)
    emit(figures)


def promotions_setup(web) -> dict:
    """Issue 15's pages (budget 1): a member with a session the page bench sends as a cookie,
    and a flash sale running on another game's items for the whole run. Made after the query
    counts, which stay those of the pages without them."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from catalog import selectors
    from catalog.models import Product
    from promotions.models import CustomerTier, FlashSale, FlashSaleItem, Tier

    member = User.objects.create_user(
        username="bench-member", email="member@example.com", password=None
    )
    tier = Tier.objects.order_by("order", "pk")[1:2].first()  # Member, the first above Umum
    if tier is not None:
        CustomerTier.objects.create(user=member, tier=tier)
    web.force_login(member)
    page = web.get(f"/games/{Product.objects.get(code='game-0001').slug}/")
    assert page.status_code == 200 and page.wsgi_request.user.is_authenticated  # not a guest's
    product = selectors.product_for_sale(Product.objects.get(code="game-0002").slug)
    now = timezone.now()
    sale = FlashSale.objects.create(
        name="Bench flash sale", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)
    )
    for variant in selectors.variants_for_sale(product)[:10]:
        FlashSaleItem.objects.create(
            sale=sale,
            variant=variant,
            sale_price=max(variant.sell_price * 9 // 10, variant.cost_price + 100),
            quantity=1_000,
        )
    session = web.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "member_cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
        "sale_game_slug": product.slug,
    }


if __name__ == "__main__":
    main()
