"""Catalog admin: games, variants and their prices, markup rules with a price preview, syncs.

Prices are never typed in directly: they come from markup rules (catalog/pricing.py), and the
one way to set a price by hand (on a variant's page) saves it as that variant's own rule, and
refuses a price at or below cost. Every markup change is kept in the markup history.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, F, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from backoffice.permissions import without_money
from storefront.admin_base import ModelAdmin
from storefront.templatetags.money import rupiah

from . import services
from .models import MarkupRule, Product, SyncRun, Variant, for_sale
from .pricing import Markup

SUPPLIER_PRODUCT_FIELDS = ("code", "name", "is_active", "retired_at", "created_at", "updated_at")
SUPPLIER_VARIANT_FIELDS = (
    "product",
    "supplier_id",
    "code",
    "name",
    "is_active",
    "cost_price",
    "process_duration",
    "retired_at",
    "created_at",
    "updated_at",
)
# A preview lists at most this many variants (the summary counts them all).
PREVIEW_ROWS = 500


# --- shared: markup form, preview, permissions -----------------------------------------------


class MarkupForm(forms.Form):
    """The four numbers of a markup rule, for the bulk "apply a markup" actions."""

    percent = forms.DecimalField(
        label=_("Percent"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        help_text=_("Percent of cost added, e.g. 7.5."),
    )
    fixed = forms.IntegerField(
        label=_("Fixed (Rp)"),
        min_value=0,
        initial=0,
        help_text=_("Rupiah added after the percent."),
    )
    round_to = forms.IntegerField(
        label=_("Round up to (Rp)"),
        min_value=1,
        initial=100,
        help_text=_("The price is rounded up to a multiple of this many rupiah."),
    )
    min_margin = forms.IntegerField(
        label=_("Minimum margin (Rp)"),
        min_value=1,
        initial=100,
        help_text=_("The price is at least cost plus this many rupiah."),
    )

    def markup(self) -> Markup:
        return Markup(**self.cleaned_data)


def _markup_initial(rule: MarkupRule | None) -> dict:
    rule = rule or MarkupRule.objects.filter(product=None, variant=None).first()
    if rule is None:
        return {}
    return {
        "percent": rule.percent,
        "fixed": rule.fixed,
        "round_to": rule.round_to,
        "min_margin": rule.min_margin,
    }


def preview_context(changes: list[services.PriceChange]) -> dict:
    return {
        "rows": changes[:PREVIEW_ROWS],
        "total": len(changes),
        "changed": sum(change.changed for change in changes),
        "hidden": max(len(changes) - PREVIEW_ROWS, 0),
    }


def _can_change_markup(request) -> bool:
    return request.user.has_perms(["catalog.add_markuprule", "catalog.change_markuprule"])


class BulkMarkupMixin:
    """The games' and the items' bulk actions: a markup with a confirmation page (markup form,
    "Preview", then "Apply"), and on or off sale."""

    rule_field: str  # the MarkupRule field that gives one of these rows its own rule

    def has_markup_permission(self, request) -> bool:
        return _can_change_markup(request)

    def markup_action(self, request, queryset, *, scope: str, preview, apply):
        # The form starts from the row's own rule when one row is selected, else the global one.
        single = queryset.first() if queryset.count() == 1 else None
        rule = MarkupRule.objects.filter(**{self.rule_field: single}).first() if single else None
        data = request.POST if {"_preview", "_apply"} & set(request.POST) else None
        form = MarkupForm(data, initial=_markup_initial(rule))
        preview_rows = None
        if form.is_valid():
            if "_apply" in request.POST:
                changed = apply(queryset, form.markup())
                self.message_user(
                    request,
                    _("Markup applied to %(count)d %(scope)s; %(changed)d sell prices changed.")
                    % {"count": queryset.count(), "scope": scope, "changed": changed},
                    messages.SUCCESS,
                )
                return None
            preview_rows = preview_context(preview(queryset, form.markup()))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Apply a markup to %(count)d %(scope)s")
            % {
                "count": queryset.count(),
                "scope": scope,
            },
            "opts": self.model._meta,
            "form": form,
            "ids": list(queryset.values_list("pk", flat=True)),
            "action": request.POST.get("action"),
            "preview": preview_rows,
        }
        return TemplateResponse(request, "admin/catalog/apply_markup.html", context)

    def set_listed(self, request, queryset, *, listed: bool, message: str) -> None:
        count = services.set_listed(rows=queryset, listed=listed)
        self.message_user(request, message % {"count": count})


def _markup_label(rule: MarkupRule | None) -> str:
    if rule is None:
        return ""
    label = f"{rule.percent.normalize():f}%"
    if rule.fixed:
        label += f" + {rupiah(rule.fixed)}"
    return label


# --- games ---------------------------------------------------------------------------------


@admin.register(Product)
class ProductAdmin(BulkMarkupMixin, ModelAdmin):
    list_display = (
        "icon_thumb",
        "title",
        "code",
        "variant_counts",
        "markup",
        "is_listed",
        "supplier_status",
        "sort_order",
    )
    list_display_links = ("title",)
    list_editable = ("is_listed", "sort_order")
    list_filter = ("is_listed", "is_active", ("retired_at", admin.EmptyFieldListFilter))
    list_select_related = ("markup_rule",)
    search_fields = ("code", "name", "display_name", "search_aliases")
    readonly_fields = (*SUPPLIER_PRODUCT_FIELDS, "markup_info")
    fieldsets = (
        (
            _("Shop"),
            {
                "fields": (
                    "display_name",
                    "search_aliases",
                    "slug",
                    "icon",
                    "sort_order",
                    "is_listed",
                    "markup_info",
                )
            },
        ),
        (
            _("Home page and game page"),
            {
                "fields": (
                    "category",
                    "pin_order",
                    "id_help_text",
                    "id_help_text_en",
                    "id_help_image",
                )
            },
        ),
        (_("Search engines"), {"fields": ("seo_title", "meta_description")}),
        (_("Customer account fields"), {"fields": ("account_fields", "data_template")}),
        (_("From isipay (read-only)"), {"fields": SUPPLIER_PRODUCT_FIELDS}),
    )
    actions = ["apply_markup", "put_on_sale", "take_off_sale"]
    rule_field = "product"
    list_per_page = 100

    def has_add_permission(self, request):
        return False  # products come from the supplier sync

    def has_delete_permission(self, request, obj=None):
        return False  # orders point at them: the sync retires instead

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_variants=Count("variants", distinct=True),
                n_for_sale=Count(
                    "variants",
                    filter=for_sale("variants__"),
                    distinct=True,
                ),
            )
        )

    # Support may look games up, but sees no markup (backoffice.permissions).
    def get_list_display(self, request):
        return without_money(super().get_list_display(request), request.user)

    def get_fieldsets(self, request, obj=None):
        return [
            (title, {**options, "fields": without_money(options["fields"], request.user)})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def save_model(self, request, obj, form, change):
        # Only what the owner changed: the supplier's fields belong to the sync, which may be
        # writing them right now.
        if form.changed_data:
            obj.updated_at = timezone.now()
            obj.save(update_fields=[*form.changed_data, "updated_at"])

    @admin.display(description="")
    def icon_thumb(self, product):
        if not product.icon:
            return ""
        return format_html(
            '<img src="{}" alt="" width="32" height="32" class="bo-thumb">', product.icon.url
        )

    @admin.display(description=_("items for sale"), ordering="n_for_sale")
    def variant_counts(self, product):
        return f"{product.n_for_sale} / {product.n_variants}"

    @admin.display(description=_("markup"))
    def markup(self, product):
        rule = getattr(product, "markup_rule", None)
        return _markup_label(rule) if rule else _("global")

    @admin.display(description=_("at isipay"))
    def supplier_status(self, product):
        if product.retired_at:
            return _("retired")
        return _("active") if product.is_active else _("inactive")

    @admin.display(description=_("markup"))
    def markup_info(self, product):
        rule = MarkupRule.objects.filter(product=product).first()
        variants = reverse("admin:catalog_variant_changelist") + f"?product__id__exact={product.pk}"
        if rule:
            link = reverse("admin:catalog_markuprule_change", args=[rule.pk])
            return format_html(
                '{} — <a href="{}">{}</a> · <a href="{}">{}</a>',
                _markup_label(rule),
                link,
                _("edit this game's rule"),
                variants,
                _("prices of its items"),
            )
        link = reverse("admin:catalog_markuprule_add") + f"?product={product.pk}"
        return format_html(
            '{} — <a href="{}">{}</a> · <a href="{}">{}</a>',
            _("the global rule"),
            link,
            _("give this game its own rule"),
            variants,
            _("prices of its items"),
        )

    @admin.action(description=_("Apply a markup to the selected games"), permissions=["markup"])
    def apply_markup(self, request, queryset):
        return self.markup_action(
            request,
            queryset,
            scope=_("games"),
            preview=lambda qs, markup: services.preview_product_markup(products=qs, markup=markup),
            apply=lambda qs, markup: services.apply_product_markup(products=qs, markup=markup),
        )

    @admin.action(description=_("Put the selected games on sale"), permissions=["change"])
    def put_on_sale(self, request, queryset):
        self.set_listed(request, queryset, listed=True, message=_("%(count)d games put on sale."))

    @admin.action(description=_("Take the selected games off sale"), permissions=["change"])
    def take_off_sale(self, request, queryset):
        self.set_listed(
            request, queryset, listed=False, message=_("%(count)d games taken off sale.")
        )


# --- variants ------------------------------------------------------------------------------


class SupplierStatusFilter(admin.SimpleListFilter):
    title = _("status at isipay")
    parameter_name = "supplier"

    def lookups(self, request, model_admin):
        return [("active", _("active")), ("inactive", _("inactive")), ("retired", _("retired"))]

    def queryset(self, request, queryset):
        match self.value():
            case "active":
                return queryset.filter(is_active=True, retired_at__isnull=True)
            case "inactive":
                return queryset.filter(is_active=False, retired_at__isnull=True)
            case "retired":
                return queryset.filter(retired_at__isnull=False)
        return queryset


class MarginFilter(admin.SimpleListFilter):
    title = _("margin")
    parameter_name = "margin"
    BANDS = {"lt5": (None, 5), "5-10": (5, 10), "10-20": (10, 20), "gte20": (20, None)}

    def lookups(self, request, model_admin):
        return [
            ("lt5", _("under 5%")),
            ("5-10", _("5–10%")),
            ("10-20", _("10–20%")),
            ("gte20", _("20% and more")),
        ]

    def queryset(self, request, queryset):
        if self.value() not in self.BANDS:
            return queryset
        low, high = self.BANDS[self.value()]
        # margin % = (sell - cost) × 100 / cost, compared without division: sell × 100 vs cost × k
        queryset = queryset.alias(sell100=F("sell_price") * 100)
        if low is not None:
            queryset = queryset.filter(sell100__gte=F("cost_price") * (100 + low))
        if high is not None:
            queryset = queryset.filter(sell100__lt=F("cost_price") * (100 + high))
        return queryset


class OwnRuleFilter(admin.SimpleListFilter):
    title = _("markup rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [("variant", _("its own")), ("product", _("its game's")), ("global", _("global"))]

    def queryset(self, request, queryset):
        match self.value():
            case "variant":
                return queryset.filter(markup_rule__isnull=False)
            case "product":
                return queryset.filter(markup_rule__isnull=True, product__markup_rule__isnull=False)
            case "global":
                return queryset.filter(markup_rule__isnull=True, product__markup_rule__isnull=True)
        return queryset


class VariantForm(forms.ModelForm):
    new_sell_price = forms.IntegerField(
        label=_("Set the sell price (Rp)"),
        required=False,
        min_value=1,
        help_text=_(
            "Optional. Saved as this item's own markup rule: cost + a fixed margin, so the price "
            "keeps that margin when isipay's cost changes. It must be above the cost."
        ),
    )

    class Meta:
        model = Variant
        fields = ("is_listed",)

    def clean_new_sell_price(self):
        price = self.cleaned_data.get("new_sell_price")
        cost = self.instance.cost_price
        if price is not None and price <= cost:
            raise forms.ValidationError(
                _(
                    "%(price)s is not above the cost of %(cost)s: a price must be above what "
                    "isipay charges. Nothing was saved."
                )
                % {"price": rupiah(price), "cost": rupiah(cost)},
                code="not_above_cost",
            )
        return price


@admin.register(Variant)
class VariantAdmin(BulkMarkupMixin, ModelAdmin):
    form = VariantForm
    list_display = (
        "name",
        "product",
        "code",
        "cost",
        "sell",
        "margin_display",
        "rule",
        "supplier_status",
        "is_listed",
    )
    list_filter = ("is_listed", SupplierStatusFilter, MarginFilter, OwnRuleFilter, "product")
    list_select_related = ("product", "markup_rule", "product__markup_rule")
    search_fields = ("code", "name", "product__name", "product__display_name")
    readonly_fields = (*SUPPLIER_VARIANT_FIELDS, "sell_price", "margin_display", "rule")
    fieldsets = (
        (
            _("Price"),
            {"fields": ("cost_price", "sell_price", "margin_display", "rule", "new_sell_price")},
        ),
        (_("Shop"), {"fields": ("is_listed",)}),
        (
            _("From isipay (read-only)"),
            {"fields": tuple(name for name in SUPPLIER_VARIANT_FIELDS if name != "cost_price")},
        ),
    )
    actions = ["apply_markup", "put_on_sale", "take_off_sale"]
    rule_field = "variant"
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        if _can_change_markup(request):
            return self.fieldsets
        price, *rest = self.fieldsets
        fields = tuple(name for name in price[1]["fields"] if name != "new_sell_price")
        return ((price[0], {"fields": fields}), *rest)

    def save_model(self, request, obj, form, change):
        if "is_listed" in form.changed_data:
            obj.updated_at = timezone.now()
            obj.save(update_fields=["is_listed", "updated_at"])
        price = form.cleaned_data.get("new_sell_price")
        if price is None or not _can_change_markup(request):
            return
        try:
            services.set_variant_price(variant=obj, price=price)
        except services.PriceNotAboveCost as exc:  # the cost rose since the form was shown
            messages.error(
                request,
                _("The price was not changed: %(price)s is not above the cost of %(cost)s.")
                % {"price": rupiah(exc.price), "cost": rupiah(exc.cost)},
            )
        else:
            messages.success(request, _("Sell price set to %(price)s.") % {"price": rupiah(price)})

    @admin.display(description=_("cost"), ordering="cost_price")
    def cost(self, variant):
        return rupiah(variant.cost_price)

    @admin.display(description=_("sell price"), ordering="sell_price")
    def sell(self, variant):
        return rupiah(variant.sell_price)

    @admin.display(description=_("margin"), ordering=F("sell_price") - F("cost_price"))
    def margin_display(self, variant):
        percent = variant.margin * 100 / variant.cost_price if variant.cost_price else 0
        return f"{rupiah(variant.margin)} ({percent:.1f}%)"

    @admin.display(description=_("markup rule"))
    def rule(self, variant):
        own = getattr(variant, "markup_rule", None)
        if own:
            return _("own: %(markup)s") % {"markup": _markup_label(own)}
        game = getattr(variant.product, "markup_rule", None)
        if game:
            return _("game: %(markup)s") % {"markup": _markup_label(game)}
        return _("global")

    @admin.display(description=_("at isipay"))
    def supplier_status(self, variant):
        if variant.retired_at:
            return _("retired")
        return _("active") if variant.is_active else _("inactive")

    @admin.action(description=_("Apply a markup to the selected items"), permissions=["markup"])
    def apply_markup(self, request, queryset):
        return self.markup_action(
            request,
            queryset,
            scope=_("items"),
            preview=lambda qs, markup: services.preview_variant_markup(variants=qs, markup=markup),
            apply=lambda qs, markup: services.apply_variant_markup(variants=qs, markup=markup),
        )

    @admin.action(description=_("Put the selected items on sale"), permissions=["change"])
    def put_on_sale(self, request, queryset):
        self.set_listed(request, queryset, listed=True, message=_("%(count)d items put on sale."))

    @admin.action(description=_("Take the selected items off sale"), permissions=["change"])
    def take_off_sale(self, request, queryset):
        self.set_listed(
            request, queryset, listed=False, message=_("%(count)d items taken off sale.")
        )


# --- markup rules --------------------------------------------------------------------------


class MarkupRuleForm(forms.ModelForm):
    """With "Preview prices" pressed, a valid form computes the prices the rule would give and
    stays unsaved (it reports itself invalid, so the admin shows it again with the preview)."""

    preview_requested = False

    class Meta:
        model = MarkupRule
        fields = ("product", "variant", "percent", "fixed", "round_to", "min_margin")

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the values, checked by the model
        self.preview = None
        if self.preview_requested and not self.errors:
            self.preview = preview_context(services.preview_markup_rule(rule=self.instance))
            self.add_error(None, _("Preview only: nothing is saved until you press Save."))


@admin.register(MarkupRule)
class MarkupRuleAdmin(SimpleHistoryAdmin, ModelAdmin):
    form = MarkupRuleForm
    list_display = (
        "scope_label",
        "scope",
        "percent",
        "fixed",
        "round_to",
        "min_margin",
        "changed_by",
        "updated_at",
    )
    list_display_links = ("scope_label",)
    list_select_related = ("product", "variant")
    autocomplete_fields = ("product", "variant")
    search_fields = ("product__name", "product__display_name", "variant__name", "variant__code")
    history_list_display = ("percent", "fixed", "round_to", "min_margin")
    list_per_page = 100

    def get_queryset(self, request):
        from backoffice.models import HistoricalMarkupRule

        last_change = HistoricalMarkupRule.objects.filter(id=OuterRef("pk")).order_by(
            "-history_date", "-history_id"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(last_changed_by=Subquery(last_change.values("history_user__username")[:1]))
        )

    def get_readonly_fields(self, request, obj=None):
        # A rule's scope is what it is: to move a rule, delete it and add another.
        return ("product", "variant") if obj else ()

    def get_fields(self, request, obj=None):
        # A saved rule shows only its own scope: a game's rule has no item, and the other way.
        fields = super().get_fields(request, obj)
        if obj is not None:
            unused = {"product": not obj.product_id, "variant": not obj.variant_id}
            fields = [name for name in fields if not unused.get(name)]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.preview_requested = request.method == "POST" and "_preview" in request.POST
        return form

    def get_changeform_initial_data(self, request):
        # A new rule starts from the global rule's numbers (and ?product=… or ?variant=…).
        return {**_markup_initial(None), **super().get_changeform_initial_data(request)}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if getattr(form, "preview", None) is not None:
            context["errors"] = []  # the form is fine: it only stayed unsaved for the preview
            context["preview"] = form.preview
        return super().render_change_form(request, context, add, change, form_url, obj)

    def revert_disabled(self, request, obj=None):
        return True  # change a rule through its form, with the preview; history is for reading

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        changed = services.save_markup_rule(rule=obj)
        messages.info(request, _("%(count)d sell prices changed.") % {"count": changed})

    def delete_model(self, request, obj):
        changed = services.delete_markup_rule(rule=obj)
        messages.info(request, _("%(count)d sell prices changed.") % {"count": changed})

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            self.delete_model(request, rule)

    @admin.display(description=_("applies to"))
    def scope(self, rule):
        if rule.variant_id:
            return _("one item")
        return _("one game") if rule.product_id else _("every item without its own rule")

    @admin.display(description=_("last changed by"))
    def changed_by(self, rule):
        return rule.last_changed_by or "—"


# --- syncs ---------------------------------------------------------------------------------


@admin.register(SyncRun)
class SyncRunAdmin(ModelAdmin):
    list_display = ("started_at", "status", "duration", "summary", "short_error")
    list_filter = ("status",)
    readonly_fields = ("status", "started_at", "finished_at", "counts", "error")
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("products / variants"))
    def summary(self, run):
        products, variants = run.counts.get("products"), run.counts.get("variants")
        return f"{run.describe_counts(products)} / {run.describe_counts(variants)}"

    @admin.display(description=_("error"))
    def short_error(self, run):
        return (run.error[:120] + "…") if len(run.error) > 120 else run.error
