"""The outbox: every message to a customer or the owner is a row first, sent by the notify queue.

A row is written in the same transaction as the change that causes it (an order's transition,
a deposit, an alert condition), with a key unique per (cause, event, channel): a transition
replayed, or its task run twice, finds the row already there and sends nothing more.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    class Audience(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        OWNER = "owner", _("owner")

    # What caused it: "order:GR-…", "deposit:<id>", "alert:<condition>"; its order if any.
    cause = models.CharField(_("cause"), max_length=100)
    event = models.CharField(_("event"), max_length=60)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("order"),
    )
    # A phone number (E.164), a Telegram chat id, or e-mail addresses (comma separated).
    recipient = models.CharField(_("recipient"), max_length=500)
    template = models.CharField(_("template"), max_length=60)
    language = models.CharField(_("language"), max_length=10, default="id")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # A worker holding it ("sending") until then; a dead worker's lease runs out and the
    # sweeper hands it on.
    lease_until = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=30, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    # What went wrong last, with no number, address or body in it.
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "event", "channel"], name="message_once_per_cause_event_channel"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="message_due",
                condition=Q(status__in=["queued", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cause} {self.event} ({self.channel})"


class Alert(models.Model):
    """One owner-alert condition (e.g. "submissions_paused", "review:GR-…"): whether it is on,
    and when the owner was last told, so that it is told once per quiet period and when resolved.
    """

    key = models.CharField(_("condition"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=False)
    since = models.DateTimeField(_("since"), null=True, blank=True)
    last_notified_at = models.DateTimeField(_("last notice"), null=True, blank=True)
    # How many notices (raised, reminders, resolved) went out: part of each notice's outbox key.
    notices = models.PositiveIntegerField(default=0)
    # Whether the owner heard of the current episode (a resolved notice follows only then).
    told = models.BooleanField(default=False)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-active", "-since"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return self.key


class NotifySettings(models.Model):
    """One row: the back office's switches (per channel) and alert settings."""

    email_enabled = models.BooleanField(_("send e-mail"), default=True)
    whatsapp_enabled = models.BooleanField(_("send WhatsApp"), default=True)
    telegram_enabled = models.BooleanField(_("send Telegram"), default=True)
    quiet_minutes = models.PositiveIntegerField(
        _("quiet period (minutes)"),
        default=60,
        help_text=_("An alert is repeated at most once in this period."),
    )
    sync_failures = models.PositiveIntegerField(
        _("failed catalog syncs in a row"), default=3, help_text=_("Alert after this many.")
    )
    rejected_notifications = models.PositiveIntegerField(
        _("rejected payment notifications"),
        default=20,
        help_text=_("Alert when this many are rejected within the window below."),
    )
    rejected_window_minutes = models.PositiveIntegerField(
        _("rejected notifications window (minutes)"), default=10
    )
    runway_hours = models.PositiveIntegerField(
        _("low runway (hours)"),
        default=12,
        help_text=_(
            "Alert when the isipay balance lasts less than this at the current rate, or is "
            "below the low-balance warning."
        ),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(_("Notification settings"))

    @classmethod
    def get(cls) -> "NotifySettings":
        return cls.objects.get_or_create(pk=1)[0]

    def channel_enabled(self, channel: str) -> bool:
        return bool(getattr(self, f"{channel}_enabled"))


class Pace(models.Model):
    """When a channel may send next (WhatsApp gateways ban numbers that blast): a worker takes
    the slot with a conditional UPDATE, so the pace holds across workers."""

    channel = models.CharField(max_length=20, primary_key=True)
    next_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.channel}: next at {self.next_at:%H:%M:%S}"


class WhatsAppOptOut(models.Model):
    """A number that replied the unsubscribe word: it gets no more WhatsApp messages."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("WhatsApp opt-out")
        verbose_name_plural = _("WhatsApp opt-outs")

    def __str__(self) -> str:
        from orders.selectors import masked_phone

        return masked_phone(self.phone)
