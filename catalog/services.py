"""Catalog writes: the supplier sync, repricing, and markup-rule changes.

The sync writes in bulk with a constant number of statements per product, and writes nothing
at all for what did not change. It retires rather than deletes, and only after a successful
product listing; a failed variant call for one product leaves that product's variants as
they were. The catalog version moves as soon as each product's writes commit (not when the
whole run ends), so a game's page never shows old prices while the rest of a slow sync runs;
a product with nothing changed moves nothing. Variant lists are fetched a few at a time
(CATALOG_SYNC_CONCURRENCY): at a real supplier's few hundred milliseconds a call, one by one
would make a sync of 200 games take a minute; the writes stay in this thread, in order.
"""

import logging
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

import isipay
from storefront.celery import schedule

from . import account_fields
from .aliases import default_aliases
from .cache import bump_catalog_version
from .models import MarkupRule, Product, SyncRun, Variant
from .pricing import FALLBACK, Markup, RuleBook

logger = logging.getLogger(__name__)

# A run still "running" after this long was abandoned by a dead worker.
STALE_RUN_AFTER = timedelta(minutes=30)

# What the supplier says about a variant, as attributes, in the order of _supplier_values().
SUPPLIER_VARIANT_ATTRS = (
    "product_id",
    "supplier_id",
    "name",
    "is_active",
    "cost_price",
    "process_duration",
)


class SyncAlreadyRunning(Exception):
    pass


@dataclass
class SyncCounts:
    products: Counter = field(default_factory=Counter)
    variants: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        keys = ["created", "updated", "unchanged", "retired", "revived", "failed"]
        return {
            "products": {key: self.products[key] for key in keys},
            "variants": {key: self.variants[key] for key in keys if key != "failed"},
            "repriced": self.variants["repriced"],
        }


def sync_catalog(*, client: isipay.IsipayClient) -> SyncRun:
    """Mirror isipay's products and variants; returns the recorded run."""
    run = _start_run()
    counts = SyncCounts()
    try:
        listing = client.products()
    except isipay.IsipayError as exc:
        logger.warning("catalog sync: product listing failed, nothing changed: %s", exc)
        return _finish_run(run, counts, error=f"Product listing failed: {exc}")

    now = timezone.now()
    rules = load_rulebook()
    products = _sync_products(listing, now=now, counts=counts)
    for product, supplier_variants in _fetch_variants(client, products):
        if isinstance(supplier_variants, isipay.IsipayError):
            counts.products["failed"] += 1
            counts.errors.append(f"{product.code}: {supplier_variants}")
            logger.warning(
                "catalog sync: variants of %s kept as they were: %s",
                product.code,
                supplier_variants,
            )
            continue
        _sync_variants(product, supplier_variants, rules=rules, now=now, counts=counts)
    return _finish_run(run, counts)


def _fetch_variants(
    client: isipay.IsipayClient, products: list[Product]
) -> Iterator[tuple[Product, list[isipay.Variant] | isipay.IsipayError]]:
    """Each product's variant list (or the error that replaced it), in product order, with up
    to CATALOG_SYNC_CONCURRENCY calls in flight. Only network waits run in the threads."""

    def fetch(product: Product) -> list[isipay.Variant] | isipay.IsipayError:
        try:
            return client.variants(product.code)
        except isipay.IsipayError as exc:
            return exc

    pool = ThreadPoolExecutor(settings.CATALOG_SYNC_CONCURRENCY, "catalog-sync")
    try:
        yield from zip(products, pool.map(fetch, products), strict=True)
    finally:
        pool.shutdown(cancel_futures=True)


def _start_run() -> SyncRun:
    SyncRun.objects.filter(
        status=SyncRun.Status.RUNNING, started_at__lt=timezone.now() - STALE_RUN_AFTER
    ).update(status=SyncRun.Status.FAILED, finished_at=timezone.now(), error="Abandoned.")
    try:
        with transaction.atomic():
            return SyncRun.objects.create(status=SyncRun.Status.RUNNING)
    except IntegrityError as exc:
        raise SyncAlreadyRunning("another catalog sync is running") from exc


def _finish_run(run: SyncRun, counts: SyncCounts, *, error: str = "") -> SyncRun:
    # No version move here: each write moved it as it committed (_sync_products/_variants).
    if error:
        run.status = SyncRun.Status.FAILED
    elif counts.products["failed"]:
        run.status = SyncRun.Status.PARTIAL
    else:
        run.status = SyncRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.counts = counts.as_dict()
    run.error = "\n".join([error, *counts.errors]).strip()
    run.save(update_fields=["status", "finished_at", "counts", "error"])
    logger.info("catalog sync %s: %s", run.status, run.counts)
    return run


def _sync_products(listing: list[isipay.Product], *, now, counts: SyncCounts) -> list[Product]:
    """Upsert the listed products in bulk, retire the unlisted; returns listed products."""
    existing = {product.code: product for product in Product.objects.all()}
    taken_slugs = {product.slug for product in existing.values()}
    listed, new, changed = [], [], []
    for item in {item.code: item for item in listing}.values():
        product = existing.get(item.code)
        if product is None:
            fields, template = account_fields.preset_for(item.code)
            product = Product(
                code=item.code,
                name=item.name,
                slug=_unique_slug(item.code, taken_slugs),
                is_active=item.is_active,
                account_fields=fields,
                data_template=template,
                search_aliases=default_aliases(code=item.code, name=item.name),
                created_at=now,
                updated_at=now,
            )
            new.append(product)
            counts.products["created"] += 1
        elif (product.name, product.is_active, product.retired_at) != (
            item.name,
            item.is_active,
            None,
        ):
            counts.products["revived" if product.retired_at else "updated"] += 1
            product.name, product.is_active = item.name, item.is_active
            product.retired_at, product.updated_at = None, now
            changed.append(product)
        else:
            counts.products["unchanged"] += 1
        listed.append(product)

    listed_codes = {product.code for product in listed}
    retire = [
        p.pk for p in existing.values() if p.retired_at is None and p.code not in listed_codes
    ]
    with transaction.atomic():
        Product.objects.bulk_create(new)
        Product.objects.bulk_update(changed, ["name", "is_active", "retired_at", "updated_at"])
        if retire:
            Product.objects.filter(pk__in=retire).update(retired_at=now, updated_at=now)
    if new or changed or retire:
        transaction.on_commit(bump_catalog_version)  # at once when no transaction is open
    counts.products["retired"] += len(retire)
    return listed


def _unique_slug(code: str, taken: set[str]) -> str:
    base = slugify(code)[:110] or "game"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _sync_variants(
    product: Product,
    supplier_variants: list[isipay.Variant],
    *,
    rules: RuleBook,
    now,
    counts: SyncCounts,
) -> None:
    items = {item.code: item for item in supplier_variants}
    # Also by code: a variant the supplier moved to another product is the same row.
    existing = {
        variant.code: variant
        for variant in Variant.objects.filter(product=product)
        | Variant.objects.filter(code__in=list(items))
    }
    new, changed = [], []
    for item in items.values():
        wanted = _supplier_values(product, item)
        variant = existing.get(item.code)
        if variant is None:
            variant = Variant(code=item.code, created_at=now, updated_at=now)
            new.append(variant)
            counts.variants["created"] += 1
        elif _supplier_state(variant) == wanted and variant.retired_at is None:
            counts.variants["unchanged"] += 1
            continue
        else:
            counts.variants["revived" if variant.retired_at else "updated"] += 1
            changed.append(variant)
        cost_changed = variant.cost_price != item.price
        for attr, value in zip(SUPPLIER_VARIANT_ATTRS, wanted, strict=True):
            setattr(variant, attr, value)
        variant.retired_at, variant.updated_at = None, now
        if cost_changed:
            price = rules.price(cost=item.price, product_id=product.pk, variant_id=variant.pk)
            if variant.pk and price != variant.sell_price:
                counts.variants["repriced"] += 1
            variant.sell_price = price

    retire = [
        v.pk
        for v in existing.values()
        if v.product_id == product.pk and v.retired_at is None and v.code not in items
    ]
    if not (new or changed or retire):
        return
    with transaction.atomic():
        Variant.objects.bulk_create(new)
        Variant.objects.bulk_update(
            changed, [*SUPPLIER_VARIANT_ATTRS, "sell_price", "retired_at", "updated_at"]
        )
        if retire:
            Variant.objects.filter(pk__in=retire).update(retired_at=now, updated_at=now)
    # This game's new prices show now, not when the whole run ends: in this process at once,
    # in a web process within catalog.cache.REUSE_SECONDS.
    transaction.on_commit(bump_catalog_version)
    counts.variants["retired"] += len(retire)


# --- pricing -------------------------------------------------------------------------------


def _supplier_values(product: Product, item: isipay.Variant) -> tuple:
    return (
        product.pk,
        item.supplier_id,
        item.name,
        item.is_active,
        item.price,
        item.process_duration,
    )


def _supplier_state(variant: Variant) -> tuple:
    return tuple(getattr(variant, attr) for attr in SUPPLIER_VARIANT_ATTRS)


READING_POLL_FIRST, READING_POLL_CAP = 0.05, 1.0  # seconds between looks at another's reading


class ReadingBusy(Exception):
    """Another worker is reading this game's variants and has not finished in time."""


def refresh_variants(
    *, client: isipay.IsipayClient, product_id: int, max_age: float, wait: float
) -> datetime:
    """Make sure the game's variants mirror an isipay reading at most `max_age` seconds old;
    returns when that reading was asked for.

    One /variant call per game at a time, and none while the last reading is fresh: the
    caller that claims the reading (a conditional UPDATE) asks isipay, the others wait up to
    `wait` seconds for its result, looking with growing pauses. The reading is written as the
    sync writes it (costs, and the sell prices they imply). Raises isipay.IsipayError when
    isipay cannot be read, and ReadingBusy when another reader took longer than `wait`.
    """
    deadline = time.monotonic() + wait
    pause = READING_POLL_FIRST
    while True:
        now = timezone.now()
        fresh = Q(variants_read_at__gte=now - timedelta(seconds=max_age))
        read_at = (
            Product.objects.filter(fresh, pk=product_id)
            .values_list("variants_read_at", flat=True)
            .first()
        )
        if read_at is not None:
            return read_at
        free = Q(variants_reading_since__isnull=True) | Q(
            variants_reading_since__lt=now - timedelta(seconds=wait)
        )
        if Product.objects.filter(free, pk=product_id).update(variants_reading_since=now):
            break
        left = deadline - time.monotonic()
        if left <= 0:
            raise ReadingBusy(Product.objects.values_list("code", flat=True).get(pk=product_id))
        # Growing pauses: a burst of orders for one game waiting on its reading asks the
        # database a few times a second at first, then about once a second each.
        time.sleep(min(pause, left))
        pause = min(pause * 2, READING_POLL_CAP)

    mine = Product.objects.filter(pk=product_id, variants_reading_since=now)
    product = Product.objects.get(pk=product_id)
    try:
        supplier_variants = client.variants(product.code)
    except isipay.IsipayError:
        mine.update(variants_reading_since=None)
        raise
    counts = SyncCounts()
    _sync_variants(product, supplier_variants, rules=load_rulebook(), now=now, counts=counts)
    Product.objects.filter(pk=product_id).update(variants_read_at=now)
    # _sync_variants moved the catalog version if anything changed (once, on commit).
    mine.update(variants_reading_since=None)
    if counts.variants["repriced"]:
        logger.info("variants of %s re-read before an order: %s", product.code, counts.as_dict())
    return now


def load_rulebook() -> RuleBook:
    global_rule, by_product, by_variant = FALLBACK, {}, {}
    for rule in MarkupRule.objects.all():
        markup = Markup(
            percent=rule.percent,
            fixed=rule.fixed,
            round_to=rule.round_to,
            min_margin=rule.min_margin,
        )
        if rule.variant_id:
            by_variant[rule.variant_id] = markup
        elif rule.product_id:
            by_product[rule.product_id] = markup
        else:
            global_rule = markup
    return RuleBook(global_rule=global_rule, by_product=by_product, by_variant=by_variant)


def reprice(*, variants: QuerySet[Variant] | None = None) -> int:
    """Recompute sell prices from the rules; writes only the prices that change."""
    rules = load_rulebook()
    now = timezone.now()
    queryset = Variant.objects.all() if variants is None else variants
    changed = []
    for variant in queryset.only("pk", "product_id", "cost_price", "sell_price"):
        price = rules.price(
            cost=variant.cost_price, product_id=variant.product_id, variant_id=variant.pk
        )
        if price != variant.sell_price:
            variant.sell_price, variant.updated_at = price, now
            changed.append(variant)
    Variant.objects.bulk_update(changed, ["sell_price", "updated_at"], batch_size=500)
    if changed:
        transaction.on_commit(bump_catalog_version)
    return len(changed)


def variants_under_rule(rule: MarkupRule) -> QuerySet[Variant]:
    if rule.variant_id:
        return Variant.objects.filter(pk=rule.variant_id)
    if rule.product_id:
        return Variant.objects.filter(product_id=rule.product_id)
    return Variant.objects.all()


@transaction.atomic
def save_markup_rule(*, rule: MarkupRule) -> int:
    """Save a rule and reprice what it governs at once; returns how many prices changed."""
    rule.full_clean()
    rule.save()
    return reprice(variants=variants_under_rule(rule))


@transaction.atomic
def delete_markup_rule(*, rule: MarkupRule) -> int:
    affected = variants_under_rule(rule)
    affected_ids = list(affected.values_list("pk", flat=True))
    rule.delete()
    return reprice(variants=Variant.objects.filter(pk__in=affected_ids))


# --- markup management (back office) -------------------------------------------------------
# Previews compute prices with the same RuleBook.price the saves use, over the same variants,
# so a preview shows exactly what the save will write.


class PriceNotAboveCost(ValueError):
    """A sell price at or below the supplier cost: never saved."""

    def __init__(self, *, price: int, cost: int) -> None:
        super().__init__(f"a sell price of {price} is not above the cost of {cost}")
        self.price = price
        self.cost = cost


@dataclass(frozen=True)
class PriceChange:
    """One variant's price now and under the rules being previewed."""

    variant_id: int
    product: str
    name: str
    code: str
    cost: int
    current: int
    new: int
    for_sale: bool

    @property
    def changed(self) -> bool:
        return self.new != self.current

    @property
    def margin(self) -> int:
        return self.new - self.cost

    @property
    def margin_percent(self) -> float | None:
        return round(self.margin * 100 / self.cost, 1) if self.cost else None


def markup_of(rule: MarkupRule) -> Markup:
    return Markup(
        percent=rule.percent, fixed=rule.fixed, round_to=rule.round_to, min_margin=rule.min_margin
    )


def rulebook_with(
    *,
    global_rule: Markup | None = None,
    by_product: dict[int, Markup] | None = None,
    by_variant: dict[int, Markup] | None = None,
) -> RuleBook:
    """The saved rules with some added or replaced: the rules as they will be after a save."""
    saved = load_rulebook()
    return RuleBook(
        global_rule=global_rule or saved.global_rule,
        by_product={**(saved.by_product or {}), **(by_product or {})},
        by_variant={**(saved.by_variant or {}), **(by_variant or {})},
    )


PREVIEW_FIELDS = (
    "pk",
    "product",
    "code",
    "name",
    "cost_price",
    "sell_price",
    "is_active",
    "is_listed",
    "retired_at",
    "product__name",
    "product__display_name",
)


def price_changes(*, rules: RuleBook, variants: QuerySet[Variant]) -> list[PriceChange]:
    """What `rules` would make of each variant's price; reads only, writes nothing."""
    rows = (
        variants.select_related("product")
        .only(*PREVIEW_FIELDS)
        .order_by("product__sort_order", "product__name", "cost_price", "code")
    )
    return [
        PriceChange(
            variant_id=variant.pk,
            product=variant.product.title,
            name=variant.name,
            code=variant.code,
            cost=variant.cost_price,
            current=variant.sell_price,
            new=rules.price(
                cost=variant.cost_price, product_id=variant.product_id, variant_id=variant.pk
            ),
            for_sale=variant.is_for_sale,
        )
        for variant in rows
    ]


def preview_markup_rule(*, rule: MarkupRule) -> list[PriceChange]:
    """The prices save_markup_rule(rule=rule) would set, for the variants it would reprice."""
    markup = markup_of(rule)
    if rule.variant_id:
        rules = rulebook_with(by_variant={rule.variant_id: markup})
    elif rule.product_id:
        rules = rulebook_with(by_product={rule.product_id: markup})
    else:
        rules = rulebook_with(global_rule=markup)
    return price_changes(rules=rules, variants=variants_under_rule(rule))


def preview_product_markup(*, products: QuerySet[Product], markup: Markup) -> list[PriceChange]:
    ids = list(products.values_list("pk", flat=True))
    rules = rulebook_with(by_product=dict.fromkeys(ids, markup))
    return price_changes(rules=rules, variants=Variant.objects.filter(product_id__in=ids))


def preview_variant_markup(*, variants: QuerySet[Variant], markup: Markup) -> list[PriceChange]:
    ids = list(variants.values_list("pk", flat=True))
    rules = rulebook_with(by_variant=dict.fromkeys(ids, markup))
    return price_changes(rules=rules, variants=Variant.objects.filter(pk__in=ids))


@transaction.atomic
def apply_product_markup(*, products: QuerySet[Product], markup: Markup) -> int:
    """Give each game its own rule with this markup (created or updated); returns prices changed.

    Rules are saved one by one so that each change is recorded in the markup history.
    """
    ids = list(products.values_list("pk", flat=True))
    _save_scoped_rules("product_id", ids, markup)
    return reprice(variants=Variant.objects.filter(product_id__in=ids))


@transaction.atomic
def apply_variant_markup(*, variants: QuerySet[Variant], markup: Markup) -> int:
    """Give each variant its own rule with this markup (created or updated); returns prices
    changed. Rules are saved one by one so that each change is recorded in the markup history.
    """
    ids = list(variants.values_list("pk", flat=True))
    _save_scoped_rules("variant_id", ids, markup)
    return reprice(variants=Variant.objects.filter(pk__in=ids))


def _save_scoped_rules(scope: str, ids: list[int], markup: Markup) -> None:
    existing = {
        getattr(rule, scope): rule for rule in MarkupRule.objects.filter(**{f"{scope}__in": ids})
    }
    for pk in ids:
        rule = existing.get(pk) or MarkupRule(**{scope: pk})
        if rule.pk and markup_of(rule) == markup:
            continue  # unchanged: no save, no history entry
        rule.percent, rule.fixed = markup.percent, markup.fixed
        rule.round_to, rule.min_margin = markup.round_to, markup.min_margin
        rule.save()


@transaction.atomic
def set_variant_price(*, variant: Variant, price: int) -> int:
    """Set one variant's sell price by hand, as its own rule: cost + a fixed margin, so the
    price keeps that margin when the supplier cost changes. A price at or below cost is refused.
    Returns how many prices changed (0 or 1).
    """
    cost = Variant.objects.filter(pk=variant.pk).values_list("cost_price", flat=True).get()
    if price <= cost:
        raise PriceNotAboveCost(price=price, cost=cost)
    rule = MarkupRule.objects.filter(variant_id=variant.pk).first() or MarkupRule(variant=variant)
    rule.percent, rule.fixed, rule.round_to, rule.min_margin = Decimal(0), price - cost, 1, 1
    return save_markup_rule(rule=rule)


def set_listed(*, rows: QuerySet[Product] | QuerySet[Variant], listed: bool) -> int:
    """Put games or variants on sale or take them off; returns how many changed."""
    changed = rows.exclude(is_listed=listed).update(is_listed=listed, updated_at=timezone.now())
    if changed:
        transaction.on_commit(bump_catalog_version)
    return changed


def request_sync() -> bool:
    """Ask a worker for a catalog sync once this transaction commits.

    False, and nothing enqueued, when a sync is running already.
    """
    running = SyncRun.objects.filter(
        status=SyncRun.Status.RUNNING, started_at__gte=timezone.now() - STALE_RUN_AFTER
    ).exists()
    if running:
        return False
    schedule("catalog.sync_catalog")
    return True
