"""The back office's message log (masked numbers, filters, send again), switches, settings."""

import pytest
from django.urls import reverse

from notifications.models import Message, NotifySettings

from ..backoffice.roles import MANAGER, SUPPORT, logged_in, staff
from ..notify import deliver_outbox
from .conftest import FONNTE_TARGET, PHONE

pytestmark = pytest.mark.django_db
LOG = reverse("admin:notifications_message_changelist")


@pytest.fixture
def support_client(db):
    return logged_in(staff("sam", SUPPORT))


@pytest.fixture
def manager_client(db):
    return logged_in(staff("ann", MANAGER))


def test_the_log_masks_numbers_and_filters_by_channel_and_status(support_client, paid_order):
    order = paid_order()
    page = support_client.get(LOG).content.decode()
    assert order.number in page and "+6281•" in page and "432" in page
    assert PHONE not in page and FONNTE_TARGET not in page
    detail = support_client.get(
        reverse("admin:notifications_message_change", args=[Message.objects.get().pk])
    ).content.decode()
    assert PHONE not in detail and order.number in detail  # the body is shown, not the number
    assert order.number in support_client.get(LOG, {"channel__exact": "whatsapp"}).content.decode()
    assert order.number not in support_client.get(LOG, {"status__exact": "sent"}).content.decode()


def test_send_again_is_a_new_row_and_goes_out_once_more(support_client, paid_order, fonnte):
    paid_order()
    deliver_outbox()
    original = Message.objects.get()
    response = support_client.post(
        LOG, {"action": "resend", "_selected_action": [original.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Message.objects.count() == 2
    assert deliver_outbox() == 1
    assert len(fonnte.texts(FONNTE_TARGET)) == 2


def test_only_the_manager_changes_the_switches_and_alert_settings(
    manager_client, support_client, paid_order
):
    url = reverse("admin:notifications_notifysettings_change", args=[NotifySettings.get().pk])
    assert support_client.get(url).status_code == 403
    assert manager_client.get(
        reverse("admin:notifications_notifysettings_changelist")
    ).status_code == (302)
    data = {
        "email_enabled": "on",
        "telegram_enabled": "on",
        "quiet_minutes": 30,
        "sync_failures": 5,
        "rejected_notifications": 10,
        "rejected_window_minutes": 5,
        "runway_hours": 6,
    }
    assert manager_client.post(url, data).status_code == 302
    settings_row = NotifySettings.get()
    assert not settings_row.whatsapp_enabled and settings_row.quiet_minutes == 30
    order = paid_order()
    assert Message.objects.get(order=order).status == Message.Status.SKIPPED
