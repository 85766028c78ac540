from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from catalog.models import Variant
from notifications import services as notify
from notifications.fakes import FakeFonnte, FakeTelegram
from orders import services
from orders.models import Order
from payments import services as payments

PHONE = "+6281377775432"
FONNTE_TARGET = "6281377775432"


@pytest.fixture
def fonnte(settings):
    """A live fake Fonnte; the shop sends WhatsApp to it, with no pace between sends."""
    with FakeFonnte(token="fonnte-test-token", slow_seconds=1.5) as server:
        settings.FONNTE_BASE_URL, settings.FONNTE_TOKEN = server.url, "fonnte-test-token"
        settings.WHATSAPP_SEND_INTERVAL = 0
        settings.NOTIFY_TIMEOUT = 1
        yield server


@pytest.fixture
def telegram(settings):
    with FakeTelegram(token="42:telegram-test-token", retry_after=7) as server:
        settings.TELEGRAM_API_URL = server.url
        settings.TELEGRAM_BOT_TOKEN = "42:telegram-test-token"
        settings.TELEGRAM_CHAT_ID = "100200300"
        server.chats = {"100200300"}
        settings.ADMINS = [("Owner", "owner@example.com")]
        yield server


class Clock:
    """The notifications' clock: real time plus what the test moved it on by (never back)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    @property
    def now(self) -> datetime:
        return timezone.now() + self.offset

    def advance(self, seconds: float) -> datetime:
        self.offset += timedelta(seconds=seconds)
        return self.now

    def set(self, moment: datetime) -> None:
        self.offset += max(moment - self.now, timedelta(0))


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() of the notifications app (services and selectors) follows the test."""
    from notifications import selectors

    c = Clock()

    class _Timezone:
        @staticmethod
        def now():
            return c.now

        localtime = staticmethod(timezone.localtime)

    monkeypatch.setattr(notify, "timezone", _Timezone)
    monkeypatch.setattr(selectors, "timezone", _Timezone)
    return c


@pytest.fixture
def paid_order(synced, fonnte, telegram, django_capture_on_commit_callbacks):
    """An order with e-mail and an opted-in WhatsApp number, paid (the submit task captured)."""

    def make(*, code="MLBB_ID_5", user_id="123456789", opt_in=True, phone=PHONE) -> Order:
        variant = Variant.objects.select_related("product").get(code=code)
        account = {"user_id": user_id}
        if code.startswith("MLBB"):
            account["zone_id"] = "2345"
        order = services.create_order(
            variant=variant,
            account=account,
            contact_email="ayu@example.com",
            contact_phone=phone,
            whatsapp_opt_in=opt_in,
        )
        with django_capture_on_commit_callbacks():
            payments.confirm_paid(payment=payments.start_payment(order=order))
        return Order.objects.get(pk=order.pk)

    return make
