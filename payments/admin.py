from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from storefront.admin_base import ModelAdmin
from storefront.readonly_admin import ReadOnlyAdminMixin
from storefront.templatetags.money import rupiah

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Read-only: payments change only through payments/services.py, and the record of money
    received and refunded stays."""

    list_display = (
        "reference",
        "order",
        "deposit",
        "provider",
        "status",
        "amount_display",
        "created_at",
    )
    list_filter = ("provider", "status", "created_at")
    search_fields = ("reference", "order__number", "deposit__reference", "refund_reference")
    list_select_related = ("order", "deposit")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Payment._meta.fields]
    list_per_page = 100

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payment):
        return rupiah(payment.amount)
