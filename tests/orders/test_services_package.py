"""orders/services/ is a package by concern, re-exported whole; outcomes are StrEnums; the
services reach tasks only through transitions.schedule, by task name."""

import ast
from pathlib import Path

from orders import services
from orders.models import Order
from orders.services import checkout, polling, refunds, review, submission, transitions
from orders.services.polling import PollOutcome
from orders.services.submission import SubmitOutcome
from tests.oncommit import queued_tasks

PACKAGE = Path(services.__file__).parent


def test_each_concern_has_its_module_and_callers_reach_it_through_the_package():
    homes = {
        transitions: ["_transition", "_note", "schedule"],
        checkout: ["create_order", "mark_paid", "expire_order", "expire_unpaid", "change_order"],
        submission: [
            "submit_order",
            "sweep_submissions",
            "pause_submissions",
            "resume_submissions",
            "check_supplier_balance",
        ],
        polling: ["poll_due", "poll_order", "lease_due_orders", "repoll_now"],
        review: ["resolve_review", "resend_receipt", "_to_review"],
        refunds: ["refund_order", "sweep_refunds", "refunded_by_hand"],
    }
    for module, names in homes.items():
        for name in names:
            assert getattr(services, name) is getattr(module, name)


def test_outcomes_are_enums_equal_to_the_words_they_replace(
    place_order, isipay_client, django_capture_on_commit_callbacks
):
    order = place_order()
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = services.submit_order(order_id=order.pk, client=isipay_client)
    assert outcome is SubmitOutcome.SUBMITTED and outcome == "submitted"
    again = services.submit_order(order_id=order.pk, client=isipay_client)
    assert again is SubmitOutcome.NOT_CLAIMED and again == "not-claimed"
    assert queued_tasks(callbacks) == []
    polled = services.poll_order(order_id=order.pk, client=isipay_client)
    assert isinstance(polled, PollOutcome)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.SUCCESS)
    assert services.poll_order(order_id=order.pk, client=isipay_client) is (
        PollOutcome.NOT_PROCESSING
    )


def test_no_service_module_imports_the_tasks():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported = {node.module or ""} | {alias.name for alias in node.names}
                assert not any(name.endswith("tasks") for name in imported), path.name
