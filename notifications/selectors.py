"""Reads of the notifications app: due messages, the message log, the balance runway."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Message


def due_messages(*, now: datetime, limit: int) -> QuerySet:
    """Ids of rows a worker should send now: queued and due, or held by a worker whose lease
    ran out (it died mid-send)."""
    S = Message.Status
    return (
        Message.objects.filter(
            Q(status=S.QUEUED, next_attempt_at__lte=now) | Q(status=S.SENDING, lease_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def masked_recipient(message: Message) -> str:
    """What the back office shows: a phone number masked as on the order page, an e-mail
    address with its local part hidden; the owner's chat id as is."""
    from orders.selectors import masked_phone

    if message.channel == "whatsapp":
        return masked_phone(message.recipient)
    if message.channel == "email":
        masked = []
        for address in message.recipient.split(","):
            local, _sep, domain = address.strip().partition("@")
            masked.append(f"{local[:1]}•••@{domain}" if domain else "•••")
        return ", ".join(masked)
    return message.recipient


def rejected_notifications(*, minutes: int, now: datetime | None = None) -> int:
    """Payment notifications rejected in the last `minutes` (counted per minute in the cache)."""
    minute = int((now or timezone.now()).timestamp() // 60)
    keys = [f"notify:rejected:{m}" for m in range(minute - minutes + 1, minute + 1)]
    return sum(int(v or 0) for v in cache.get_many(keys).values())


@dataclass(frozen=True)
class Runway:
    balance: int
    taken_at: datetime
    spend_per_hour: int | None  # None: nothing was spent in the window
    hours: float | None  # how long the balance lasts at that rate


def balance_runway(*, now: datetime | None = None, window: float | None = None) -> Runway | None:
    """How long the last recorded isipay balance lasts at the current rate of spending.

    The rate is the net fall of the recorded balance (back office's BalanceSnapshot) over the
    window (ALERT_RUNWAY_WINDOW, a day: "today's rate"), with the deposits recorded in between
    added back: spend = first balance - last balance + deposits. A failed order's cost that
    isipay gives back lowers the spend, as it should. None without any balance record.
    """
    from backoffice.models import BalanceDeposit, BalanceSnapshot

    now = now or timezone.now()
    window = settings.ALERT_RUNWAY_WINDOW if window is None else window
    latest = BalanceSnapshot.objects.filter(taken_at__lte=now).order_by("-taken_at").first()
    if latest is None:
        return None
    start = now - timedelta(seconds=window)
    first = (
        BalanceSnapshot.objects.filter(taken_at__gte=start, taken_at__lt=latest.taken_at)
        .order_by("taken_at")
        .first()
    )
    if first is None:
        return Runway(latest.balance, latest.taken_at, None, None)
    deposits = (
        BalanceDeposit.objects.filter(
            made_at__gt=first.taken_at, made_at__lte=latest.taken_at
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    spent = first.balance - latest.balance + deposits
    elapsed_hours = (latest.taken_at - first.taken_at).total_seconds() / 3600
    if spent <= 0 or elapsed_hours <= 0:
        return Runway(latest.balance, latest.taken_at, None, None)
    rate = spent / elapsed_hours
    return Runway(latest.balance, latest.taken_at, round(rate), max(latest.balance, 0) / rate)


def hours_text(hours: float) -> str:
    """ "about 6 hours", "about 2 days", "less than an hour"."""
    if hours < 1:
        minutes = max(int(hours * 60), 1)
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if hours < 48:
        n = round(hours)
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    days = round(hours / 24)
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def channel_label(channel: str) -> str:
    return {"email": _("e-mail"), "whatsapp": "WhatsApp", "telegram": "Telegram"}.get(
        channel, channel
    )
