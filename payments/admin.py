from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from storefront.templatetags.money import rupiah

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("reference", "order", "provider", "status", "amount_display", "created_at")
    list_filter = ("provider", "status", "created_at")
    search_fields = ("reference", "order__number", "refund_reference")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Payment._meta.fields]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only: payments change only through payments/services.py

    def has_delete_permission(self, request, obj=None):
        return False  # the record of money received and refunded stays

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payment):
        return rupiah(payment.amount)
