"""Emails to the customer when an order ends. The words live in templates/orders/email/."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from storefront.logging import order_context

from .models import Order

logger = logging.getLogger(__name__)

KINDS = ("success", "failed", "refunded")


def on_commit_notify(order_id: int, kind: str) -> None:
    # robust: an unexpected error is logged by Django and the other after-commit work still runs.
    transaction.on_commit(lambda: notify(order_id, kind), robust=True)


def notify(order_id: int, kind: str) -> bool:
    """Send the customer the email for `kind`; a mail failure never breaks fulfilment."""
    assert kind in KINDS
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not order.contact_email:
        return False
    order_url = f"{settings.SITE_URL.rstrip('/')}/orders/{order.number}/"
    context = {"order": order, "order_url": order_url}
    html = None
    with translation.override(order.language):
        subject = render_to_string(f"orders/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"orders/email/{kind}.txt", context)
        if kind == "success":  # the receipt, as the printable receipt page shows it
            from .selectors import receipt

            html = render_to_string("orders/email/success.html", {**context, **receipt(order)})
    try:
        send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [order.contact_email], html_message=html
        )
    # The order is done either way; the admin can resend. OSError covers the SMTP refusals
    # (smtplib.SMTPException), network and TLS failures; ValueError a header or address the
    # mail cannot carry (django.core.mail.BadHeaderError, an encoding error).
    except (OSError, ValueError) as exc:
        # No traceback and no exception text: an SMTP refusal carries the customer's address.
        logger.error(
            "email %s for order %s could not be sent: %s",
            kind,
            order.number,
            mail_error(exc),
            extra=order_context(order),
        )
        return False
    return True


def mail_error(exc: Exception) -> str:
    """What went wrong sending a mail, without the addresses: the error's kind and SMTP codes."""
    kind = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return f"{kind} (SMTP {', '.join(map(str, codes))})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{kind} (SMTP {exc.smtp_code})"
    if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException) and exc.strerror:
        return f"{kind} ({exc.strerror})"
    return kind
