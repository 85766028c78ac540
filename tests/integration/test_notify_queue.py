"""The outbox through a real worker on the notify queue, to the fake Fonnte and Telegram."""

import pytest

from catalog.models import Variant
from notifications.models import Message
from orders import services
from orders.models import Order
from payments import services as payments

from .conftest import wait_for, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = Order.Status


def buy(user_id: str = "123456789") -> Order:
    variant = Variant.objects.get(code="MLBB_ID_5")
    order = services.create_order(
        variant=variant,
        account={"user_id": user_id, "zone_id": "2345"},
        contact_email="ayu@example.com",
        contact_phone="+6281377775432",
        whatsapp_opt_in=True,
    )
    payments.confirm_paid(payment=payments.start_payment(order=order))
    return order


def test_a_purchase_sends_its_whatsapp_messages_on_the_notify_queue(
    worker, sandbox, catalog, gateways
):
    fonnte, _telegram = gateways
    order = buy()
    assert wait_status(order, S.SUCCESS) == S.SUCCESS
    texts = wait_for(lambda: len(fonnte.texts()) == 2 and fonnte.texts(), timeout=30)
    assert all(order.number in text for text in texts)
    wait_for(lambda: set(Message.objects.values_list("status", flat=True)) == {"sent"})


def test_whatsapp_down_never_delays_the_order_and_its_messages_follow(
    worker, sandbox, catalog, gateways
):
    fonnte, _telegram = gateways
    fonnte.inject("drop", times=None)
    order = buy()
    assert wait_status(order, S.SUCCESS, timeout=30) == S.SUCCESS
    assert fonnte.texts() == []
    wait_for(lambda: Message.objects.filter(channel="whatsapp", attempts__gte=2).count() == 2)
    fonnte.clear_faults()
    wait_for(lambda: len(fonnte.texts()) == 2, timeout=30, what="the messages after the outage")
    wait_for(lambda: Message.objects.filter(channel="whatsapp", status="sent").count() == 2)
