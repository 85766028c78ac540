"""Admin for the back office's records: balance snapshots, deposits, and the markup history."""

from django.contrib import admin
from django.db.models import F, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext_lazy as _

from storefront.admin_base import ModelAdmin
from storefront.readonly_admin import ReadOnlyAdminMixin
from storefront.templatetags.money import rupiah

from . import services
from .models import BalanceDeposit, BalanceSnapshot, HistoricalMarkupRule


@admin.register(BalanceSnapshot)
class BalanceSnapshotAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Recorded by beat (and "Record the balance now" on the reconciliation page)."""

    list_display = ("taken_at", "balance_display", "change_display")
    date_hierarchy = "taken_at"
    list_per_page = 100

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(previous=Window(Lag("balance"), order_by=F("taken_at").asc()))
        )

    @admin.display(description=_("balance"), ordering="balance")
    def balance_display(self, snapshot):
        return rupiah(snapshot.balance)

    @admin.display(description=_("change since the one before"))
    def change_display(self, snapshot):
        if snapshot.previous is None:
            return "—"
        change = snapshot.balance - snapshot.previous
        return ("+" if change > 0 else "") + rupiah(change)


@admin.register(BalanceDeposit)
class BalanceDepositAdmin(ModelAdmin):
    list_display = ("made_at", "amount_display", "note", "recorded_by")
    list_select_related = ("recorded_by",)
    date_hierarchy = "made_at"
    fields = ("made_at", "amount", "note", "recorded_by", "created_at")
    readonly_fields = ("recorded_by", "created_at")
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
        else:
            services.record_deposit(deposit=obj, user=request.user)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, deposit):
        return rupiah(deposit.amount)


@admin.register(HistoricalMarkupRule)
class MarkupChangeAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Every change to a markup rule: who, when, and the numbers after it."""

    list_display = (
        "history_date",
        "who",
        "what",
        "scope",
        "percent",
        "fixed",
        "round_to",
        "min_margin",
        "history_change_reason",
    )
    list_filter = ("history_type", ("history_user", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("history_user", "product", "variant")
    search_fields = ("product__name", "product__display_name", "variant__name", "variant__code")
    date_hierarchy = "history_date"
    list_per_page = 100

    @admin.display(description=_("by"), ordering="history_user__username")
    def who(self, change):
        return change.history_user.get_username() if change.history_user else _("system")

    @admin.display(description=_("change"), ordering="history_type")
    def what(self, change):
        return change.get_history_type_display()

    @admin.display(description=_("rule for"))
    def scope(self, change):
        if change.variant_id:
            return _("item %(name)s") % {"name": change.variant or change.variant_id}
        if change.product_id:
            return _("game %(name)s") % {"name": change.product or change.product_id}
        return _("global default")
