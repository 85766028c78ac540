"""Every write of the notifications app: outbox rows, sending them, alerts, opt-outs.

- Outbox rows are written by the transition that causes them, in its transaction
  (orders_transitioned, order_refund_due, notify_deposit_received, raise_alert/resolve_alert),
  each unique per (cause, event, channel): a replay writes nothing more.
- Rows written together (a poll tick's chunk of receipts) are queued by one send_messages
  task, which queues a send_message per row: the writer publishes once, not once per row.
- send_message (the notify queue) claims one row with a conditional UPDATE, sends it, and on
  failure puts it back with a backoff: a gateway that is down delays messages and loses none,
  and fulfilment never waits for it (nothing here runs inside an order's task).
- Message bodies and phone numbers never go into a log line: lines name the message by id,
  cause and channel.
"""

import html
import logging
import re
import smtplib
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from storefront.celery import schedule

from . import selectors
from .gateways import FonnteGateway, SendError, TelegramGateway, TextGateway
from .models import Alert, Channel, Message, NotifySettings, Pace, WhatsAppOptOut

logger = logging.getLogger(__name__)
S = Message.Status

# The customer's messages of each order outcome, per channel. E-mail keeps the receipts it
# always had (templates/orders/email/); WhatsApp also says the payment arrived.
EMAIL_KINDS = ("success", "failed", "refunded")
WHATSAPP_KINDS = ("paid", "success", "failed", "refunded")
LEASE = timedelta(seconds=90)  # longer than a gateway call's connect + read timeouts


class SendOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # put back with a backoff
    FAILED = "failed"
    SKIPPED = "skipped"
    PACED = "paced"  # the channel's next slot is later: put back until then
    NOT_DUE = "not_due"  # another worker has it, or it is done, or not due yet


# --- writing messages -------------------------------------------------------------------------


def order_url(number: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/orders/{number}/"


def order_transitioned(*, order_id: int, from_: str, to: str) -> None:
    """The outbox rows an order's transition causes (see orders_transitioned)."""
    orders_transitioned(order_ids=[order_id], from_=from_, to=to)


def orders_transitioned(*, order_ids: list[int], from_: str, to: str) -> None:
    """The outbox rows of orders that made the same move together; called by orders'
    _transition_many inside its transaction, so the rows exist exactly when the transition
    does. The customers' messages are written in one go (a poll tick finishing a hundred
    orders reads them, the settings and the opt-outs once, and inserts once)."""
    from orders.models import Order

    O = Order.Status  # noqa: E741
    kinds = {O.PAID: "paid", O.SUCCESS: "success", O.REFUNDED: "refunded"}
    if to in kinds:
        orders = Order.objects.filter(pk__in=order_ids).order_by("pk")
        _write_many([row for order in orders for row in _customer_rows(order, kinds[O(to)])])
    if O.NEEDS_REVIEW not in (from_, to):
        return
    for order_id in order_ids:  # an order to review is one at a time: its own alert
        _review_alert(order_id=order_id, to=to)


def _review_alert(*, order_id: int, to: str) -> None:
    from orders.models import Order

    O = Order.Status  # noqa: E741
    # The owner's words are in the shop's language, whoever moved the order.
    with translation.override(settings.LANGUAGE_CODE):
        if to == O.NEEDS_REVIEW:
            number, reason = (
                Order.objects.filter(pk=order_id).values_list("number", "review_reason").get()
            )
            raise_alert(
                key=f"review:{number}",
                title=_("Order %(number)s needs review") % {"number": number},
                details=reason,
                link=admin_order_url(order_id),
            )
        else:
            number = Order.objects.filter(pk=order_id).values_list("number", flat=True).get()
            resolve_alert(
                key=f"review:{number}",
                title=_("Order %(number)s was reviewed: %(status)s")
                % {"number": number, "status": O(to).label},
            )


def order_refund_due(*, order_id: int) -> None:
    """A failed order that must be refunded by hand: the customer hears it will be."""
    from orders.models import Order

    _customer_messages(Order.objects.get(pk=order_id), "failed")


def _customer_messages(order, kind: str) -> None:
    _write_many(_customer_rows(order, kind))


def _customer_rows(order, kind: str) -> list[dict[str, Any]]:
    """The fields of the customer's outbox rows for `kind` of the order, not yet written."""
    context = {"order": order, "order_url": order_url(order.number)}
    if kind == "refunded":
        context["refund_how"] = refund_how(order)
    cause = f"order:{order.number}"
    rows = []
    if kind in EMAIL_KINDS and order.contact_email:
        rows.append(_order_email_row(order, kind, event=kind))
    if kind in WHATSAPP_KINDS and order.contact_phone and order.whatsapp_opt_in:
        rows.append(
            _whatsapp_row(
                cause=cause,
                event=kind,
                order_id=order.pk,
                phone=order.contact_phone,
                template=kind,
                language=order.language,
                context=context,
            )
        )
    return rows


def _order_email(order, kind: str, *, event: str) -> Message | None:
    return _write(**_order_email_row(order, kind, event=event))


def _order_email_row(order, kind: str, *, event: str) -> dict[str, Any]:
    context = {"order": order, "order_url": order_url(order.number)}
    with translation.override(order.language):
        subject = render_to_string(f"orders/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"orders/email/{kind}.txt", context)
    return dict(
        cause=f"order:{order.number}",
        event=event,
        channel=Channel.EMAIL,
        audience=Message.Audience.CUSTOMER,
        order_id=order.pk,
        recipient=order.contact_email,
        template=f"orders/email/{kind}",
        language=order.language,
        subject=subject,
        body=body,
    )


def resend_order_receipt(*, order_id: int, kind: str) -> bool:
    """The order's receipt e-mail for `kind` once more, as a new outbox row (rendered now);
    False when e-mail is switched off or the order has no address."""
    from orders.models import Order

    order = Order.objects.get(pk=order_id)
    if not order.contact_email or not NotifySettings.get().email_enabled:
        return False
    copies = Message.objects.filter(
        cause=f"order:{order.number}", channel=Channel.EMAIL, event__startswith=f"{kind}~"
    ).count()
    return _order_email(order, kind, event=f"{kind}~resend{copies + 1}") is not None


def refund_how(order) -> str:
    """Where an order's money went back, in the customer's words."""
    from payments.providers import get_provider
    from payments.selectors import paid_with

    payment = paid_with(order)
    if order.payment_provider == "wallet" or (payment and payment.refunded_to_wallet):
        return _("to your Gerai balance, ready to spend at once")
    try:
        label = get_provider(order.payment_provider).label
    except Exception:  # a provider no longer configured still refunded this order
        label = order.payment_provider
    return _("to the payment method you used (%(method)s); banks and e-wallets take 1-14 days") % {
        "method": label
    }


def notify_deposit_received(
    *,
    deposit_id: int | str,
    amount: int,
    balance: int | None = None,
    email: str = "",
    phone: str = "",
    whatsapp_opt_in: bool = False,
    language: str = "id",
) -> None:
    """A customer's wallet deposit arrived: e-mail, and WhatsApp when the customer opted in.
    Call it inside the transaction that credits the deposit (cause "deposit:<id>")."""
    context = {
        "amount": amount,
        "balance": balance,
        "account_url": f"{settings.SITE_URL.rstrip('/')}/akun/",
    }
    cause = f"deposit:{deposit_id}"
    if email:
        with translation.override(language):
            subject = render_to_string("notifications/email/deposit_subject.txt", context).strip()
            body = render_to_string("notifications/email/deposit.txt", context)
        _write(
            cause=cause,
            event="received",
            channel=Channel.EMAIL,
            audience=Message.Audience.CUSTOMER,
            recipient=email,
            template="notifications/email/deposit",
            language=language,
            subject=subject,
            body=body,
        )
    if phone and whatsapp_opt_in:
        _write_whatsapp(
            cause=cause,
            event="received",
            phone=phone,
            template="deposit",
            language=language,
            context=context,
        )


def _write_whatsapp(**row: Any) -> Message | None:
    return _write(**_whatsapp_row(**row))


def _whatsapp_row(
    *,
    cause: str,
    event: str,
    phone: str,
    template: str,
    language: str,
    context: dict[str, Any],
    order_id: int | None = None,
) -> dict[str, Any]:
    context = {**context, "unsubscribe_word": settings.WHATSAPP_UNSUBSCRIBE_WORDS[0].upper()}
    with translation.override(language):
        body = render_to_string(f"notifications/whatsapp/{template}.txt", context)
    return dict(
        cause=cause,
        event=event,
        channel=Channel.WHATSAPP,
        audience=Message.Audience.CUSTOMER,
        order_id=order_id,
        recipient=phone,
        template=f"notifications/whatsapp/{template}",
        language=language,
        body=_tidy(body),
    )


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _write(**fields) -> Message | None:
    """One outbox row (see _write_many); None when it was written before."""
    written = _write_many([fields])
    return written[0] if written else None


def _write_many(rows: list[dict[str, Any]]) -> list[Message]:
    """Outbox rows, each unless its (cause, event, channel) is already there; each queued to
    send once the transaction commits; returns the rows written. A switched-off channel or an
    unsubscribed number is written as skipped, so the log says why nothing went out.

    One INSERT for all of them; if one was written before (a replay), each is tried on its
    own and only that one is left out."""
    if not rows:
        return []
    switches = NotifySettings.get()
    to_check = []  # WhatsApp rows that go out unless the number unsubscribed
    for fields in rows:
        channel = fields["channel"]
        if not switches.channel_enabled(channel):
            fields |= {"status": S.SKIPPED, "last_error": "channel switched off"}
        elif channel == Channel.WHATSAPP and not settings.FONNTE_TOKEN:
            fields |= {"status": S.SKIPPED, "last_error": "WhatsApp is not set up (FONNTE_TOKEN)"}
        elif channel == Channel.WHATSAPP:
            to_check.append(fields)
    if to_check:
        opted_out = opted_out_of(f["recipient"] for f in to_check)
        for fields in to_check:
            if normalise(fields["recipient"]) in opted_out:
                fields |= {"status": S.SKIPPED, "last_error": "the number unsubscribed"}
    try:
        with transaction.atomic():
            written = Message.objects.bulk_create([Message(**fields) for fields in rows])
    except IntegrityError:
        written = [m for fields in rows if (m := _insert_once(fields)) is not None]
    queued = [message.pk for message in written if message.status == S.QUEUED]
    if len(queued) == 1:
        schedule("notifications.send_message", queued[0])
    elif queued:  # one task to publish, not one per row: the notify queue fans it out
        schedule("notifications.send_messages", queued)
    for message in written:
        logger.info(
            "message %s queued: %s %s by %s (%s)",
            message.pk,
            message.cause,
            message.event,
            message.channel,
            message.status,
        )
    return written


def _insert_once(fields: dict[str, Any]) -> Message | None:
    try:
        with transaction.atomic():
            return Message.objects.create(**fields)
    except IntegrityError:
        return None  # written before: a replay sends nothing more


def resend(*, message_id: int, actor: str) -> Message | None:
    """Send a message again, as a new row (the log keeps both); None if it was skipped."""
    original = Message.objects.get(pk=message_id)
    if original.status == S.SKIPPED:
        return None
    copies = Message.objects.filter(
        cause=original.cause, channel=original.channel, event__startswith=f"{original.event}~"
    ).count()
    fields = {
        name: getattr(original, name)
        for name in (
            "cause",
            "channel",
            "audience",
            "order_id",
            "recipient",
            "template",
            "language",
            "subject",
            "body",
        )
    }
    with transaction.atomic():
        message = _write(**fields, event=f"{original.event}~resend{copies + 1}")
    logger.info("message %s sent again by %s", message_id, actor)
    return message


# --- sending ----------------------------------------------------------------------------------


def whatsapp_gateway() -> TextGateway:
    return FonnteGateway(
        base_url=settings.FONNTE_BASE_URL,
        token=settings.FONNTE_TOKEN,
        country_code=settings.FONNTE_COUNTRY_CODE,
        timeout=settings.NOTIFY_TIMEOUT,
    )


def telegram_gateway() -> TextGateway:
    return TelegramGateway(
        api_url=settings.TELEGRAM_API_URL,
        token=settings.TELEGRAM_BOT_TOKEN,
        timeout=settings.NOTIFY_TIMEOUT,
    )


def telegram_configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN and settings.TELEGRAM_CHAT_ID)


def backoff(attempts: int) -> float:
    return float(
        min(settings.NOTIFY_RETRY_BASE * 2 ** max(attempts - 1, 0), settings.NOTIFY_RETRY_CAP)
    )


def send_message(*, message_id: int) -> SendOutcome:
    """Send one outbox row if it is due and nobody else holds it. Safe to run twice: the claim
    is a conditional UPDATE, and a sent row is never claimed again."""
    now = timezone.now()
    due = Q(status=S.QUEUED, next_attempt_at__lte=now) | Q(status=S.SENDING, lease_until__lt=now)
    claimed = Message.objects.filter(due, pk=message_id).update(
        status=S.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        return SendOutcome.NOT_DUE
    message = Message.objects.get(pk=message_id)
    if not NotifySettings.get().channel_enabled(message.channel):
        return _finish(message, S.SKIPPED, error="channel switched off")
    if message.channel == Channel.WHATSAPP:
        # The one message an unsubscribed number still gets: the confirmation of it.
        if is_opted_out(message.recipient) and not message.cause.startswith("unsubscribe:"):
            return _finish(message, S.SKIPPED, error="the number unsubscribed")
        free_at = take_slot(Channel.WHATSAPP, settings.WHATSAPP_SEND_INTERVAL)
        if free_at is not None:
            wait = max((free_at - timezone.now()).total_seconds(), 0.01)
            Message.objects.filter(pk=message.pk, status=S.SENDING).update(
                status=S.QUEUED,
                next_attempt_at=free_at,
                attempts=F("attempts") - 1,
                lease_until=None,
            )
            schedule("notifications.send_message", message.pk, countdown=wait)
            return SendOutcome.PACED
    try:
        provider, provider_id = _deliver(message)
    except SendError as exc:
        return _failed(message, exc)
    Message.objects.filter(pk=message.pk, status=S.SENDING).update(
        status=S.SENT,
        sent_at=timezone.now(),
        provider=provider,
        provider_message_id=provider_id[:100],
        last_error="",
        lease_until=None,
    )
    logger.info(
        "message %s sent: %s %s by %s (attempt %d)",
        message.pk,
        message.cause,
        message.event,
        message.channel,
        message.attempts,
    )
    return SendOutcome.SENT


def _receipt_html(message: Message) -> str | None:
    """The success e-mail carries the receipt as the printable receipt page shows it, rendered
    from the order at send time (the outbox row keeps only the plain-text part)."""
    if message.template != "orders/email/success" or not message.order_id:
        return None
    from orders.models import Order
    from orders.selectors import receipt

    order = Order.objects.filter(pk=message.order_id).first()
    if order is None:
        return None
    context = {"order": order, "order_url": order_url(order.number)}
    with translation.override(message.language or order.language):
        return render_to_string("orders/email/success.html", {**context, **receipt(order)})


def _deliver(message: Message) -> tuple[str, str]:
    if message.channel == Channel.EMAIL:
        from orders.notifications import mail_error

        try:
            send_mail(
                message.subject,
                message.body,
                settings.DEFAULT_FROM_EMAIL,
                [a.strip() for a in message.recipient.split(",") if a.strip()],
                html_message=_receipt_html(message),
            )
        except (OSError, ValueError) as exc:
            # mail_error: the kind and SMTP codes only, never the refused address.
            # A refused address or a header the mail cannot carry stays refused; a server
            # that is down or busy may take it later.
            permanent = isinstance(exc, ValueError | smtplib.SMTPRecipientsRefused)
            raise SendError(mail_error(exc), permanent=permanent) from exc
        return "email", ""
    gateway = whatsapp_gateway() if message.channel == Channel.WHATSAPP else telegram_gateway()
    sent = gateway.send(to=message.recipient, text=message.body)
    return sent.provider, sent.message_id


def _failed(message: Message, exc: SendError) -> SendOutcome:
    now = timezone.now()
    too_old = now - message.created_at > timedelta(seconds=settings.NOTIFY_GIVE_UP_AFTER)
    if exc.permanent or too_old:
        outcome = _finish(message, S.FAILED, error=exc.reason)
        if message.channel == Channel.TELEGRAM:
            _owner_email(message)  # the owner still hears of it, by e-mail
        return outcome
    wait = max(backoff(message.attempts), exc.retry_after or 0)
    Message.objects.filter(pk=message.pk, status=S.SENDING).update(
        status=S.QUEUED,
        next_attempt_at=now + timedelta(seconds=wait),
        last_error=exc.reason[:300],
        lease_until=None,
    )
    schedule("notifications.send_message", message.pk, countdown=wait)
    logger.warning(
        "message %s (%s %s by %s) could not be sent: %s; attempt %d, trying again in %.0f s",
        message.pk,
        message.cause,
        message.event,
        message.channel,
        exc.reason,
        message.attempts,
        wait,
        extra=_context(message),
    )
    return SendOutcome.RETRY


def _context(message: Message) -> dict[str, str]:
    """`extra` for a log line: the order's number and isipay reference, when an order caused it."""
    from orders.models import Order

    if message.order_id is None:
        return {}
    row = Order.objects.filter(pk=message.order_id).values_list("number", "reference_number")
    found = row.first()
    return {"order": found[0], "reference": found[1]} if found else {}


def _finish(message: Message, status: str, *, error: str) -> SendOutcome:
    Message.objects.filter(pk=message.pk, status=S.SENDING).update(
        status=status, last_error=error[:300], lease_until=None
    )
    if status == S.FAILED:
        logger.warning(
            "message %s (%s %s by %s) could not be sent, given up: %s",
            message.pk,
            message.cause,
            message.event,
            message.channel,
            error,
            extra=_context(message),
        )
    else:
        logger.info("message %s %s: %s", message.pk, status, error)
    return SendOutcome(status)


def take_slot(channel: str, interval: float) -> datetime | None:
    """None when this worker may send on `channel` now (the next slot moves `interval` on),
    else when the next slot is free."""
    now = timezone.now()
    Pace.objects.get_or_create(channel=channel, defaults={"next_at": now})
    if Pace.objects.filter(channel=channel, next_at__lte=now).update(
        next_at=now + timedelta(seconds=interval)
    ):
        return None
    return Pace.objects.filter(channel=channel).values_list("next_at", flat=True).get()


def queue_sends(*, message_ids: list[int]) -> None:
    """A send_message task for each of these rows (written together, queued by one task)."""
    for message_id in message_ids:
        schedule("notifications.send_message", message_id)


def sweep_outbox(*, limit: int = 200) -> int:
    """Queue the rows that are due (a retry whose task was lost, a dead worker's lease)."""
    ids = list(selectors.due_messages(now=timezone.now(), limit=limit))
    for message_id in ids:
        schedule("notifications.send_message", message_id)
    return len(ids)


# --- owner alerts -----------------------------------------------------------------------------


def admin_order_url(order_id: int) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/{settings.ADMIN_URL}orders/order/{order_id}/change/"


def raise_alert(*, key: str, title: str, details: str = "", link: str = "") -> bool:
    """The condition `key` holds. The owner is told now unless told of it within the quiet
    period; True when a notice was written."""
    now = timezone.now()
    quiet = timedelta(minutes=NotifySettings.get().quiet_minutes)
    Alert.objects.get_or_create(key=key)
    Alert.objects.filter(key=key, active=False).update(
        active=True, since=now, resolved_at=None, told=False
    )
    told = Alert.objects.filter(key=key).filter(
        Q(last_notified_at__isnull=True) | Q(last_notified_at__lte=now - quiet)
    )
    if not told.update(
        last_notified_at=now, notices=F("notices") + 1, told=True, summary=title[:300]
    ):
        return False
    alert = Alert.objects.get(key=key)
    reminder = alert.notices > 1 and alert.since and alert.since < now - quiet
    heading = ("⏰ " + _("Still: ") if reminder else "⚠️ ") + title
    _owner_message(
        cause=f"alert:{key}",
        event=f"notice-{alert.notices}",
        heading=heading,
        details=details,
        link=link,
    )
    return True


def resolve_alert(*, key: str, title: str, details: str = "") -> bool:
    """The condition `key` is over. The owner hears it if they heard of it; True then."""
    now = timezone.now()
    if not Alert.objects.filter(key=key, active=True).update(active=False, resolved_at=now):
        return False
    if not Alert.objects.filter(key=key, told=True).update(
        told=False, notices=F("notices") + 1, last_notified_at=now
    ):
        return False
    alert = Alert.objects.get(key=key)
    _owner_message(
        cause=f"alert:{key}",
        event=f"notice-{alert.notices}",
        heading="✅ " + title,
        details=details,
        link="",
    )
    return True


def _owner_message(*, cause: str, event: str, heading: str, details: str, link: str) -> None:
    """Telegram to the owner's chat; e-mail to ADMINS when Telegram is off or not set up."""
    parts = [f"<b>{html.escape(heading)}</b>"]
    if details:
        parts.append(html.escape(details))
    if link:
        parts.append(html.escape(link))
    telegram_on = NotifySettings.get().telegram_enabled and telegram_configured()
    if telegram_on:
        _write(
            cause=cause,
            event=event,
            channel=Channel.TELEGRAM,
            audience=Message.Audience.OWNER,
            recipient=settings.TELEGRAM_CHAT_ID,
            template="alert",
            language=settings.LANGUAGE_CODE,
            subject=heading[:300],
            body="\n".join(parts),
        )
    else:
        _owner_email_fields(cause=cause, event=event, heading=heading, details=details, link=link)


def _owner_email(message: Message) -> None:
    """The e-mail a Telegram notice falls back to, with the same cause and event."""
    text = html.unescape(re.sub(r"</?b>", "", message.body))
    heading, _sep, rest = text.partition("\n")
    with transaction.atomic():
        _owner_email_fields(
            cause=message.cause, event=message.event, heading=heading, details=rest, link=""
        )


def _owner_email_fields(*, cause: str, event: str, heading: str, details: str, link: str):
    admins = ",".join(address for _name, address in settings.ADMINS)
    if not admins:
        logger.warning("owner notice %s %s: no Telegram and no ADMINS to e-mail", cause, event)
        return
    body = "\n\n".join(part for part in (heading, details, link) if part) + "\n"
    _write(
        cause=cause,
        event=event,
        channel=Channel.EMAIL,
        audience=Message.Audience.OWNER,
        recipient=admins,
        template="alert",
        language=settings.LANGUAGE_CODE,
        subject=f"[Gerai] {heading}"[:300],
        body=body,
    )


def submissions_paused(*, reason: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        raise_alert(
            key="submissions_paused",
            title=_("Order submission to isipay is paused"),
            details=reason,
            link=f"{settings.SITE_URL.rstrip('/')}/{settings.ADMIN_URL}backoffice/dashboard/",
        )


def submissions_resumed() -> None:
    with translation.override(settings.LANGUAGE_CODE):
        resolve_alert(key="submissions_paused", title=_("Order submission to isipay resumed"))


def note_rejected_payment_notification() -> None:
    """One more payment notification rejected (bad signature, amount, unknown order): counted
    per minute in the cache; a burst raises the alert at once."""
    key = f"notify:rejected:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=3 * 3600)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3 * 3600)
    config = NotifySettings.get()
    count = selectors.rejected_notifications(minutes=config.rejected_window_minutes)
    if count >= config.rejected_notifications:
        _alert_rejected(count, config)


def _alert_rejected(count: int, config: NotifySettings) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        raise_alert(
            key="payment_rejections",
            title=_("Many rejected payment notifications"),
            details=_(
                "%(count)d payment notifications were rejected in the last %(minutes)d minutes "
                "(bad signature, amount or order): someone may be forging them."
            )
            % {"count": count, "minutes": config.rejected_window_minutes},
        )


def check_alerts(*, now: datetime | None = None) -> dict[str, bool]:
    """Look at every alert condition once (beat, every ALERT_CHECK_INTERVAL): raise what holds,
    resolve what is over. Returns condition → holds."""
    from catalog.models import SyncRun
    from orders.models import SubmissionQueue

    now = now or timezone.now()
    config = NotifySettings.get()
    state: dict[str, bool] = {}
    with translation.override(settings.LANGUAGE_CODE):
        queue = SubmissionQueue.get()
        state["submissions_paused"] = queue.is_paused
        if queue.is_paused:
            submissions_paused(reason=queue.reason)
        else:
            submissions_resumed()

        runway = selectors.balance_runway(now=now)
        low = runway is not None and (
            runway.balance < settings.ISIPAY_LOW_BALANCE_WARNING
            or (runway.hours is not None and runway.hours < config.runway_hours)
        )
        state["balance_low"] = low
        if low and runway is not None:
            raise_alert(
                key="balance_low",
                title=_("isipay balance is low: %(balance)s") % {"balance": rupiah(runway.balance)},
                details=runway_text(runway),
                link=f"{settings.SITE_URL.rstrip('/')}/{settings.ADMIN_URL}backoffice/dashboard/",
            )
        elif runway is not None:
            resolve_alert(
                key="balance_low",
                title=_("isipay balance is fine again: %(balance)s")
                % {"balance": rupiah(runway.balance)},
            )

        finished = SyncRun.objects.exclude(status=SyncRun.Status.RUNNING).order_by("-started_at")
        last = list(finished.values_list("status", "error")[: config.sync_failures])
        failing = len(last) >= config.sync_failures and all(
            status == SyncRun.Status.FAILED for status, _error in last
        )
        state["sync_failing"] = failing
        if failing:
            raise_alert(
                key="sync_failing",
                title=_("The catalog sync failed %(count)d times in a row")
                % {"count": config.sync_failures},
                details=(last[0][1] or "")[:500],
            )
        elif last and last[0][0] != SyncRun.Status.FAILED:
            resolve_alert(key="sync_failing", title=_("The catalog sync works again"))

        count = selectors.rejected_notifications(minutes=config.rejected_window_minutes)
        burst = count >= config.rejected_notifications
        state["payment_rejections"] = burst
        if burst:
            _alert_rejected(count, config)
        else:
            resolve_alert(
                key="payment_rejections",
                title=_("Rejected payment notifications are back to normal"),
            )
    return state


def rupiah(amount: int) -> str:
    from storefront.templatetags.money import rupiah as fmt

    return str(fmt(amount))


def runway_text(runway: "selectors.Runway") -> str:
    if runway.hours is None:
        return _("No spending recorded in the last day.")
    return _(
        "It lasts about %(hours)s at today's rate (%(rate)s an hour, from the recorded balances)."
    ) % {"hours": selectors.hours_text(runway.hours), "rate": rupiah(runway.spend_per_hour or 0)}


# --- WhatsApp opt-out -------------------------------------------------------------------------


def is_opted_out(phone: str) -> bool:
    return WhatsAppOptOut.objects.filter(phone=normalise(phone)).exists()


def opted_out_of(phones) -> set[str]:
    """Which of these numbers unsubscribed, normalised, in one query."""
    wanted = {normalise(phone) for phone in phones}
    return set(WhatsAppOptOut.objects.filter(phone__in=wanted).values_list("phone", flat=True))


def normalise(phone: str) -> str:
    """E.164 as checkout stores it: "+6281…"; Fonnte's "6281…" or "081…" become that too."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0"):
        digits = settings.FONNTE_COUNTRY_CODE + digits[1:]
    return f"+{digits}" if digits else ""


def incoming_whatsapp(*, sender: str, text: str) -> bool:
    """A message a customer sent to the shop's WhatsApp (Fonnte's webhook). The unsubscribe
    word opts the number out of every further message and is answered once; True then."""
    if text.strip().lower() not in settings.WHATSAPP_UNSUBSCRIBE_WORDS:
        return False
    phone = normalise(sender)
    if not phone:
        return False
    with transaction.atomic():
        opt_out, created = WhatsAppOptOut.objects.get_or_create(phone=phone)
        skipped = (
            Message.objects.filter(channel=Channel.WHATSAPP, recipient=phone, status=S.QUEUED)
            .exclude(cause__startswith="unsubscribe:")
            .update(status=S.SKIPPED, last_error="the number unsubscribed")
        )
        if created:
            # The confirmation itself: written before the opt-out is checked at send time,
            # and sent once (cause unsubscribe:<id>).
            context = {"unsubscribe_word": settings.WHATSAPP_UNSUBSCRIBE_WORDS[0].upper()}
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string("notifications/whatsapp/unsubscribed.txt", context)
            Message.objects.create(
                cause=f"unsubscribe:{opt_out.pk}",
                event="confirmed",
                channel=Channel.WHATSAPP,
                audience=Message.Audience.CUSTOMER,
                recipient=phone,
                template="notifications/whatsapp/unsubscribed",
                language=settings.LANGUAGE_CODE,
                body=_tidy(body),
            )
    logger.info("a WhatsApp number unsubscribed (%d queued messages skipped)", skipped)
    if created:
        message_id = (
            Message.objects.filter(cause=f"unsubscribe:{opt_out.pk}").values_list("pk", flat=True)
        ).get()
        schedule("notifications.send_message", message_id)
    return True
