"""Wallets and their ledger in admin: read-only, plus "Adjust balance" for the money role.

An adjustment is a ledger entry (kind adjustment, the reason as its note, the staff member as
its actor): the ledger is its history. Deleting a user who still has a balance is refused with
a message telling how to withdraw it first.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.permissions import sees_money
from storefront.admin_base import ModelAdmin, TabularInline
from storefront.readonly_admin import ReadOnlyAdminMixin
from storefront.templatetags.money import rupiah

from . import services
from .forms import AdjustForm
from .models import Deposit, LedgerEntry, Wallet

ENTRY_FIELDS = ("created_at", "kind", "amount", "balance_after", "cause", "note", "actor")


class LedgerEntryInline(ReadOnlyAdminMixin, TabularInline):
    model = LedgerEntry
    fields = ENTRY_FIELDS
    readonly_fields = ENTRY_FIELDS
    ordering = ("-created_at", "-pk")
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("user", "balance_display", "updated_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    fields = ("user", "balance_display", "created_at", "updated_at", "adjust_link")
    readonly_fields = fields
    inlines = [LedgerEntryInline]
    ordering = ("-updated_at",)
    list_per_page = 100

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if sees_money(request.user) else [f for f in fields if f != "adjust_link"]

    @admin.display(description=gettext_lazy("balance"), ordering="balance")
    def balance_display(self, wallet):
        return rupiah(wallet.balance)

    @admin.display(description=gettext_lazy("adjust"))
    def adjust_link(self, wallet):
        if wallet.user_id is None:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:wallet_wallet_adjust", args=[wallet.pk]),
            _("Adjust balance"),
        )

    def get_urls(self):
        return [
            path(
                "<int:wallet_id>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="wallet_wallet_adjust",
            ),
            *super().get_urls(),
        ]

    def adjust_view(self, request, wallet_id: int):
        if not sees_money(request.user):  # the Shop manager's money permission
            raise PermissionDenied
        wallet = get_object_or_404(Wallet.objects.select_related("user"), pk=wallet_id)
        if wallet.user_id is None:
            raise PermissionDenied  # a closed account's wallet stays as it is
        form = AdjustForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                entry = services.adjust(
                    user=wallet.user,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=f"admin:{request.user.get_username()}",
                    cause=f"adjustment:{form.cleaned_data['token']}",
                )
            except services.InsufficientBalance as error:
                form.add_error("amount", str(error))
            else:
                messages.success(
                    request,
                    _("Balance of %(user)s adjusted by %(amount)s; it is now %(balance)s.")
                    % {
                        "user": wallet.user,
                        "amount": rupiah(entry.amount),
                        "balance": rupiah(entry.balance_after),
                    },
                )
                return redirect(reverse("admin:wallet_wallet_change", args=[wallet.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "wallet": wallet,
            "form": form,
            "title": _("Adjust the balance of %(user)s") % {"user": wallet.user},
        }
        return TemplateResponse(request, "admin/wallet/wallet/adjust.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("created_at", "wallet", "kind", "amount", "balance_after", "cause", "actor")
    list_filter = ("kind",)
    list_select_related = ("wallet__user",)
    search_fields = ("cause", "wallet__user__username", "wallet__user__email", "note")
    fields = ("wallet", *ENTRY_FIELDS)
    readonly_fields = fields
    date_hierarchy = "created_at"
    list_per_page = 100


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Read-only: a deposit changes only through its payment (wallet.deposits); its payment
    attempts are in Payments, its credit in the ledger (cause "deposit:<reference>")."""

    list_display = (
        "reference",
        "user",
        "amount_display",
        "provider",
        "status",
        "created_at",
        "paid_at",
    )
    list_filter = ("status", "provider", "created_at")
    list_select_related = ("user",)
    search_fields = ("reference", "user__username", "user__email", "payments__reference")
    date_hierarchy = "created_at"
    fields = (
        "reference",
        "user",
        "amount_display",
        "provider",
        "status",
        "created_at",
        "expires_at",
        "paid_at",
        "updated_at",
    )
    readonly_fields = fields
    list_per_page = 100

    @admin.display(description=gettext_lazy("amount"), ordering="amount")
    def amount_display(self, deposit):
        return rupiah(deposit.amount)


# --- users: no deleting one who still has a balance -------------------------------------------
User = get_user_model()


class RefuseDeletingFundedUsers:
    """Mixed into whatever admin the user model has: deleting a user with a balance is refused
    with the message telling how to withdraw (the pre_delete guard would refuse it anyway)."""

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if user is not None:
            try:
                services.close_wallet(user=user)
            except services.WalletError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                opts = self.opts
                return redirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[user.pk])
                )
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        try:
            with transaction.atomic():  # the refusal undoes the whole bulk deletion
                super().delete_queryset(request, queryset)
        except services.WalletError as refusal:
            request._wallet_refused = True
            self.message_user(request, str(refusal), messages.ERROR)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "_wallet_refused", False) and level == messages.SUCCESS:
            return  # "Successfully deleted" after a refusal would be a lie
        super().message_user(request, message, level, *args, **kwargs)


if admin.site.is_registered(User):
    _user_admin = type(admin.site.get_model_admin(User))
    if not issubclass(_user_admin, RefuseDeletingFundedUsers):
        admin.site.unregister(User)
        admin.site.register(
            User,
            type(
                _user_admin.__name__,
                (RefuseDeletingFundedUsers, _user_admin),
                {"__module__": __name__},
            ),
        )
