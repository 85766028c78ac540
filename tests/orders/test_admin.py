"""The admin's safe actions on orders: resolve a review, re-poll, resume the queue."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Order, SubmissionQueue
from payments.models import Payment
from tests.notify import deliver_outbox
from tests.oncommit import queued_tasks

from ..backoffice.roles import MANAGER, SUPPORT, logged_in, staff
from ..factories import OrderFactory, ProductFactory, VariantFactory

S = Order.Status


@pytest.fixture
def under_review(place_order):
    order = place_order()
    Order.objects.filter(pk=order.pk).update(status=S.NEEDS_REVIEW, review_reason="Dup ref")
    return order


def test_resolve_to_failed_refunds_and_records_who(
    admin_client, under_review, django_capture_on_commit_callbacks
):
    url = reverse("admin:orders_order_resolve", args=[under_review.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and b"Dup ref" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"outcome": "failed", "note": "not at isipay"})
    assert response.status_code == 302
    order = Order.objects.get(pk=under_review.pk)
    assert order.status == S.REFUNDED
    assert order.payments.get().status == Payment.Status.REFUNDED
    event = order.events.get(to_status=S.FAILED)
    assert event.actor == "admin:admin" and "not at isipay" in event.message


def test_resolve_to_success(admin_client, under_review):
    url = reverse("admin:orders_order_resolve", args=[under_review.pk])
    admin_client.post(url, {"outcome": "success", "note": "delivered, invoice RZ-1"})
    assert Order.objects.get(pk=under_review.pk).status == S.SUCCESS


def test_resolve_needs_a_note_and_changes_nothing_without_it(admin_client, under_review):
    url = reverse("admin:orders_order_resolve", args=[under_review.pk])
    response = admin_client.post(url, {"outcome": "success", "note": ""})
    assert response.status_code == 200 and b"required" in response.content
    assert Order.objects.get(pk=under_review.pk).status == S.NEEDS_REVIEW


def test_resolve_is_refused_to_anonymous_users(client, under_review):
    url = reverse("admin:orders_order_resolve", args=[under_review.pk])
    response = client.post(url, {"outcome": "success", "note": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Order.objects.get(pk=under_review.pk).status == S.NEEDS_REVIEW


def test_resume_action_unpauses_and_resubmits_waiting_orders(
    admin_client, place_order, django_capture_on_commit_callbacks
):
    place_order()
    services.pause_submissions(reason="balance")
    queue = SubmissionQueue.get()
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(
            reverse("admin:orders_submissionqueue_changelist"),
            {"action": "resume", "_selected_action": [queue.pk]},
        )
    assert not SubmissionQueue.get().is_paused
    assert queued_tasks(callbacks) == ["orders.submit_order", "notifications.send_message"]


def test_order_list_and_detail_render(admin_client, place_order):
    order = place_order()
    assert admin_client.get(reverse("admin:orders_order_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert order.reference_number.encode() in page.content
    found = admin_client.get(
        reverse("admin:orders_order_changelist"), {"q": order.reference_number}
    )
    assert order.number.encode() in found.content


# --- the order list: filters, search, CSV export, receipts, roles, query count ----------------


CHANGELIST = reverse("admin:orders_order_changelist")
EXPORT = reverse("admin:orders_order_export")


@pytest.fixture
def support_client(db):
    return logged_in(staff("support", SUPPORT))


@pytest.fixture
def manager_client(db):
    return logged_in(staff("manager", MANAGER))


@pytest.fixture
def groupless_client(db):
    return logged_in(staff("groupless"))


@pytest.fixture
def two_games(db):
    ml = VariantFactory(product=ProductFactory(code="ML", name="Mobile Legends"))
    ff = VariantFactory(product=ProductFactory(code="FF", name="Free Fire"))
    old = timezone.now() - timedelta(days=10)
    return {
        "ml_sold": OrderFactory(
            variant=ml,
            sold=True,
            price=11_000,
            cost=10_000,
            contact_email="ayu@example.com",
            data="=HYPERLINK(1)",
        ),
        "ml_review": OrderFactory(variant=ml, status=S.NEEDS_REVIEW, review_reason="dup"),
        "ff_old": OrderFactory(
            variant=ff,
            sold=True,
            price=5_500,
            cost=5_000,
            created_at=old,
            contact_phone="+6281234567890",
            contact_email="",
        ),
    }


def listed(client, **params) -> set[str]:
    page = client.get(CHANGELIST, params)
    assert page.status_code == 200
    return {order.number for order in page.context["cl"].result_list}


def test_filters_by_status_game_and_dates(support_client, two_games):
    o = two_games
    assert listed(support_client, status__exact="needs_review") == {o["ml_review"].number}
    assert listed(support_client, game="ML") == {o["ml_sold"].number, o["ml_review"].number}
    today = timezone.localdate()
    week_ago = today - timedelta(days=7)
    assert listed(support_client, placed_from=f"{week_ago:%Y-%m-%d}") == {
        o["ml_sold"].number,
        o["ml_review"].number,
    }
    assert listed(support_client, placed_to=f"{week_ago:%Y-%m-%d}") == {o["ff_old"].number}


def test_search_by_number_contact_and_account(support_client, two_games):
    o = two_games
    assert listed(support_client, q="ayu@example.com") == {o["ml_sold"].number}
    assert listed(support_client, q="81234567890") == {o["ff_old"].number}
    assert listed(support_client, q=o["ml_review"].number) == {o["ml_review"].number}
    assert listed(support_client, q="HYPERLINK") == {o["ml_sold"].number}


def test_csv_export_follows_the_filters_with_money_as_integers(manager_client, two_games):
    # The Shop manager: Support's export has no money columns (tests/backoffice/
    # test_money_permission.py).
    response = manager_client.get(EXPORT, {"game": "ML", "status__exact": "success"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["number"] for row in rows] == [two_games["ml_sold"].number]
    row = rows[0]
    assert (row["price"], row["cost"], row["profit"]) == ("11000", "10000", "1000")
    assert row["account"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it


def test_the_export_link_carries_the_current_filters(support_client, two_games):
    page = support_client.get(CHANGELIST, {"game": "FF"}).content.decode()
    assert f"{EXPORT}?game=FF" in page


def test_csv_export_is_refused_without_the_view_permission(groupless_client, client, two_games):
    assert groupless_client.get(EXPORT).status_code == 403
    response = client.get(EXPORT)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["support_client", "manager_client"])
def test_resend_the_receipt_from_the_order_page(who, request, two_games):
    order = two_games["ml_sold"]
    response = request.getfixturevalue(who).post(
        reverse("admin:orders_order_resend_receipt", args=[order.pk])
    )
    assert response.status_code == 302
    deliver_outbox()
    assert [message.to for message in mail.outbox] == [["ayu@example.com"]]
    assert order.events.filter(message__contains="sent again").exists()


def test_resend_receipts_as_a_bulk_action(support_client, two_games):
    ids = [order.pk for order in two_games.values()]
    support_client.post(CHANGELIST, {"action": "resend_receipt", "_selected_action": ids})
    deliver_outbox()
    assert len(mail.outbox) == 1  # the review one has no outcome, the old one no email


@pytest.mark.parametrize("who", ["groupless_client", "client"])
def test_resend_the_receipt_is_refused_to_others(who, request, two_games):
    client = request.getfixturevalue(who)
    order = two_games["ml_sold"]
    response = client.post(reverse("admin:orders_order_resend_receipt", args=[order.pk]))
    assert response.status_code in (302, 403)
    client.post(CHANGELIST, {"action": "resend_receipt", "_selected_action": [order.pk]})
    assert mail.outbox == []
    if who == "groupless_client":
        assert response.status_code == 403


def test_resend_needs_a_post(support_client, two_games):
    url = reverse("admin:orders_order_resend_receipt", args=[two_games["ml_sold"].pk])
    assert support_client.get(url).status_code == 405


def test_repoll_from_the_order_page(support_client, db, django_capture_on_commit_callbacks):
    order = OrderFactory(status=S.PROCESSING, invoice_number="INV1")
    with django_capture_on_commit_callbacks() as callbacks:
        response = support_client.post(reverse("admin:orders_order_repoll", args=[order.pk]))
    assert response.status_code == 302 and len(callbacks) == 1


def test_repoll_is_refused_without_the_change_permission(
    groupless_client, db, django_capture_on_commit_callbacks
):
    order = OrderFactory(status=S.PROCESSING, invoice_number="INV1")
    with django_capture_on_commit_callbacks() as callbacks:
        response = groupless_client.post(reverse("admin:orders_order_repoll", args=[order.pk]))
    assert response.status_code == 403 and callbacks == []


def test_support_resolves_a_review_and_others_may_not(support_client, groupless_client, db):
    order = OrderFactory(status=S.NEEDS_REVIEW, review_reason="dup")
    url = reverse("admin:orders_order_resolve", args=[order.pk])
    assert groupless_client.post(url, {"outcome": "success", "note": "x"}).status_code == 403
    assert Order.objects.get(pk=order.pk).status == S.NEEDS_REVIEW
    assert support_client.get(url).status_code == 200
    support_client.post(url, {"outcome": "success", "note": "delivered"})
    assert Order.objects.get(pk=order.pk).status == S.SUCCESS


def test_the_order_page_shows_the_timeline_and_the_review_reason(support_client, under_review):
    page = support_client.get(reverse("admin:orders_order_change", args=[under_review.pk]))
    text = page.content.decode()
    assert "Dup ref" in text and "Payment received." in text
    assert reverse("admin:orders_order_resolve", args=[under_review.pk]) in text


def test_the_order_list_does_not_grow_with_rows(support_client, db, count_queries):
    variant = VariantFactory()
    OrderFactory.create_batch(10, variant=variant)
    few = count_queries(support_client, CHANGELIST)
    OrderFactory.create_batch(190, variant=variant)
    assert count_queries(support_client, CHANGELIST) == few
