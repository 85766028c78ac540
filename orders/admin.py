from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from storefront.templatetags.money import rupiah

from . import services
from .models import Order, OrderEvent, SubmissionQueue


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "actor", "message")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            ("success", "Delivered: mark success"),
            ("failed", "Not delivered: mark failed and refund the customer"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked (e.g. the invoice status at isipay.top).",
    )


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "product_name", "variant_name", "price_display",
                    "created_at")  # fmt: skip
    list_filter = ("status", "product_name", "created_at")
    search_fields = ("number", "reference_number", "invoice_number", "data", "contact_email",
                     "contact_phone")  # fmt: skip
    date_hierarchy = "created_at"
    inlines = [OrderEventInline]
    actions = ["repoll_now"]
    readonly_fields = [field.name for field in Order._meta.fields]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="price", ordering="price")
    def price_display(self, order):
        return rupiah(order.price)

    @admin.action(description="Re-poll isipay now", permissions=["change"])
    def repoll_now(self, request, queryset):
        ids = queryset.values_list("pk", flat=True)
        count = sum(services.repoll_now(order_id=order_id) for order_id in ids)
        self.message_user(request, f"{count} processing orders will be polled now.")

    def get_urls(self):
        resolve = self.admin_site.admin_view(self.resolve_view)
        return [
            path("<int:order_id>/resolve/", resolve, name="orders_order_resolve"),
            *super().get_urls(),
        ]

    def resolve_view(self, request, order_id: int):
        order = get_object_or_404(Order, pk=order_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        form = ResolveForm(request.POST or None)
        if order.status != Order.Status.NEEDS_REVIEW:
            messages.warning(request, f"Order {order.number} is not under review.")
            return redirect(reverse("admin:orders_order_change", args=[order.pk]))
        if request.method == "POST" and form.is_valid():
            moved = services.resolve_review(
                order_id=order.pk,
                success=form.cleaned_data["outcome"] == "success",
                note=form.cleaned_data["note"],
                actor=f"admin:{request.user.get_username()}",
            )
            if moved:
                messages.success(request, f"Order {order.number} resolved.")
            else:
                messages.warning(request, f"Order {order.number} changed meanwhile; nothing done.")
            return redirect(reverse("admin:orders_order_change", args=[order.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "order": order,
            "form": form,
            "title": f"Resolve {order.number}",
        }
        return TemplateResponse(request, "admin/orders/order/resolve.html", context)


@admin.register(SubmissionQueue)
class SubmissionQueueAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reason", "last_balance", "balance_checked_at")
    readonly_fields = ("paused_at", "reason", "last_balance", "balance_checked_at")
    actions = ["resume"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Resume submitting orders now", permissions=["change"])
    def resume(self, request, queryset):
        count = services.resume_submissions(actor=f"admin:{request.user.get_username()}")
        self.message_user(request, f"Resumed; {count} waiting orders sent to isipay.")
