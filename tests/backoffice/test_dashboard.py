"""The dashboard: balance (cached, or why it cannot be read), warnings, sales, reviews, syncs."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice import services as bo_services
from backoffice.models import BalanceSnapshot
from catalog.models import SyncRun
from orders import services
from orders.models import Order
from tests.oncommit import queued_tasks

from ..factories import OrderFactory, SyncRunFactory

URL = reverse("backoffice:dashboard")
pytestmark = pytest.mark.django_db
S = Order.Status


def test_dashboard_shows_the_recorded_balance_with_its_time_and_never_calls_isipay(
    manager_client, sandbox, isipay_client
):
    # Changed by issue 13: the page shows the workers' last reading, it no longer reads isipay.
    sandbox.balance = 2_345_000
    bo_services.record_balance_snapshot(client=isipay_client)
    sandbox.balance = 1_000  # spent since: the page shows what was recorded, and when
    page = manager_client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rp 2.345.000" in text and "dibaca" in text and "lalu" in text
    assert "belum membaca saldo isipay" not in text
    manager_client.get(URL)
    assert sandbox.call_count("/api/v1/balance") == 1  # the recording, no page


def test_a_balance_below_the_threshold_is_a_warning(
    manager_client, sandbox, settings, isipay_client
):
    settings.ISIPAY_LOW_BALANCE_WARNING = 1_000_000
    sandbox.balance = 250_000
    bo_services.record_balance_snapshot(client=isipay_client)
    text = manager_client.get(URL).content.decode()
    assert "Saldo isipay menipis" in text and "Rp 250.000" in text and "Rp 1.000.000" in text


def test_a_balance_not_read_recently_is_said_plainly_with_the_last_known_balance(
    manager_client, settings, db
):
    # Changed by issue 13: "isipay cannot be reached" is now what an old reading means.
    settings.ISIPAY_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    services.pause_submissions(reason="test")
    BalanceSnapshot.objects.create(
        taken_at=timezone.now() - timedelta(seconds=3 * settings.BALANCE_SNAPSHOT_INTERVAL),
        balance=777_000,
    )
    page = manager_client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "belum membaca saldo isipay" in text
    assert "Saldo terakhir yang diketahui: Rp 777.000" in text


def test_no_balance_recorded_yet_is_said(manager_client, sandbox):
    text = manager_client.get(URL).content.decode()
    assert "belum terbaca" in text and "belum membaca saldo isipay" in text
    assert sandbox.call_count("/api/v1/balance") == 0


def test_record_the_balance_now_on_the_dashboard_enqueues_the_snapshot_task(
    manager_client, db, django_capture_on_commit_callbacks
):
    assert "Catat saldo sekarang" in manager_client.get(URL).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = manager_client.post(reverse("backoffice:snapshot_now"), {"next": URL})
    assert response.status_code == 302 and response["Location"] == URL
    assert queued_tasks(callbacks) == ["backoffice.record_balance_snapshot"]


def test_a_paused_queue_is_a_warning(manager_client, sandbox):
    services.pause_submissions(reason="isipay balance too low: top up")
    text = manager_client.get(URL).content.decode()
    assert "Pesanan tidak sedang dikirim ke isipay" in text and "balance too low" in text


def test_todays_profit_orders_by_status_and_reviews(manager_client, sandbox):
    OrderFactory(sold=True, price=12_000, cost=10_000)
    OrderFactory(sold=True, price=25_000, cost=20_000)
    OrderFactory(status=S.PROCESSING)
    review = OrderFactory(status=S.NEEDS_REVIEW, review_reason="Duplicate reference GRR1")
    page = manager_client.get(URL)
    sales = page.context["sales"]
    assert (sales["today"].orders, sales["today"].revenue, sales["today"].profit) == (
        2,
        37_000,
        7_000,
    )
    text = page.content.decode()
    assert "Rp 7.000" in text
    statuses = {row.status: (row.today, row.week) for row in page.context["statuses"]}
    assert statuses == {"success": (2, 2), "processing": (1, 1), "needs_review": (1, 1)}
    assert "Duplicate reference GRR1" in text
    assert reverse("admin:orders_order_resolve", args=[review.pk]) in text


def test_the_chart_is_server_rendered_svg_with_no_inline_script_or_style(manager_client, sandbox):
    OrderFactory(sold=True, price=12_000, cost=10_000)
    page = manager_client.get(URL)
    text = page.content.decode()
    assert "<svg" in text and 'class="bo-bar-profit"' in text
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)  # every script is a file
    assert " style=" not in text
    bars = page.context["chart"].bars
    assert len(bars) == 60  # two a day over 30 days
    today = [bar for bar in bars if bar.title.startswith(timezone.localdate().strftime("%d %b"))]
    assert {bar.kind: bar.height > 0 for bar in today} == {"revenue": True, "profit": True}


def test_last_syncs_with_counts_and_errors(manager_client, sandbox):
    SyncRunFactory(
        status=SyncRun.Status.PARTIAL,
        finished_at=timezone.now(),
        counts={"products": {"created": 9, "failed": 1}, "variants": {"created": 80}},
        error="ML: isipay did not answer",
    )
    text = manager_client.get(URL).content.decode()
    assert "created 9, failed 1" in text and "created 80" in text
    assert "ML: isipay did not answer" in text


@pytest.mark.parametrize("who", ["support_client", "groupless_client"])
def test_dashboard_is_refused_without_the_permission(who, request, sandbox):
    response = request.getfixturevalue(who).get(URL)
    assert response.status_code == 403
    assert sandbox.call_count("/api/v1/balance") == 0


def test_dashboard_sends_anonymous_users_to_the_login(client, sandbox):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert sandbox.call_count("/api/v1/balance") == 0


# --- sync now ------------------------------------------------------------------------------

SYNC = reverse("backoffice:sync_now")


def test_sync_now_enqueues_one_sync_after_commit(
    manager_client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = manager_client.post(SYNC, follow=True)
    assert len(callbacks) == 1
    assert "Catalog sync requested" in response.content.decode()


def test_sync_now_while_one_runs_enqueues_nothing(
    manager_client, db, django_capture_on_commit_callbacks
):
    SyncRunFactory(status=SyncRun.Status.RUNNING)
    with django_capture_on_commit_callbacks() as callbacks:
        response = manager_client.post(SYNC, follow=True)
    assert callbacks == []
    assert "already running" in response.content.decode()


@pytest.mark.parametrize("who", ["support_client", "groupless_client", "client"])
def test_sync_now_is_refused_to_others(who, request, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = request.getfixturevalue(who).post(SYNC)
    assert response.status_code in (302, 403) and callbacks == []
    if who != "client":
        assert response.status_code == 403


def test_sync_now_needs_a_post(manager_client, db):
    assert manager_client.get(SYNC).status_code == 405


def test_admin_index_links_to_the_back_office_per_role(manager_client, support_client, sandbox):
    OrderFactory(status=S.NEEDS_REVIEW, review_reason="x")
    manager = manager_client.get(reverse("admin:index")).content.decode()
    assert reverse("backoffice:dashboard") in manager and reverse("backoffice:reports") in manager
    support = support_client.get(reverse("admin:index")).content.decode()
    assert reverse("backoffice:dashboard") not in support
    assert reverse("backoffice:reports") not in support
    assert "1 pesanan perlu diperiksa" in support
    assert sandbox.call_count("/api/v1/balance") == 0  # the index never waits for isipay
