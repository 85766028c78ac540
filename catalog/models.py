"""The supplier catalog mirrored locally, the shop's own fields on it, and the markup rules.

Supplier fields (code, name, is_active, cost_price, process_duration) are written only by the
sync; shop fields (display name, icon, sort order, account fields, for-sale flags) only by the
shop owner. Nothing is ever deleted: orders point at variants, so the sync retires instead.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .account_fields import DEFAULT_TEMPLATE, preset_for, validate_spec
from .categories import Category


def _default_fields() -> list[dict]:
    return preset_for("")[0]


# "On sale", for a game and for one of its items alike: the supplier offers it, the owner
# lists it, and the last sync still found it. Pages filter on it; checkout asks a row.
FOR_SALE = {"is_active": True, "is_listed": True, "retired_at": None}


def for_sale(relation: str = "") -> Q:
    """FOR_SALE as a filter, on the model itself or through a relation ("variants__")."""
    return Q(**{f"{relation}{field}": value for field, value in FOR_SALE.items()})


class ForSale:
    @property
    def is_for_sale(self) -> bool:
        return all(getattr(self, field) == value for field, value in FOR_SALE.items())


class Product(ForSale, models.Model):
    code = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200, help_text="The supplier's name for the game.")
    slug = models.SlugField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True, help_text="As the supplier says.")
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the supplier stopped listing the game."
    )

    display_name = models.CharField(
        max_length=200, blank=True, help_text="Shown to customers instead of the supplier's name."
    )
    icon = models.ImageField(upload_to="games/", blank=True)
    sort_order = models.PositiveIntegerField(default=100, help_text="Lower comes first.")
    search_aliases = models.CharField(
        max_length=500,
        blank=True,
        help_text="Other names customers search for, separated by commas or spaces, "
        'e.g. "ML, MLBB". Search matches any part of these, the name and the code.',
    )
    is_listed = models.BooleanField("on sale", default=True, help_text="Offered in the shop.")
    account_fields = models.JSONField(
        default=_default_fields,
        help_text='Fields the customer fills, e.g. [{"name": "user_id", "label": "User ID", '
        '"kind": "digits", "min": 4, "max": 20}]. Kinds: digits, text, choice (with "choices").',
    )
    # Merchandising (home page, game page, search engines): the owner's, never the sync's.
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=Category.choices,
        blank=True,
        help_text=_("Empty: guessed from the supplier's code and name."),
    )
    pin_order = models.PositiveSmallIntegerField(
        _("pinned position"),
        null=True,
        blank=True,
        help_text=_(
            "Pinned games lead the Popular list in this order (1 first); "
            "empty: placed by recent sales."
        ),
    )
    id_help_text = models.TextField(
        _("where is my ID? (Indonesian)"),
        blank=True,
        help_text=_("Shown beside the account fields: how to find the ID in the game."),
    )
    id_help_text_en = models.TextField(
        _("where is my ID? (English)"), blank=True, help_text=_("Empty: the Indonesian text.")
    )
    id_help_image = models.ImageField(
        _("where is my ID? image"),
        upload_to="games/help/",
        blank=True,
        help_text=_("A screenshot with the ID marked."),
    )
    seo_title = models.CharField(
        _("page title for search engines"),
        max_length=70,
        blank=True,
        help_text=_('Empty: "Top up <game> murah".'),
    )
    meta_description = models.CharField(
        _("meta description"),
        max_length=160,
        blank=True,
        help_text=_("Shown under the title in search results. Empty: written from the prices."),
    )
    data_template = models.CharField(
        max_length=200,
        default=DEFAULT_TEMPLATE,
        help_text="How the fields join into the supplier's data string, "
        'e.g. "{user_id}({zone_id})".',
    )
    # The last reading of this game's variants from isipay (the time it was asked for), and
    # a claim on taking the next one: one /variant call per game at a time (catalog.services.
    # refresh_variants, before an order is placed).
    variants_read_at = models.DateTimeField(null=True, blank=True, editable=False)
    variants_reading_since = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.display_name or self.name

    def clean(self) -> None:
        problems = validate_spec(self.account_fields, self.data_template)
        if problems:
            raise ValidationError({"account_fields": problems})


class Variant(ForSale, models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="variants")
    supplier_id = models.BigIntegerField()
    code = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=300)
    is_active = models.BooleanField(default=True, help_text="As the supplier says.")
    cost_price = models.PositiveBigIntegerField(help_text="What isipay charges, in rupiah.")
    process_duration = models.PositiveIntegerField(
        default=0, help_text="Seconds the supplier expects to need."
    )
    sell_price = models.PositiveBigIntegerField(help_text="What the customer pays, in rupiah.")
    is_listed = models.BooleanField("on sale", default=True, help_text="Offered in the shop.")
    retired_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["product", "cost_price", "code"]
        constraints = [
            # The promise "never sell below cost", held by the database itself.
            models.CheckConstraint(
                condition=Q(sell_price__gt=models.F("cost_price")),
                name="variant_sell_price_above_cost",
            ),
        ]
        indexes = [models.Index(fields=["product", "sell_price"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def margin(self) -> int:
        return self.sell_price - self.cost_price


class MarkupRule(models.Model):
    """A markup: global (no product, no variant), per product, or per variant.

    The most specific rule wins: variant over product over global.
    """

    product = models.OneToOneField(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="markup_rule"
    )
    variant = models.OneToOneField(
        Variant, null=True, blank=True, on_delete=models.CASCADE, related_name="markup_rule"
    )
    percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Percent of cost added, e.g. 7.5.",
    )
    fixed = models.PositiveIntegerField(default=0, help_text="Rupiah added after the percent.")
    round_to = models.PositiveIntegerField(
        default=100,
        validators=[MinValueValidator(1)],
        help_text="The price is rounded up to a multiple of this many rupiah.",
    )
    min_margin = models.PositiveIntegerField(
        default=100,
        validators=[MinValueValidator(1)],
        help_text="The price is at least cost plus this many rupiah.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=True) | Q(variant__isnull=True),
                name="markup_rule_one_scope",
            ),
            # One global rule: with no scope both columns coalesce to 0, and (0, 0) is unique.
            models.UniqueConstraint(
                Coalesce("product", 0),
                Coalesce("variant", 0),
                name="markup_rule_single_global",
                violation_error_message="There is already a global markup rule.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label}: {self.percent}% + Rp {self.fixed}"

    @property
    def scope_label(self) -> str:
        if self.variant_id:
            return f"Variant {self.variant}"
        if self.product_id:
            return f"Game {self.product}"
        return "Global default"


class SyncRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        PARTIAL = "partial", "succeeded with product failures"
        FAILED = "failed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # Two syncs never run at once: a second "running" row cannot be inserted.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running"),
                name="sync_run_one_running",
            )
        ]

    def __str__(self) -> str:
        return f"Sync {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None

    # A fixed order: PostgreSQL's jsonb keeps no key order.
    COUNT_KEYS = ("created", "updated", "unchanged", "retired", "revived", "failed")

    @classmethod
    def describe_counts(cls, values: dict | None) -> str:
        """{"failed": 1, "created": 9} -> "created 9, failed 1" (zeros left out)."""
        values = values or {}
        return ", ".join(f"{key} {values[key]}" for key in cls.COUNT_KEYS if values.get(key))
