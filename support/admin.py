"""Notes on orders for Support: complaints from customers, staff notes."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from storefront.admin_base import ModelAdmin, TabularInline

from . import services
from .models import OrderNote


class OpenFilter(admin.SimpleListFilter):
    title = _("handled")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Not handled yet")), ("no", _("Handled"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(handled_at=None)
        if self.value() == "no":
            return queryset.exclude(handled_at=None)
        return queryset


@admin.register(OrderNote)
class OrderNoteAdmin(ModelAdmin):
    list_display = ("created_at", "order_link", "kind", "topic", "short_text", "handled_at")
    list_filter = (OpenFilter, "kind", "topic")
    list_select_related = ("order",)
    search_fields = ("order__number", "text", "contact")
    readonly_fields = ("created_at", "handled_at")
    raw_id_fields = ("order",)
    actions = ["mark_handled"]
    date_hierarchy = "created_at"

    @admin.display(description=_("order"), ordering="order__number")
    def order_link(self, obj):
        url = reverse("admin:orders_order_change", args=[obj.order_id])
        return format_html('<a href="{}">{}</a>', url, obj.order.number)

    @admin.display(description=_("text"))
    def short_text(self, obj) -> str:
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    @admin.action(description=_("Mark as handled"))
    def mark_handled(self, request, queryset):
        done = services.mark_handled(note_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d notes marked as handled.") % {"count": done})

    def save_model(self, request, obj, form, change):
        if not change and not obj.author:
            obj.author = request.user.get_username()
        super().save_model(request, obj, form, change)


class OrderNoteInline(TabularInline):
    """Shown on each order's admin page (orders/admin.py)."""

    model = OrderNote
    extra = 0
    fields = ("created_at", "kind", "topic", "text", "contact", "author", "handled_at")
    readonly_fields = ("created_at", "author")
    verbose_name = _("note")
    verbose_name_plural = _("notes for support")
