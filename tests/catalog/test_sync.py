"""The catalog sync against the live sandbox."""

import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.cache import VERSION_KEY, catalog_version
from catalog.models import MarkupRule, Product, SyncRun, Variant
from isipay import IsipayClient
from isipay.sandbox import generated_catalog
from storefront.templatetags.money import rupiah

from ..conftest import SANDBOX_TOKEN
from ..factories import SyncRunFactory

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


# A sync of the demo catalog (or the generated one below) stays well under this many statements.
SYNC_CEILING = 100


def sync(client):
    return services.sync_catalog(client=client)


def catalog_writes(queries) -> list[str]:
    """Statements that wrote catalog rows (the sync's own run record excluded)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITES) and "catalog_syncrun" not in q["sql"]
    ]


def test_first_sync_mirrors_products_and_variants_with_prices_above_cost(isipay_client, sandbox):
    run = sync(isipay_client)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert Product.objects.count() == len(sandbox.catalog)
    expected_variants = sum(len(product.variants) for product in sandbox.catalog.values())
    assert Variant.objects.count() == expected_variants
    assert run.counts["products"]["created"] == len(sandbox.catalog)
    assert run.counts["variants"]["created"] == expected_variants
    assert not Variant.objects.filter(sell_price__lte=F("cost_price")).exists()
    ml = Product.objects.get(code="mobile-legends")
    assert [f["name"] for f in ml.account_fields] == ["user_id", "zone_id"]
    assert Variant.objects.get(code="MLBB_ID_5").cost_price == 1389


def test_unchanged_resync_writes_nothing(isipay_client, django_assert_max_num_queries):
    sync(isipay_client)
    stamps = dict(Variant.objects.values_list("code", "updated_at"))
    with django_assert_max_num_queries(SYNC_CEILING) as queries:
        run = sync(isipay_client)
    assert catalog_writes(queries.captured_queries) == []
    assert run.counts["variants"]["unchanged"] == len(stamps)
    assert dict(Variant.objects.values_list("code", "updated_at")) == stamps


def test_cost_change_updates_and_reprices(isipay_client, sandbox):
    sync(isipay_client)
    before = Variant.objects.get(code="MLBB_ID_5")
    sandbox.set_price("MLBB_ID_5", 5_000)
    run = sync(isipay_client)
    after = Variant.objects.get(code="MLBB_ID_5")
    assert after.cost_price == 5_000
    assert after.sell_price > 5_000
    assert after.updated_at > before.updated_at
    assert run.counts["variants"]["updated"] == 1
    untouched = Variant.objects.exclude(code="MLBB_ID_5").filter(updated_at__gt=before.updated_at)
    assert not untouched.exists()


def test_unlisted_items_are_retired_not_deleted_and_revived_when_back(isipay_client, sandbox):
    sync(isipay_client)
    product = sandbox.catalog["free-fire"]
    sandbox.remove_variant("MLBB_ID_5")
    sandbox.remove_product("free-fire")
    run = sync(isipay_client)
    assert run.counts["products"]["retired"] == 1
    assert run.counts["variants"]["retired"] == 1
    assert Variant.objects.get(code="MLBB_ID_5").retired_at is not None
    assert Product.objects.get(code="free-fire").retired_at is not None

    sandbox.catalog["free-fire"] = product
    sandbox.add_variant("mobile-legends", code="MLBB_ID_5", name="5 (5+0) Diamonds", price=1389)
    run = sync(isipay_client)
    assert run.counts["products"]["revived"] == 1
    assert run.counts["variants"]["revived"] == 1
    assert Variant.objects.get(code="MLBB_ID_5").retired_at is None
    assert Product.objects.get(code="free-fire").retired_at is None


def test_failed_product_listing_changes_nothing(isipay_client, sandbox):
    sync(isipay_client)
    snapshot = list(Variant.objects.values_list("code", "cost_price", "retired_at"))
    sandbox.remove_product("free-fire")
    sandbox.set_price("MLBB_ID_5", 9_999)
    sandbox.inject("/api/v1/product", "http500")
    run = sync(isipay_client)
    assert run.status == SyncRun.Status.FAILED
    assert "listing failed" in run.error
    assert list(Variant.objects.values_list("code", "cost_price", "retired_at")) == snapshot
    assert Product.objects.filter(retired_at__isnull=False).count() == 0


def test_variant_call_failure_keeps_that_products_variants_and_syncs_the_rest(
    isipay_client, sandbox
):
    sync(isipay_client)
    sandbox.set_price("MLBB_ID_5", 2_000)
    ff_code = next(iter(sandbox.catalog["free-fire"].variants))
    sandbox.set_price(ff_code, 7_777)
    sandbox.remove_variant(next(reversed(sandbox.catalog["mobile-legends"].variants)))
    sandbox.inject("/api/v1/variant", "http500", code="mobile-legends")
    run = sync(isipay_client)
    assert run.status == SyncRun.Status.PARTIAL
    assert "mobile-legends" in run.error
    assert Variant.objects.get(code="MLBB_ID_5").cost_price == 1389
    assert not Variant.objects.filter(product__code="mobile-legends", retired_at__isnull=False)
    assert Variant.objects.get(code=ff_code).cost_price == 7_777


def test_inactive_items_are_mirrored_but_not_for_sale(isipay_client, sandbox):
    sync(isipay_client)
    inactive = Variant.objects.filter(is_active=False)
    assert inactive.exists()
    assert Product.objects.filter(is_active=False).exists()


def test_statements_per_product_do_not_grow_with_variants(
    isipay_client, sandbox, django_assert_max_num_queries
):
    def statements(products: int, variants: int) -> int:
        Variant.objects.all().delete()
        Product.objects.all().delete()
        sandbox.catalog = generated_catalog(products=products, variants=variants)
        with django_assert_max_num_queries(SYNC_CEILING) as queries:
            sync(isipay_client)
        return len(queries.captured_queries)

    few_variants = statements(products=4, variants=5)
    many_variants = statements(products=4, variants=40)
    more_products = statements(products=8, variants=5)
    assert few_variants == many_variants
    per_product = (more_products - few_variants) / 4
    assert per_product == int(per_product) and per_product <= 8


def test_two_syncs_never_run_at_once(isipay_client):
    SyncRunFactory(status=SyncRun.Status.RUNNING)
    with pytest.raises(services.SyncAlreadyRunning):
        sync(isipay_client)
    assert Product.objects.count() == 0


def test_abandoned_run_does_not_block_forever(isipay_client):
    SyncRunFactory(
        status=SyncRun.Status.RUNNING, started_at=timezone.now() - services.STALE_RUN_AFTER * 2
    )
    assert sync(isipay_client).status == SyncRun.Status.SUCCEEDED


def test_rule_change_reprices_affected_variants_at_once(isipay_client):
    sync(isipay_client)
    ml = Product.objects.get(code="mobile-legends")
    others_before = dict(Variant.objects.exclude(product=ml).values_list("code", "sell_price"))
    rule = MarkupRule(product=ml, percent=Decimal("50"), round_to=1, min_margin=1)
    services.save_markup_rule(rule=rule)
    variant = Variant.objects.get(code="MLBB_ID_5")
    assert variant.sell_price == 1389 + 695
    assert dict(Variant.objects.exclude(product=ml).values_list("code", "sell_price")) == (
        others_before
    )
    services.delete_markup_rule(rule=rule)
    assert Variant.objects.get(code="MLBB_ID_5").sell_price != 1389 + 695


def test_sync_command_prints_counts(sandbox, capsys):
    call_command("sync_catalog")
    out = capsys.readouterr().out
    assert "products: created" in out
    assert "variants: created" in out
    assert "succeeded" in out


@pytest.mark.django_db(transaction=True)  # real commits: the version moves after each one
def test_a_games_new_price_shows_on_its_page_before_the_sync_ends(isipay_client, sandbox, client):
    sync(isipay_client)
    game = Product.objects.get(code="mobile-legends")
    url = reverse("catalog:game", args=[game.slug])
    old_price = Variant.objects.get(code="MLBB_ID_5").sell_price
    assert rupiah(old_price) in client.get(url).content.decode()  # the page is cached now
    sandbox.set_price("MLBB_ID_5", 5_000)
    last_game = list(sandbox.catalog)[-1]
    assert last_game != "mobile-legends"

    pages_during_sync = []

    class SlowIsipay(IsipayClient):
        """isipay holds the last game's answer; meanwhile a customer opens Mobile Legends'
        page, whose new prices were written while the sync goes on."""

        def variants(self, product_code):
            if product_code == last_game:
                deadline = time.monotonic() + 10
                page = client.get(url).content.decode()
                while rupiah(old_price) in page and time.monotonic() < deadline:
                    time.sleep(0.05)
                    page = client.get(url).content.decode()
                pages_during_sync.append(page)
                connection.close()  # this thread's own; the sync's thread pool ends with it
            return super().variants(product_code)

    sync(SlowIsipay(base_url=sandbox.url, token=SANDBOX_TOKEN, timeout=2))
    new_price = Variant.objects.get(code="MLBB_ID_5").sell_price
    assert new_price != old_price
    [page] = pages_during_sync
    assert rupiah(new_price) in page and rupiah(old_price) not in page


def test_a_sync_that_changes_nothing_keeps_the_cached_pages(
    isipay_client, sandbox, django_capture_on_commit_callbacks
):
    sync(isipay_client)
    version = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        sync(isipay_client)
    assert cache.get(VERSION_KEY) == version
    sandbox.set_price("MLBB_ID_5", 5_000)
    with django_capture_on_commit_callbacks(execute=True):
        sync(isipay_client)
    assert cache.get(VERSION_KEY) != version


def test_variant_lists_are_fetched_side_by_side_at_supplier_speed(isipay_client, sandbox, settings):
    settings.CATALOG_SYNC_CONCURRENCY = 4
    sandbox.set_latency("variant=0.2")
    run = sync(isipay_client)
    assert run.status == SyncRun.Status.SUCCEEDED
    # Four calls in flight, never more; every game mirrored as one by one would.
    assert sandbox.max_in_flight == 4
    expected_variants = sum(len(product.variants) for product in sandbox.catalog.values())
    assert Variant.objects.count() == expected_variants
