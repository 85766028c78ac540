"""The cost isipay charges is read just before placing, recorded on the order, and counted.

Prices change at the live sandbox between the order's creation and its submission, the way
isipay changes them between two catalog syncs.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from backoffice import selectors as backoffice
from catalog.models import Product, Variant
from orders import selectors, services
from orders.models import Order
from tests.oncommit import queued_tasks

S = Order.Status
VARIANT = "/api/v1/variant"


def submit(order, client) -> str:
    return services.submit_order(order_id=order.pk, client=client)


def age_reading(code: str, seconds: float) -> None:
    """The last reading of the game's variants was taken `seconds` ago."""
    Product.objects.filter(variants__code=code).update(
        variants_read_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_rise_not_yet_synced_is_what_the_order_records_and_the_reports_count(
    place_order, isipay_client, sandbox
):
    order = place_order()  # quoted at the synced cost, Rp 1.389
    assert order.cost == 1389
    sandbox.set_price("MLBB_ID_5", 1389 + 85)  # isipay raises it; still below the price
    assert order.price > 1389 + 85

    assert submit(order, isipay_client) == "submitted"
    order.refresh_from_db()
    charged = sandbox.orders[order.reference_number].price
    assert charged == 1474
    assert order.cost == 1389 and order.placed_cost == charged  # quote kept, charge recorded

    # The reading repriced the catalog at once: the next customer pays for the new cost.
    variant = Variant.objects.get(code="MLBB_ID_5")
    assert variant.cost_price == 1474 and variant.sell_price > 1474

    # Profit, in the money reports and the CSV export, is against what isipay charged.
    Order.objects.filter(pk=order.pk).update(status=S.SUCCESS, completed_at=timezone.now())
    sold = backoffice.sales_summary(today=timezone.localdate())["today"]
    assert (sold.cost, sold.profit) == (1474, order.price - 1474)
    header = selectors.export_header()
    [row] = list(selectors.export_rows(Order.objects.filter(pk=order.pk)))
    record = dict(zip(header, row, strict=True))
    assert (record["cost"], record["profit"], record["quoted_cost"]) == (
        1474, order.price - 1474, 1389,
    )  # fmt: skip


def test_a_rise_above_the_price_not_yet_synced_goes_to_review_unplaced(
    place_order, isipay_client, sandbox
):
    order = place_order()
    sandbox.set_price("MLBB_ID_5", order.price + 500)
    assert submit(order, isipay_client) == "review"
    order.refresh_from_db()
    assert order.status == S.NEEDS_REVIEW
    assert f"Rp {order.price + 500}" in order.review_reason
    assert sandbox.order_calls(order.reference_number) == 0
    assert order.placed_cost is None


def test_a_burst_of_orders_for_one_game_reads_its_variants_once_a_minute(
    place_order, isipay_client, sandbox, settings
):
    settings.SUPPLIER_COST_MAX_AGE = 60
    orders = [place_order(code=code) for code in ("MLBB_ID_5", "MLBB_ID_12", "MLBB_ID_5")]
    sandbox.clear_calls()
    assert [submit(order, isipay_client) for order in orders] == ["submitted"] * 3
    assert sandbox.call_count(VARIANT) == 1

    age_reading("MLBB_ID_5", 61)  # a minute later, the reading is old: read again, once
    later = [place_order(), place_order(code="MLBB_ID_12")]
    assert [submit(order, isipay_client) for order in later] == ["submitted"] * 2
    assert sandbox.call_count(VARIANT) == 2


def test_no_reading_possible_and_none_recent_waits_instead_of_placing(
    place_order, isipay_client, sandbox, django_capture_on_commit_callbacks
):
    order = place_order()
    sandbox.inject(VARIANT, "http502", times=None)
    with django_capture_on_commit_callbacks() as callbacks:
        assert submit(order, isipay_client) == "retry"
    assert queued_tasks(callbacks) == ["orders.tasks.submit_order"]  # later, with a countdown
    order.refresh_from_db()
    assert order.status == S.PAID and order.next_submit_at > timezone.now()
    assert sandbox.order_calls(order.reference_number) == 0
    assert "cost could not be read" in order.events.last().message

    sandbox.clear_faults()
    assert submit(order, isipay_client) == "submitted"
    assert Order.objects.get(pk=order.pk).placed_cost == 1389


@pytest.mark.parametrize(("age", "outcome"), [(120, "submitted"), (400, "retry")])
def test_with_isipay_unreadable_a_reading_a_few_minutes_old_still_places(
    place_order, isipay_client, sandbox, settings, age, outcome
):
    settings.SUPPLIER_COST_MAX_AGE, settings.SUPPLIER_COST_MAX_STALE = 60, 300
    first = place_order()
    assert submit(first, isipay_client) == "submitted"
    age_reading("MLBB_ID_5", age)
    sandbox.inject(VARIANT, "drop", times=None)
    second = place_order()
    assert submit(second, isipay_client) == outcome
    assert sandbox.order_calls(second.reference_number) == (outcome == "submitted")


def test_a_retry_after_a_lost_answer_keeps_the_cost_isipay_charged_first(
    place_order, isipay_client, sandbox
):
    order = place_order()
    sandbox.inject("/api/v1/order", "drop")  # isipay takes it at Rp 1.389; the answer is lost
    assert submit(order, isipay_client) == "retry"
    sandbox.set_price("MLBB_ID_5", 1400)
    age_reading("MLBB_ID_5", 61)
    assert submit(order, isipay_client) == "adopted"
    order.refresh_from_db()
    assert order.placed_cost == sandbox.orders[order.reference_number].price == 1389
