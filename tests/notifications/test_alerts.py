"""The owner's alerts: Telegram (e-mail to ADMINS as the fallback), once per condition per
quiet period, a resolved notice, and the isipay balance runway from the recorded balances."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from catalog.models import SyncRun
from notifications import selectors
from notifications import services as notify
from notifications.models import Alert, Message, NotifySettings
from orders import services
from orders.models import Order

from ..factories import BalanceDepositFactory, BalanceSnapshotFactory, OrderFactory, SyncRunFactory
from ..notify import deliver_outbox

pytestmark = pytest.mark.django_db
S = Order.Status


def owner_texts(telegram) -> list[str]:
    deliver_outbox()
    return telegram.texts("100200300")


def test_runway_from_a_recorded_balance_history(db):
    now = timezone.now()
    BalanceSnapshotFactory(taken_at=now - timedelta(hours=30), balance=9_000_000)  # too old
    BalanceSnapshotFactory(taken_at=now - timedelta(hours=24), balance=3_000_000)
    BalanceSnapshotFactory(taken_at=now - timedelta(hours=12), balance=2_400_000)
    BalanceDepositFactory(made_at=now - timedelta(hours=6), amount=500_000)
    BalanceSnapshotFactory(taken_at=now - timedelta(hours=5), balance=2_700_000)
    BalanceSnapshotFactory(taken_at=now, balance=1_400_000)
    runway = selectors.balance_runway(now=now)
    # Spent: 3,000,000 - 1,400,000 + the 500,000 deposited = 2,100,000 in 24 h.
    assert runway.spend_per_hour == 87_500
    assert runway.hours == pytest.approx(16.0)
    assert selectors.hours_text(runway.hours) in ("16 hours", "16 jam")


def test_no_spend_means_no_runway_figure(db):
    now = timezone.now()
    BalanceSnapshotFactory(taken_at=now - timedelta(hours=2), balance=100_000)
    BalanceSnapshotFactory(taken_at=now, balance=100_000)
    assert selectors.balance_runway(now=now).hours is None


def test_low_balance_alerts_with_the_runway_once_per_quiet_period_then_resolves(
    telegram, clock, settings
):
    settings.ISIPAY_LOW_BALANCE_WARNING = 500_000
    now = clock.now
    BalanceSnapshotFactory(taken_at=now - timedelta(hours=23), balance=2_080_000)
    BalanceSnapshotFactory(taken_at=now, balance=240_000)  # 1,840,000 in 23 h: 80,000/h
    assert notify.check_alerts()["balance_low"]
    for _ in range(3):  # beat checks every minute: nothing new within the quiet period
        clock.advance(60)
        notify.check_alerts()
    texts = owner_texts(telegram)
    assert len(texts) == 1
    assert "Rp 240.000" in texts[0] and "Rp 80.000" in texts[0]
    assert "3 hours" in texts[0] or "3 jam" in texts[0]

    clock.advance(3600)  # the quiet period (60 minutes) is over and it still holds
    notify.check_alerts()
    assert len(owner_texts(telegram)) == 2

    BalanceDepositFactory(made_at=clock.now, amount=5_000_000)
    BalanceSnapshotFactory(taken_at=clock.now, balance=5_200_000)
    notify.check_alerts()
    notify.check_alerts()
    texts = owner_texts(telegram)
    assert len(texts) == 3 and "✅" in texts[-1] and "5.200.000" in texts[-1]
    assert not Alert.objects.get(key="balance_low").active


def test_submissions_paused_alerts_once_and_says_when_resumed(telegram, clock):
    for _ in range(3):  # every order that meets the low balance pauses again
        services.pause_submissions(reason="isipay: Saldo tidak mencukupi")
    notify.check_alerts()
    texts = owner_texts(telegram)
    assert len(texts) == 1 and "Saldo tidak mencukupi" in texts[0]
    services.resume_submissions()
    texts = owner_texts(telegram)
    assert len(texts) == 2 and "✅" in texts[1]
    # Paused again within the quiet period: not told again (and so no resolved notice either).
    clock.advance(60)
    services.pause_submissions(reason="again")
    services.resume_submissions()
    assert len(owner_texts(telegram)) == 2


def test_an_order_needing_review_alerts_with_a_link_and_its_resolution(telegram):
    order = OrderFactory(status=S.PROCESSING, invoice_number="INV-9")
    services._to_review(order, "isipay says 'Menunggu' for too long")
    texts = owner_texts(telegram)
    assert len(texts) == 1
    assert order.number in texts[0] and "Menunggu" in texts[0]
    assert f"/orders/order/{order.pk}/change/" in texts[0]
    services.resolve_review(order_id=order.pk, success=True, note="checked", actor="ann")
    texts = owner_texts(telegram)
    assert len(texts) == 2 and "✅" in texts[1] and order.number in texts[1]


def test_the_catalog_sync_failing_several_times_in_a_row_alerts(telegram, settings):
    NotifySettings.objects.update_or_create(pk=1, defaults={"sync_failures": 3})
    for _ in range(2):
        SyncRunFactory(status=SyncRun.Status.FAILED, error="isipay unreachable")
    assert not notify.check_alerts()["sync_failing"]
    SyncRunFactory(status=SyncRun.Status.FAILED, error="isipay unreachable")
    assert notify.check_alerts()["sync_failing"]
    texts = owner_texts(telegram)
    assert len(texts) == 1 and "3" in texts[0] and "isipay unreachable" in texts[0]
    SyncRunFactory(status=SyncRun.Status.SUCCEEDED)
    notify.check_alerts()
    assert len(owner_texts(telegram)) == 2


def test_a_burst_of_rejected_payment_notifications_alerts(client, telegram, settings):
    settings.PAYMENT_PROVIDERS = ["midtrans"]
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-test"
    NotifySettings.objects.update_or_create(pk=1, defaults={"rejected_notifications": 5})
    url = reverse("payments:midtrans-notify")
    for _ in range(7):
        assert client.post(url, "{}", content_type="application/json").status_code == 403
    texts = owner_texts(telegram)
    assert len(texts) == 1 and ("5 " in texts[0] or "7 " in texts[0])


def test_telegram_refusing_falls_back_to_email_to_admins(telegram):
    telegram.chats = set()  # "Bad Request: chat not found"
    services.pause_submissions(reason="balance")
    deliver_outbox()
    deliver_outbox()
    assert Message.objects.get(channel="telegram").status == Message.Status.FAILED
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert "paused" in mail.outbox[0].subject or "dijeda" in mail.outbox[0].subject


def test_without_telegram_the_owner_gets_email(settings, db):
    settings.TELEGRAM_BOT_TOKEN = ""
    settings.ADMINS = [("Owner", "owner@example.com")]
    services.pause_submissions(reason="balance")
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]


def test_a_telegram_flood_limit_waits_as_told(telegram, clock, settings):
    settings.NOTIFY_RETRY_BASE = 1
    telegram.inject("flood")
    services.pause_submissions(reason="balance")
    message = Message.objects.get(channel="telegram")
    assert notify.send_message(message_id=message.pk) == "retry"
    message.refresh_from_db()
    wait = (message.next_attempt_at - clock.now).total_seconds()
    assert wait == pytest.approx(7, abs=0.5)  # parameters.retry_after, not the 1 s backoff
    clock.set(message.next_attempt_at)
    assert notify.send_message(message_id=message.pk) == "sent"


def test_the_dashboard_shows_the_runway(db, client, settings):
    from ..backoffice.roles import MANAGER, logged_in, staff

    now = timezone.now()
    BalanceSnapshotFactory(taken_at=now - timedelta(hours=10), balance=1_000_000)
    BalanceSnapshotFactory(taken_at=now, balance=600_000)  # 40,000 an hour: 15 hours left
    page = logged_in(staff("ann", MANAGER)).get(reverse("backoffice:dashboard"))
    text = page.content.decode()
    assert "15 jam" in text or "15 hours" in text
    assert "40.000" in text
