"""Price levels (tiers) with their own markup rules, promo codes and flash sales.

Everything here feeds one function, promotions.quote.quote(): see there for how a price is
made. Writes go through promotions/services.py, reads through promotions/selectors.py.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Tier(models.Model):
    """A price level. The one with the lowest `order` is the default (Umum): guests and
    customers without a tier pay it, and its rules are catalog's MarkupRule."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lowest first; the lowest is what guests pay.")
    )
    spend_threshold = models.PositiveBigIntegerField(
        _("spend threshold"),
        null=True,
        blank=True,
        help_text=_(
            "Reached automatically by a customer who spent at least this many rupiah over the "
            "last TIER_SPEND_DAYS days. Empty: never by spend."
        ),
    )
    upgrade_fee = models.PositiveBigIntegerField(
        _("upgrade fee"),
        null=True,
        blank=True,
        help_text=_(
            "Customers may buy this tier from their balance for this fee. Empty: not for sale."
        ),
    )
    shown_to_guests = models.BooleanField(
        _("shown to guests"),
        default=False,
        help_text=_('Game pages show guests this tier\'s price ("Member: Rp X").'),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return self.name


class TierMarkupRule(models.Model):
    """A tier's markup: global for the tier (no game, no item), per game, or per item, with
    the fields and meaning of catalog's MarkupRule (which is the default tier's). The most
    specific rule of the customer's tier wins; an item none of its rules covers keeps the
    default tier's price."""

    tier = models.ForeignKey(
        Tier, on_delete=models.CASCADE, related_name="rules", verbose_name=_("tier")
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("game")
    )
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("item")
    )
    percent = models.DecimalField(
        _("percent"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    fixed = models.PositiveIntegerField(_("fixed"), default=0)
    round_to = models.PositiveIntegerField(
        _("round to"), default=100, validators=[MinValueValidator(1)]
    )
    min_margin = models.PositiveIntegerField(
        _("minimum margin"), default=100, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("tier markup rule")
        verbose_name_plural = _("tier markup rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=True) | Q(variant__isnull=True),
                name="tier_rule_one_scope",
            ),
            models.UniqueConstraint(
                "tier",
                Coalesce("product", 0),
                Coalesce("variant", 0),
                name="tier_rule_once_per_scope",
                violation_error_message=_("This tier already has a rule for this scope."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.variant or self.product or _("all items")
        return f"{self.tier}: {scope} {self.percent}% + Rp {self.fixed}"


class CustomerTier(models.Model):
    """A customer's tier: `tier` is the one set by hand (source manual) or reached by spend,
    `bought_tier` the one they paid for, which no recompute lowers. The customer gets the
    higher of the two (promotions.quote.tier_of)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("set by hand")
        SPEND = "spend", _("by spend")
        BOUGHT = "bought", _("bought")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_tier"
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, verbose_name=_("tier"))
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    since = models.DateTimeField(_("since"), default=timezone.now)
    bought_tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bought tier"),
        help_text=_("Paid for from the balance; kept whatever the spend does."),
    )

    class Meta:
        verbose_name = _("customer tier")
        verbose_name_plural = _("customer tiers")

    def __str__(self) -> str:
        return f"{self.user} — {self.tier}"


class PromoCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("percent")
        FIXED = "fixed", _("fixed amount")

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.PositiveIntegerField(
        _("value"),
        validators=[MinValueValidator(1)],
        help_text=_("Percent (1-100) or rupiah, by kind."),
    )
    max_discount = models.PositiveBigIntegerField(_("maximum discount"), null=True, blank=True)
    min_order = models.PositiveBigIntegerField(_("minimum order"), default=0)
    quota = models.PositiveIntegerField(_("total quota"), null=True, blank=True)
    used = models.PositiveIntegerField(_("used"), default=0, editable=False)
    per_customer = models.PositiveIntegerField(
        _("uses per customer"), default=1, validators=[MinValueValidator(1)]
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_to = models.DateTimeField(_("valid to"))
    games = models.ManyToManyField("catalog.Product", blank=True, verbose_name=_("games"))
    items = models.ManyToManyField("catalog.Variant", blank=True, verbose_name=_("items"))
    tiers = models.ManyToManyField(Tier, blank=True, verbose_name=_("tiers"))
    payment_methods = models.CharField(
        _("payment methods"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only for these payment methods, separated by commas: Tripay channel codes (QRIS, "
            "BRIVA, ...) or providers (tripay, sandbox, midtrans, wallet for the balance). "
            "Empty: every method."
        ),
    )
    subsidised = models.BooleanField(
        _("subsidised"),
        default=False,
        help_text=_("May price below cost + minimum margin; the difference is a cost in profit."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(used__lte=F("quota")),
                name="promo_used_within_quota",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="promo_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        self.payment_methods = ", ".join(sorted(self.method_codes))
        super().save(*args, **kwargs)

    @property
    def method_codes(self) -> set[str]:
        """The payment methods the code is limited to, upper case; empty: every method."""
        names = self.payment_methods.replace(";", ",").split(",")
        return {name.strip().upper() for name in names if name.strip()}

    def allows_method(self, *, provider: str, method: str = "") -> bool:
        """Whether an order paid by `provider` (and its channel `method`) gets this code."""
        codes = self.method_codes
        return not codes or bool({provider.upper(), method.upper()} & codes - {""})


class PromoUse(models.Model):
    """A code on an order: the quota it took, given back (released_at) when the order
    expires, fails or is refunded."""

    promo = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="uses")
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="promo_use")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    discount = models.PositiveBigIntegerField(_("discount"))
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("promo use")
        verbose_name_plural = _("promo uses")

    def __str__(self) -> str:
        return f"{self.promo} on {self.order_id}"


class FlashSale(models.Model):
    name = models.CharField(_("name"), max_length=100)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    subsidised = models.BooleanField(
        _("subsidised"),
        default=False,
        help_text=_("May price below cost + minimum margin; the difference is a cost in profit."),
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="sale_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FlashSaleItem(models.Model):
    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, verbose_name=_("item"))
    sale_price = models.PositiveBigIntegerField(_("sale price"), validators=[MinValueValidator(1)])
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    sold = models.PositiveIntegerField(_("sold"), default=0, editable=False)

    class Meta:
        verbose_name = _("flash sale item")
        verbose_name_plural = _("flash sale items")
        constraints = [
            models.UniqueConstraint(fields=["sale", "variant"], name="sale_item_once"),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(sold__lte=F("quantity")),
                name="sale_sold_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sale}: {self.variant}"

    @property
    def left(self) -> int | None:
        return None if self.quantity is None else max(self.quantity - self.sold, 0)


class FlashSaleUse(models.Model):
    """One unit of a flash-sale item's quantity taken by an order; given back (released_at)
    when the order expires, fails or is refunded."""

    item = models.ForeignKey(FlashSaleItem, on_delete=models.PROTECT, related_name="uses")
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="flash_sale_use"
    )
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flash sale use")
        verbose_name_plural = _("flash sale uses")

    def __str__(self) -> str:
        return f"{self.item} on {self.order_id}"
