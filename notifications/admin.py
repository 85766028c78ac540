"""The back office's message log (filters, resend), alerts, switches and alert settings.

Phone numbers show masked and e-mail addresses with their local part hidden, in the list and
on a message's page; the body is shown on the page (it is what the customer received).
"""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from storefront.admin_base import ModelAdmin
from storefront.readonly_admin import ReadOnlyAdminMixin

from . import selectors, services
from .models import Alert, Message, NotifySettings, WhatsAppOptOut


@admin.register(Message)
class MessageAdmin(ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "audience",
        "cause",
        "event",
        "recipient_masked",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel", "audience", "template", "language", "created_at")
    search_fields = ("cause", "event", "provider_message_id")
    date_hierarchy = "created_at"
    list_per_page = 100
    actions = ["resend"]
    fields = (
        "cause",
        "event",
        "channel",
        "audience",
        "order",
        "recipient_masked",
        "template",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "provider",
        "provider_message_id",
        "last_error",
        "created_at",
        "sent_at",
        "subject",
        "body_shown",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("recipient"))
    def recipient_masked(self, message):
        return selectors.masked_recipient(message)

    @admin.display(description=_("message"))
    def body_shown(self, message):
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', message.body)

    @admin.action(description=_("Send again"), permissions=["change"])
    def resend(self, request, queryset):
        actor = request.user.get_username()
        again = sum(
            services.resend(message_id=pk, actor=actor) is not None
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext("%(n)d message queued again.", "%(n)d messages queued again.", again)
            % {"n": again},
            messages.SUCCESS if again else messages.WARNING,
        )


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("key", "active", "since", "summary", "last_notified_at", "resolved_at")
    list_filter = ("active",)
    search_fields = ("key",)


@admin.register(NotifySettings)
class NotifySettingsAdmin(ModelAdmin):
    """One row: the switches per channel and the alert settings."""

    fieldsets = (
        (_("Channels"), {"fields": ("email_enabled", "whatsapp_enabled", "telegram_enabled")}),
        (
            _("Alerts to the owner"),
            {
                "fields": (
                    "quiet_minutes",
                    "sync_failures",
                    "rejected_notifications",
                    "rejected_window_minutes",
                    "runway_hours",
                )
            },
        ),
    )

    def has_add_permission(self, request):
        return not NotifySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        settings_row = NotifySettings.get()
        return redirect("admin:notifications_notifysettings_change", settings_row.pk)


@admin.register(WhatsAppOptOut)
class WhatsAppOptOutAdmin(ModelAdmin):
    """Numbers that replied the unsubscribe word. Deleting one lets it receive messages again
    (only when the customer asks)."""

    list_display = ("masked", "created_at")
    fields = ("masked", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("phone"))
    def masked(self, opt_out):
        return str(opt_out)
