from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.admin_base import ModelAdmin, TabularInline
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
from .selectors import price_floors


class TierMarkupRuleInline(TabularInline):
    model = TierMarkupRule
    extra = 0
    raw_id_fields = ("product", "variant")


@admin.register(Tier)
class TierAdmin(ModelAdmin):
    list_display = ("name", "order", "spend_threshold", "upgrade_fee", "shown_to_guests")
    list_editable = ("order",)
    inlines = [TierMarkupRuleInline]


@admin.register(TierMarkupRule)
class TierMarkupRuleAdmin(ModelAdmin):
    list_display = ("__str__", "tier", "percent", "fixed", "round_to", "min_margin")
    list_filter = ("tier",)
    raw_id_fields = ("product", "variant")


@admin.register(CustomerTier)
class CustomerTierAdmin(ModelAdmin):
    list_display = ("user", "tier", "source", "bought_tier", "since")
    list_filter = ("tier", "source")
    search_fields = ("user__email", "user__username")
    raw_id_fields = ("user",)


class PromoCodeForm(forms.ModelForm):
    class Meta:
        model = PromoCode
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets are the model's)

    def clean(self):
        """A fixed-amount code for chosen items that would take any of them below cost + the
        minimum margin at its regular price is refused unless subsidised (the quote would
        otherwise cut the discount silently)."""
        cleaned = super().clean()
        items = cleaned.get("items")
        value = cleaned.get("value")
        if (
            cleaned.get("kind") != PromoCode.Kind.FIXED
            or cleaned.get("subsidised")
            or not items
            or not value
        ):
            return cleaned
        items = list(items)
        floors = price_floors([item.pk for item in items], now=timezone.now())
        below = [item for item in items if item.sell_price - value < floors.get(item.pk, 0)]
        if below:
            item = below[0]
            raise ValidationError(
                gettext(
                    "%(item)s would go below cost + minimum margin (%(floor)s) with this "
                    "discount. Lower the value, or mark the code subsidised."
                )
                % {"item": item, "floor": rupiah(floors[item.pk])}
            )
        return cleaned


@admin.register(PromoCode)
class PromoCodeAdmin(ModelAdmin):
    """The usage report: uses, what they gave away, and what is left, per code."""

    form = PromoCodeForm

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
class PromoUseAdmin(ModelAdmin):
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


class FlashSaleItemFormSet(BaseInlineFormSet):
    """A sale price below cost + the minimum margin is refused unless the sale is subsidised
    (the quote would otherwise lift it there silently)."""

    def clean(self):
        super().clean()
        if self.instance.subsidised:
            return
        forms = [
            form
            for form in self.forms
            if form.cleaned_data.get("variant") and not form.cleaned_data.get("DELETE")
        ]
        if not forms:
            return
        floors = price_floors(
            [form.cleaned_data["variant"].pk for form in forms], now=timezone.now()
        )
        for form in forms:
            floor = floors.get(form.cleaned_data["variant"].pk, 0)
            price = form.cleaned_data.get("sale_price")
            if price is not None and price < floor:
                form.add_error(
                    "sale_price",
                    ValidationError(
                        gettext(
                            "Below cost + minimum margin (%(floor)s). Mark the sale subsidised "
                            "to sell below it."
                        )
                        % {"floor": rupiah(floor)}
                    ),
                )


class FlashSaleItemInline(TabularInline):
    model = FlashSaleItem
    formset = FlashSaleItemFormSet
    extra = 1
    raw_id_fields = ("variant",)
    readonly_fields = ("sold",)


@admin.register(FlashSale)
class FlashSaleAdmin(ModelAdmin):
    list_display = ("name", "starts_at", "ends_at", "subsidised")
    inlines = [FlashSaleItemInline]
