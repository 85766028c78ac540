"""The admin's safe actions on orders: resolve a review, re-poll, resume the queue."""

import pytest
from django.urls import reverse

from orders import services
from orders.models import Order, SubmissionQueue
from payments.models import Payment

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
    assert len(callbacks) == 1


def test_order_list_and_detail_render(admin_client, place_order):
    order = place_order()
    assert admin_client.get(reverse("admin:orders_order_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert order.reference_number.encode() in page.content
    found = admin_client.get(
        reverse("admin:orders_order_changelist"), {"q": order.reference_number}
    )
    assert order.number.encode() in found.content
