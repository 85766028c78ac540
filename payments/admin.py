from django.contrib import admin

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("reference", "order", "provider", "status", "amount", "created_at")
    list_filter = ("provider", "status")
    search_fields = ("reference", "order__number")
    list_select_related = ("order",)
    readonly_fields = [field.name for field in Payment._meta.fields]

    def has_add_permission(self, request):
        return False
