"""Order admin: find an order, read its timeline, and the few safe actions a person may take.

Every action calls one service in orders/services/ (status changes stay conditional
updates there); the admin only checks permissions and reports what happened.
"""

import csv
from datetime import timedelta
from itertools import chain

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from backoffice.forms import DAY_FORMATS, DAY_WIDGET
from backoffice.permissions import is_money, sees_money, without_money
from backoffice.selectors import day_start
from catalog.models import Product
from payments import selectors as payment_selectors
from storefront.admin_base import ModelAdmin, TabularInline
from storefront.templatetags.money import rupiah
from support.admin import OrderNoteInline

from . import selectors, services
from .models import Order, OrderEvent, SubmissionQueue

S = Order.Status


class OrderEventInline(TabularInline):
    model = OrderEvent
    verbose_name = _("event")
    verbose_name_plural = _("timeline")
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


# --- list filters --------------------------------------------------------------------------


class GameFilter(admin.SimpleListFilter):
    """By game, listed from the catalog (one small query), matched on the code frozen on the
    order, so renaming a game never loses its orders."""

    title = _("game")
    parameter_name = "game"

    def lookups(self, request, model_admin):
        games = Product.objects.only("code", "name", "display_name").order_by("sort_order", "name")
        return [(game.code, game.title) for game in games]

    def queryset(self, request, queryset):
        return queryset.filter(product_code=self.value()) if self.value() else queryset


class DateRangeForm(forms.Form):
    placed_from = forms.DateField(
        label=_("From"), required=False, input_formats=DAY_FORMATS, widget=DAY_WIDGET
    )
    placed_to = forms.DateField(
        label=_("To"), required=False, input_formats=DAY_FORMATS, widget=DAY_WIDGET
    )


class PlacedBetweenFilter(admin.ListFilter):
    """Orders placed from one day to another (both included, in the shop's time zone)."""

    title = _("dates placed")
    template = "admin/orders/order/date_range_filter.html"
    parameters = ("placed_from", "placed_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
        self.form = DateRangeForm(self.used_parameters or None)
        # The other filters, kept when this filter's form is submitted.
        self.hidden = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in (*self.parameters, "p")
            for value in values
        ]

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def choices(self, changelist):
        yield {
            "selected": not self.used_parameters,
            "query_string": changelist.get_query_string(remove=self.parameters),
            "display": _("Any date"),
        }
        today = timezone.localdate()
        for label, days in ((_("Today"), 1), (_("Last 7 days"), 7), (_("Last 30 days"), 30)):
            first = f"{today - timedelta(days=days - 1):%Y-%m-%d}"
            wanted = {"placed_from": first, "placed_to": f"{today:%Y-%m-%d}"}
            yield {
                "selected": self.used_parameters == wanted,
                "query_string": changelist.get_query_string(wanted),
                "display": label,
            }

    def queryset(self, request, queryset):
        if not self.used_parameters:
            return queryset
        if not self.form.is_valid():
            raise IncorrectLookupParameters(self.form.errors)
        first, last = self.form.cleaned_data["placed_from"], self.form.cleaned_data["placed_to"]
        if first:
            queryset = queryset.filter(created_at__gte=day_start(first))
        if last:
            queryset = queryset.filter(created_at__lt=day_start(last + timedelta(days=1)))
        return queryset


class _Echo:
    """A file-like object that hands back what is written: csv.writer into a streaming body."""

    def write(self, value):
        return value


# --- orders --------------------------------------------------------------------------------


@admin.register(Order)
class OrderAdmin(ModelAdmin):
    list_display = (
        "number",
        "status_display",
        "item_display",
        "price_display",
        "profit_display",
        "data",
        "contact",
        "created_at",
    )
    # One date filter: the days placed (with quick choices), no second "created at" filter.
    list_filter = ("status", GameFilter, PlacedBetweenFilter, "payment_provider")
    search_fields = (
        "number",
        "reference_number",
        "invoice_number",
        "data",
        "contact_email",
        "contact_phone",
        "payment_reference",
    )
    inlines = [OrderEventInline, OrderNoteInline]
    actions = ["repoll_now", "resend_receipt", "refunded_by_hand"]
    readonly_fields = [field.name for field in Order._meta.fields] + ["refund_progress"]
    list_per_page = 50

    FIELDSETS = (
        (
            None,
            (
                "number",
                "status",
                "review_reason",
                "refund_due_reason",
                "created_at",
                "paid_at",
                "submitted_at",
                "completed_at",
            ),
        ),
        (
            _("Item"),
            (
                "product_name",
                "product_code",
                "variant_name",
                "variant_code",
                "variant",
                "price",
                "tier_name",
                "base_price",
                "sale_price",
                "promo_code",
                "promo_discount",
                "payment_fee",
                "subsidy_cost",
                "margin_floor",
                "cost",
                "placed_cost",
            ),
        ),
        (
            _("Customer"),
            ("account", "data", "contact_email", "contact_phone", "buyer_ip", "language"),
        ),
        (
            _("isipay"),
            (
                "reference_number",
                "invoice_number",
                "supplier_status",
                "supplier_status_since",
                "submit_attempts",
                "next_submit_at",
                "poll_count",
                "next_poll_at",
            ),
        ),
        (_("Payment"), ("payment_provider", "payment_reference")),
    )

    def get_list_display(self, request):
        return without_money(super().get_list_display(request), request.user)

    def get_fieldsets(self, request, obj=None):
        # Without the money permission no cost of any kind shows (backoffice.permissions).
        fields = set(without_money([f.name for f in Order._meta.fields], request.user)) - {"id"}
        known = [
            (title, [name for name in names if name in fields]) for title, names in self.FIELDSETS
        ]
        if obj is not None and obj.status == S.FAILED and not obj.refund_due_reason:
            known[0] = (known[0][0], [*known[0][1], "refund_progress"])
        listed = {name for _title, names in known for name in names}
        rest = sorted(fields - listed)  # fields added later still show
        fieldsets = [(title, {"fields": names}) for title, names in known if names]
        if rest:
            fieldsets.append((_("Other"), {"fields": rest, "classes": ["collapse"]}))
        return fieldsets

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: the page is for reading and for the actions above it.
        no_save = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(
            request, object_id, form_url, {**no_save, **(extra_context or {})}
        )

    def save_model(self, request, obj, form, change):
        """Never write the row read for the form back: a worker may have moved the order since.
        Status changes happen only in orders/services/, as conditional updates."""

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, order):
        if order.is_refund_due:
            return _("%(status)s — refund due: %(reason)s") % {
                "status": order.get_status_display(),
                "reason": order.refund_due_reason,
            }
        if order.status == S.FAILED:
            progress = payment_selectors.refund_in_progress(order=order)
            if progress:
                return f"{order.get_status_display()} — {progress}"
        return order.get_status_display()

    @admin.display(description=_("refund"))
    def refund_progress(self, order):
        return payment_selectors.refund_in_progress(order=order) or "—"

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, order):
        return rupiah(order.price)

    @admin.display(description=_("profit"))
    def profit_display(self, order):
        if order.status != S.SUCCESS:
            return "—"
        return rupiah(order.price - order.actual_cost - order.payment_gateway_fee)

    @admin.display(description=_("Item"), ordering="product_name")
    def item_display(self, order):
        # Game and item in one column, so the list fits a 1280 px screen.
        return format_html(
            '{}<br><span class="bo-muted">{}</span>', order.product_name, order.variant_name
        )

    @admin.display(description=_("contact"))
    def contact(self, order):
        return order.contact_email or order.contact_phone

    # --- actions ---------------------------------------------------------------------------

    def _actor(self, request) -> str:
        return f"admin:{request.user.get_username()}"

    @admin.action(description=_("Re-poll isipay now"), permissions=["change"])
    def repoll_now(self, request, queryset):
        ids = queryset.values_list("pk", flat=True)
        count = sum(services.repoll_now(order_id=order_id) for order_id in ids)
        self.message_user(request, f"{count} processing orders will be polled now.")

    @admin.action(description=_("Resend the receipt email"), permissions=["change"])
    def resend_receipt(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        actor = self._actor(request)
        sent = sum(services.resend_receipt(order_id=order_id, actor=actor) for order_id in ids)
        level = messages.SUCCESS if sent == len(ids) else messages.WARNING
        self.message_user(
            request,
            _(
                "Receipt sent again for %(sent)d of %(count)d orders (only finished orders with an "
                "email address get one)."
            )
            % {"sent": sent, "count": len(ids)},
            level,
        )

    def has_money_permission(self, request) -> bool:
        """Money goes out by hand: the Shop manager role (backoffice.permissions) only."""
        return sees_money(request.user)

    @admin.action(description=_("Refunded by hand"), permissions=["money"])
    def refunded_by_hand(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        actor = self._actor(request)
        note = f"Marked by {request.user.get_username()} in admin."
        done = sum(
            services.refunded_by_hand(order_id=order_id, actor=actor, note=note) for order_id in ids
        )
        level = messages.SUCCESS if done == len(ids) else messages.WARNING
        self.message_user(
            request,
            _("%(done)d of %(count)d orders marked refunded (only refund due orders are).")
            % {"done": done, "count": len(ids)},
            level,
        )

    def get_urls(self):
        def view(function, *, post_only=False):
            return self.admin_site.admin_view(require_POST(function) if post_only else function)

        return [
            path("export.csv", view(self.export_view), name="orders_order_export"),
            path("<int:order_id>/resolve/", view(self.resolve_view), name="orders_order_resolve"),
            path(
                "<int:order_id>/repoll/",
                view(self.repoll_view, post_only=True),
                name="orders_order_repoll",
            ),
            path(
                "<int:order_id>/resend-receipt/",
                view(self.resend_view, post_only=True),
                name="orders_order_resend_receipt",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, order: Order) -> str:
        return reverse("admin:orders_order_change", args=[order.pk])

    def _order_to_change(self, request, order_id: int) -> Order:
        order = get_object_or_404(Order, pk=order_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        return order

    def resolve_view(self, request, order_id: int):
        order = self._order_to_change(request, order_id)
        form = ResolveForm(request.POST or None)
        if order.status != S.NEEDS_REVIEW:
            messages.warning(request, f"Order {order.number} is not under review.")
            return redirect(self._change_url(order))
        if request.method == "POST" and form.is_valid():
            moved = services.resolve_review(
                order_id=order.pk,
                success=form.cleaned_data["outcome"] == "success",
                note=form.cleaned_data["note"],
                actor=self._actor(request),
            )
            if moved:
                messages.success(request, f"Order {order.number} resolved.")
            else:
                messages.warning(request, f"Order {order.number} changed meanwhile; nothing done.")
            return redirect(self._change_url(order))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "order": order,
            "form": form,
            "title": f"Resolve {order.number}",
        }
        return TemplateResponse(request, "admin/orders/order/resolve.html", context)

    def repoll_view(self, request, order_id: int):
        order = self._order_to_change(request, order_id)
        if services.repoll_now(order_id=order.pk):
            messages.success(request, _("isipay will be asked about %s now.") % order.number)
        else:
            messages.warning(request, _("%s is not processing: nothing to poll.") % order.number)
        return redirect(self._change_url(order))

    def resend_view(self, request, order_id: int):
        order = self._order_to_change(request, order_id)
        if services.resend_receipt(order_id=order.pk, actor=self._actor(request)):
            messages.success(request, _("Receipt sent again to %s.") % order.contact_email)
        else:
            messages.warning(
                request,
                _(
                    "No receipt sent: the order is not finished, has no email address, or the "
                    "email could not be sent."
                ),
            )
        return redirect(self._change_url(order))

    def export_view(self, request):
        """The order list as CSV, with the filters, search and date drill-down now applied."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(reverse("admin:orders_order_changelist") + "?e=1")
        header = selectors.export_header()
        rows = selectors.export_rows(changelist.queryset)
        shown = without_money(header, request.user)
        if shown != header:  # no money permission: no cost or profit column
            keep = [i for i, title in enumerate(header) if not is_money(title)]
            rows = ([row[i] for i in keep] for row in rows)
        writer = csv.writer(_Echo())
        body = chain(
            ["\ufeff"],  # a byte-order mark: spreadsheet programs then read UTF-8 correctly
            (writer.writerow(row) for row in chain([shown], rows)),
        )
        response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
        return response


@admin.register(SubmissionQueue)
class SubmissionQueueAdmin(ModelAdmin):
    list_display = ("__str__", "reason")
    readonly_fields = ("paused_at", "reason")
    actions = ["resume"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Nothing here is edited in a form; resuming is the action below."""

    @admin.action(description=_("Resume submitting orders now"), permissions=["change"])
    def resume(self, request, queryset):
        count = services.resume_submissions(actor=f"admin:{request.user.get_username()}")
        self.message_user(request, f"Resumed; {count} waiting orders sent to isipay.")
