"""Opt-in at checkout, and the unsubscribe word through Fonnte's incoming-message webhook."""

import pytest
from django.urls import reverse

from notifications import services as notify
from notifications.models import Message, WhatsAppOptOut
from orders.models import Order

from ..notify import deliver_outbox
from .conftest import FONNTE_TARGET, PHONE

pytestmark = pytest.mark.django_db
WEBHOOK_SECRET = "test-webhook-secret-123"


def test_checkout_records_the_opt_in_only_with_a_number(client, synced):
    from catalog.models import Variant

    slug = Variant.objects.get(code="MLBB_ID_5").product.slug
    url = reverse("orders:checkout", args=[slug])
    base = {
        "variant": "MLBB_ID_5",
        "account_user_id": "123456789",
        "account_zone_id": "2345",
        "email": "ayu@example.com",
        "payment_method": "sandbox",
    }
    client.post(url, {**base, "whatsapp": "0813 7777 5432", "whatsapp_opt_in": "on"})
    client.post(url, {**base, "whatsapp": "0813 7777 5432"})
    client.post(url, {**base, "whatsapp_opt_in": "on"})
    assert list(Order.objects.order_by("pk").values_list("contact_phone", "whatsapp_opt_in")) == [
        (PHONE, True),
        (PHONE, False),
        ("", False),
    ]
    page = client.get(reverse("catalog:game", args=[slug])).content.decode()
    assert 'name="whatsapp_opt_in"' in page


def fonnte_says(client, secret=WEBHOOK_SECRET, **payload):
    url = reverse("notifications:fonnte-webhook", args=[secret])
    return client.post(url, payload, content_type="application/json")


def test_stop_through_the_webhook_unsubscribes_and_is_confirmed_once(
    client, settings, paid_order, fonnte
):
    settings.FONNTE_WEBHOOK_SECRET = WEBHOOK_SECRET
    order = paid_order()  # a "paid" WhatsApp message waits in the outbox
    response = fonnte_says(client, device="6281100000000", sender=FONNTE_TARGET, message=" Stop ")
    assert response.status_code == 200 and response.json()["unsubscribed"]
    assert fonnte_says(client, sender=FONNTE_TARGET, message="STOP").status_code == 200
    assert WhatsAppOptOut.objects.get().phone == PHONE
    deliver_outbox()
    texts = fonnte.texts(FONNTE_TARGET)
    assert len(texts) == 1 and "STOP" not in texts[0].split("\n")[0]  # only the confirmation
    assert Message.objects.get(order=order).status == Message.Status.SKIPPED
    # Later outcomes of the same number are written as skipped, never sent.
    notify.order_transitioned(order_id=order.pk, from_="processing", to="success")
    assert Message.objects.get(order=order, event="success", channel="whatsapp").status == (
        Message.Status.SKIPPED
    )


def test_other_messages_and_wrong_secrets_change_nothing(client, settings, db):
    settings.FONNTE_WEBHOOK_SECRET = WEBHOOK_SECRET
    assert fonnte_says(client, sender=FONNTE_TARGET, message="stop please").status_code == 200
    assert fonnte_says(
        client, secret="guess", sender=FONNTE_TARGET, message="STOP"
    ).status_code == (404)
    settings.FONNTE_WEBHOOK_SECRET = ""
    assert fonnte_says(client, secret="x", sender=FONNTE_TARGET, message="STOP").status_code == 404
    assert not WhatsAppOptOut.objects.exists()
