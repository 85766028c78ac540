from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from storefront.admin_base import ModelAdmin
from storefront.readonly_admin import ReadOnlyAdminMixin
from storefront.templatetags.money import rupiah

from .models import Payment, TripayChannel


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


# What Tripay's channel list says of a channel, shown in the list and never edited here.
TRIPAY_SAYS = (
    "code",
    "name",
    "group",
    "direct",
    "fee_flat",
    "fee_percent",
    "tripay_customer_fee_flat",
    "tripay_customer_fee_percent",
)


@admin.register(TripayChannel)
class TripayChannelAdmin(ModelAdmin):
    """Tripay's channels as its channel list gives them (refreshed hourly); the shop sets who
    pays each fee and whether it is offered at checkout."""

    list_display = (*TRIPAY_SAYS, "fee_paid_by", "active", "offered_by_tripay", "updated_at")
    list_editable = ("fee_paid_by", "active")
    list_filter = ("group", "fee_paid_by", "active", "offered_by_tripay")
    search_fields = ("code", "name")
    readonly_fields = (
        *TRIPAY_SAYS,
        "minimum_fee",
        "maximum_fee",
        "minimum_amount",
        "maximum_amount",
        "offered_by_tripay",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return False  # channels come from Tripay's list

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        from .services import tripay_channels_changed

        tripay_channels_changed()  # the game pages' picker shows the change at once
