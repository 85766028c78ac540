from django.contrib import admin
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from storefront.templatetags.money import rupiah

from .models import (
    CustomerTier,
    FlashSale,
    FlashSaleItem,
    PromoCode,
    PromoUse,
    Tier,
    TierMarkupRule,
)


class TierMarkupRuleInline(admin.TabularInline):
    model = TierMarkupRule
    extra = 0
    raw_id_fields = ("product", "variant")


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "spend_threshold", "upgrade_fee", "shown_to_guests")
    list_editable = ("order",)
    inlines = [TierMarkupRuleInline]


@admin.register(TierMarkupRule)
class TierMarkupRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "tier", "percent", "fixed", "round_to", "min_margin")
    list_filter = ("tier",)
    raw_id_fields = ("product", "variant")


@admin.register(CustomerTier)
class CustomerTierAdmin(admin.ModelAdmin):
    list_display = ("user", "tier", "source", "bought_tier", "since")
    list_filter = ("tier", "source")
    search_fields = ("user__email", "user__username")
    raw_id_fields = ("user",)


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    """The usage report: uses, what they gave away, and what is left, per code."""

    list_display = (
        "code",
        "kind",
        "value",
        "valid_from",
        "valid_to",
        "used_display",
        "orders_paid",
        "discount_given",
        "subsidy_cost",
        "is_active",
    )
    list_filter = ("is_active", "kind", "subsidised")
    search_fields = ("code",)
    filter_horizontal = ("games", "tiers")
    raw_id_fields = ("items",)
    readonly_fields = ("used",)

    def get_queryset(self, request):
        kept = Q(uses__released_at__isnull=True)
        paid = kept & Q(uses__order__paid_at__isnull=False)
        return (
            super()
            .get_queryset(request)
            .annotate(
                paid_count=Count("uses", filter=paid),
                discount_sum=Sum("uses__discount", filter=paid),
                subsidy_sum=Sum("uses__order__subsidy_cost", filter=paid),
            )
        )

    @admin.display(description=_("used / quota"), ordering="used")
    def used_display(self, promo):
        return f"{promo.used} / {promo.quota if promo.quota is not None else '∞'}"

    @admin.display(description=_("paid orders"), ordering="paid_count")
    def orders_paid(self, promo):
        return promo.paid_count

    @admin.display(description=_("discount given"), ordering="discount_sum")
    def discount_given(self, promo):
        return rupiah(promo.discount_sum or 0)

    @admin.display(description=_("subsidy"), ordering="subsidy_sum")
    def subsidy_cost(self, promo):
        return rupiah(promo.subsidy_sum or 0)


@admin.register(PromoUse)
class PromoUseAdmin(admin.ModelAdmin):
    list_display = (
        "promo",
        "order",
        "user",
        "email",
        "phone",
        "discount",
        "created_at",
        "released_at",
    )
    list_filter = ("promo", ("released_at", admin.EmptyFieldListFilter))
    search_fields = ("promo__code", "order__number", "email", "phone")
    readonly_fields = [f.name for f in PromoUse._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FlashSaleItemInline(admin.TabularInline):
    model = FlashSaleItem
    extra = 1
    raw_id_fields = ("variant",)
    readonly_fields = ("sold",)


@admin.register(FlashSale)
class FlashSaleAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_at", "ends_at", "subsidised")
    inlines = [FlashSaleItemInline]
