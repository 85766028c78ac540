"""The outbox: one message per channel per order outcome, whatever runs twice; a gateway that
is down delays messages, loses none and never delays an order."""

import logging

import pytest
from django.core import mail

from notifications import services as notify
from notifications.models import Message
from orders import services
from orders.models import Order
from orders.tasks import poll_order as poll_order_task  # noqa: F401  (the task exists)

from ..notify import deliver_outbox
from ..waiting import wait_for
from .conftest import FONNTE_TARGET, PHONE

pytestmark = pytest.mark.django_db
S = Order.Status
M = Message.Status
FINAL_POLLS = ("success", "failed", "not-processing")


def deliver(order: Order, client) -> Order:
    """Submit and poll the order to its end as the submit and poll tasks would, each twice."""
    for _ in range(2):
        services.submit_order(order_id=order.pk, client=client)
    wait_for(
        lambda: (
            services.poll_order(order_id=order.pk, client=client)
            in ("success", "failed", "not-processing")
        ),
        timeout=10,
        what="the order to leave processing",
    )
    services.poll_order(order_id=order.pk, client=client)  # once more: nothing to move
    return Order.objects.get(pk=order.pk)


def rows(order: Order) -> list[tuple[str, str]]:
    return sorted(Message.objects.filter(order=order).values_list("event", "channel"))


def test_a_delivered_order_sends_one_message_per_channel_per_outcome_even_when_run_twice(
    paid_order, isipay_client, fonnte, django_capture_on_commit_callbacks
):
    order = paid_order()
    with django_capture_on_commit_callbacks(execute=True):
        order = deliver(order, isipay_client)
    assert order.status == S.SUCCESS
    # A transition replayed (its task delivered twice) writes nothing more: the key is unique.
    notify.order_transitioned(order_id=order.pk, from_=S.PROCESSING, to=S.SUCCESS)
    notify.order_transitioned(order_id=order.pk, from_=S.AWAITING_PAYMENT, to=S.PAID)
    assert rows(order) == [("paid", "whatsapp"), ("success", "email"), ("success", "whatsapp")]

    assert deliver_outbox() == 3
    assert deliver_outbox() == 0
    for message in Message.objects.filter(order=order):  # each send task run again
        assert notify.send_message(message_id=message.pk) == notify.SendOutcome.NOT_DUE

    paid, delivered = sorted(fonnte.texts(FONNTE_TARGET), key=lambda text: "Invoice" in text)
    assert order.number in paid and "Rp" in paid and "123456789(2345)" in paid
    assert order.invoice_number in delivered and order.variant_name in delivered
    assert "STOP" in delivered  # how to unsubscribe
    assert [m.to for m in mail.outbox] == [["ayu@example.com"]]
    assert all(m.provider_message_id for m in Message.objects.filter(channel="whatsapp"))


def test_a_failed_order_tells_the_customer_it_was_refunded_and_where(
    paid_order, isipay_client, fonnte
):
    order = deliver(paid_order(code="FF_5", user_id="FAIL-1"), isipay_client)
    assert order.status == S.REFUNDED
    assert rows(order) == [("paid", "whatsapp"), ("refunded", "email"), ("refunded", "whatsapp")]
    deliver_outbox()
    refunded = fonnte.texts(FONNTE_TARGET)[-1]
    assert order.number in refunded and "Sandbox" in refunded  # how: the payment method used


def test_without_the_opt_in_no_whatsapp_is_written(paid_order, isipay_client):
    order = deliver(paid_order(opt_in=False), isipay_client)
    assert rows(order) == [("success", "email")]


def test_the_rows_exist_exactly_when_the_transition_does(paid_order):
    order = paid_order()
    assert rows(order) == [("paid", "whatsapp")]  # written with "paid", in its transaction
    # A transition that does not happen (the order is not processing) writes nothing.
    assert not services.resolve_review(order_id=order.pk, success=True, note="", actor="x")
    assert rows(order) == [("paid", "whatsapp")]


def test_a_gateway_down_ten_minutes_delays_messages_loses_none_and_never_delays_the_order(
    paid_order, isipay_client, fonnte, clock, settings
):
    settings.NOTIFY_RETRY_BASE, settings.NOTIFY_RETRY_CAP = 15, 120
    fonnte.inject("drop", times=None)  # the gateway is down
    order = deliver(paid_order(), isipay_client)
    assert order.status == S.SUCCESS  # fulfilment did not wait for WhatsApp

    start = clock.now
    attempts = 0
    while Message.objects.filter(status__in=[M.QUEUED, M.SENDING]).exists():
        due = Message.objects.filter(status=M.QUEUED).order_by("next_attempt_at").first()
        clock.set(due.next_attempt_at)
        if clock.now - start >= notify.timedelta(minutes=10):
            fonnte.clear_faults()  # back up after ten minutes
        notify.send_message(message_id=due.pk)
        attempts += 1
        assert attempts < 100
    # Sent within one capped backoff (2 min) of the gateway's return.
    assert clock.now - start <= notify.timedelta(minutes=10 + 2)
    assert set(Message.objects.values_list("status", flat=True)) == {M.SENT}
    assert len(fonnte.texts()) == 2 and len(mail.outbox) == 1  # nothing lost, nothing twice
    assert Message.objects.get(event="paid").attempts > 5


def test_fonnte_answers_decide_retry_or_give_up(paid_order, fonnte, clock):
    order = paid_order()
    message = Message.objects.get(order=order)
    fonnte.inject("quota")
    assert notify.send_message(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == M.QUEUED and "insufficient quota" in message.last_error
    clock.set(message.next_attempt_at)
    fonnte.inject("http502")
    assert notify.send_message(message_id=message.pk) == "retry"
    clock.advance(3600)
    fonnte.inject("timeout")  # answers after the read timeout
    assert notify.send_message(message_id=message.pk) == "retry"
    clock.advance(3600)
    assert notify.send_message(message_id=message.pk) == "sent"
    assert Message.objects.get(pk=message.pk).attempts == 4

    invalid = paid_order(phone="+6281377770000")  # the fake's invalid numbers end in 0000
    message = Message.objects.get(order=invalid)
    assert notify.send_message(message_id=message.pk) == "failed"  # not tried again
    assert "target invalid" in Message.objects.get(pk=message.pk).last_error


def test_whatsapp_sends_keep_the_configured_pace(paid_order, fonnte, settings, clock):
    settings.WHATSAPP_SEND_INTERVAL = 5
    first, second = paid_order(), paid_order(user_id="555555555")
    one, two = (Message.objects.get(order=o) for o in (first, second))
    assert notify.send_message(message_id=one.pk) == "sent"
    assert notify.send_message(message_id=two.pk) == "paced"
    two.refresh_from_db()
    assert two.status == M.QUEUED and two.attempts == 0
    assert (two.next_attempt_at - clock.now).total_seconds() == pytest.approx(5, abs=0.5)
    clock.set(two.next_attempt_at)
    assert notify.send_message(message_id=two.pk) == "sent"
    assert len(fonnte.texts()) == 2


def test_a_switched_off_channel_writes_skipped_rows(paid_order, isipay_client):
    from notifications.models import NotifySettings

    NotifySettings.objects.update_or_create(pk=1, defaults={"whatsapp_enabled": False})
    order = deliver(paid_order(), isipay_client)
    skipped = Message.objects.filter(order=order, channel="whatsapp")
    assert {m.status for m in skipped} == {M.SKIPPED}
    assert deliver_outbox() == 1  # the e-mail still goes


def test_no_body_and_no_number_in_any_log_line(paid_order, isipay_client, fonnte, caplog):
    caplog.set_level(logging.DEBUG)
    fonnte.inject("quota")
    order = deliver(paid_order(), isipay_client)
    deliver_outbox()
    deliver_outbox()
    text = caplog.text
    for secret in (PHONE, FONNTE_TARGET, "81377775432", "ayu@example.com", order.data):
        assert secret not in text
    assert "could not be sent" in text and "insufficient quota" in text


def test_a_deposit_sends_once_per_channel(fonnte, db):
    for _ in range(2):  # the deposit's task run twice
        notify.notify_deposit_received(
            deposit_id=17,
            amount=100_000,
            balance=250_000,
            email="ayu@example.com",
            phone=PHONE,
            whatsapp_opt_in=True,
        )
    assert sorted(Message.objects.values_list("cause", "channel")) == [
        ("deposit:17", "email"),
        ("deposit:17", "whatsapp"),
    ]
    assert deliver_outbox() == 2
    assert "100.000" in fonnte.texts()[0] and "250.000" in fonnte.texts()[0]
    assert "100.000" in mail.outbox[0].body
