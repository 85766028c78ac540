from django.contrib import admin, messages
from django.db.models import F

from storefront.templatetags.money import rupiah

from . import services
from .models import MarkupRule, Product, SyncRun, Variant

SUPPLIER_PRODUCT_FIELDS = ("code", "name", "is_active", "retired_at", "created_at", "updated_at")
SUPPLIER_VARIANT_FIELDS = (
    "product", "supplier_id", "code", "name", "is_active", "cost_price", "process_duration",
    "retired_at", "created_at", "updated_at",
)  # fmt: skip


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "is_listed", "is_active", "retired_at", "sort_order")
    list_editable = ("is_listed", "sort_order")
    list_filter = ("is_listed", "is_active", ("retired_at", admin.EmptyFieldListFilter))
    search_fields = ("code", "name", "display_name")
    readonly_fields = SUPPLIER_PRODUCT_FIELDS
    fieldsets = (
        ("From isipay (read-only)", {"fields": SUPPLIER_PRODUCT_FIELDS}),
        ("Shop", {"fields": ("display_name", "slug", "icon", "sort_order", "is_listed")}),
        ("Customer account fields", {"fields": ("account_fields", "data_template")}),
    )

    def has_add_permission(self, request):
        return False  # products come from the supplier sync

    def has_delete_permission(self, request, obj=None):
        return False  # orders point at them: the sync retires instead


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("name", "product", "code", "cost", "sell", "margin_display", "is_listed",
                    "is_active", "retired_at")  # fmt: skip
    list_filter = ("is_listed", "is_active", ("retired_at", admin.EmptyFieldListFilter), "product")
    list_select_related = ("product",)
    search_fields = ("code", "name", "product__name")
    readonly_fields = (*SUPPLIER_VARIANT_FIELDS, "sell_price")
    fields = (*SUPPLIER_VARIANT_FIELDS, "sell_price", "is_listed")
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="cost", ordering="cost_price")
    def cost(self, variant):
        return rupiah(variant.cost_price)

    @admin.display(description="sell price", ordering="sell_price")
    def sell(self, variant):
        return rupiah(variant.sell_price)

    @admin.display(description="margin", ordering=F("sell_price") - F("cost_price"))
    def margin_display(self, variant):
        percent = variant.margin * 100 / variant.cost_price if variant.cost_price else 0
        return f"{rupiah(variant.margin)} ({percent:.1f}%)"


@admin.register(MarkupRule)
class MarkupRuleAdmin(admin.ModelAdmin):
    list_display = ("scope_label", "percent", "fixed", "round_to", "min_margin", "updated_at")
    list_select_related = ("product", "variant")
    autocomplete_fields = ("product", "variant")
    search_fields = ("product__name", "variant__name", "variant__code")

    def save_model(self, request, obj, form, change):
        changed = services.save_markup_rule(rule=obj)
        messages.info(request, f"{changed} sell prices changed.")

    def delete_model(self, request, obj):
        changed = services.delete_markup_rule(rule=obj)
        messages.info(request, f"{changed} sell prices changed.")

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            self.delete_model(request, rule)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "status", "duration", "summary", "short_error")
    list_filter = ("status",)
    readonly_fields = ("status", "started_at", "finished_at", "counts", "error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="products / variants")
    def summary(self, run):
        products, variants = run.counts.get("products", {}), run.counts.get("variants", {})
        return (
            ", ".join(f"{k} {v}" for k, v in products.items() if v)
            + " / "
            + ", ".join(f"{k} {v}" for k, v in variants.items() if v)
        )

    @admin.display(description="error")
    def short_error(self, run):
        return (run.error[:120] + "…") if len(run.error) > 120 else run.error
