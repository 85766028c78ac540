"""Emails to the customer when an order ends. The words live in templates/orders/email/."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import Order

logger = logging.getLogger(__name__)

KINDS = ("success", "failed", "refunded")


def on_commit_notify(order_id: int, kind: str) -> None:
    transaction.on_commit(lambda: notify(order_id, kind))


def notify(order_id: int, kind: str) -> bool:
    """Send the customer the email for `kind`; a mail failure never breaks fulfilment."""
    assert kind in KINDS
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not order.contact_email:
        return False
    order_url = f"{settings.SITE_URL.rstrip('/')}/orders/{order.number}/"
    context = {"order": order, "order_url": order_url}
    with translation.override(order.language):
        subject = render_to_string(f"orders/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"orders/email/{kind}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.contact_email])
    except Exception:  # the order is done either way; the admin can resend
        logger.exception("email %s for order %s could not be sent", kind, order.number)
        return False
    return True
