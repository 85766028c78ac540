"""Each game's measured state, and the owner's override of what its page says."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from storefront.admin_base import ModelAdmin

from . import services
from .models import GameStatus

# The measuring task's figures: shown, never edited here.
MEASURED = ("success_rate", "median_delivery", "orders_counted", "recent_sales", "computed_at")


@admin.register(GameStatus)
class GameStatusAdmin(ModelAdmin):
    list_display = ("product", "shown_state", "computed_state", "override", *MEASURED)
    list_filter = ("computed_state", "override")
    list_select_related = ("product",)
    search_fields = ("product__name", "product__display_name", "product__code")
    fields = ("product", "override", "override_note", "computed_state", *MEASURED)
    readonly_fields = ("product", "computed_state", *MEASURED)

    def has_add_permission(self, request):
        return False  # one row per game, made by the measuring task

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("shown state"))
    def shown_state(self, obj) -> str:
        return obj.get_override_display() if obj.override else obj.get_computed_state_display()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.status_changed()
