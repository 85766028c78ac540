"""The cost isipay charges is read just before placing, recorded on the order, and counted.

Prices change at the live sandbox between the order's creation and its submission, the way
isipay changes them between two catalog syncs.
"""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

import catalog.cache
from backoffice import selectors as backoffice
from catalog import services as catalog_services
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
        1474,
        order.price - 1474,
        1389,
    )


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
    assert queued_tasks(callbacks) == ["orders.submit_order"]  # later, with a countdown
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


def test_a_fresh_placement_on_retry_records_the_retrys_cost(place_order, isipay_client, sandbox):
    order = place_order()
    # A 502 on the first attempt: it may have reached isipay, so its cost is kept meanwhile...
    sandbox.inject("/api/v1/order", "http502")
    assert submit(order, isipay_client) == "retry"
    assert Order.objects.get(pk=order.pk).placed_cost == 1389
    sandbox.set_price("MLBB_ID_5", 1400)
    age_reading("MLBB_ID_5", 61)
    # ...but it had not: isipay places the retry as a new order, at the retry's price.
    assert submit(order, isipay_client) == "submitted"
    order.refresh_from_db()
    assert order.placed_cost == sandbox.orders[order.reference_number].price == 1400


def test_a_retry_answered_with_a_duplicate_flag_keeps_the_first_cost(
    place_order, isipay_client, sandbox
):
    sandbox.duplicate_reference = "invoice"  # a used reference: 200, its invoice, duplicate
    order = place_order()
    sandbox.inject("/api/v1/order", "drop")  # placed at Rp 1.389; the answer is lost
    assert submit(order, isipay_client) == "retry"
    sandbox.set_price("MLBB_ID_5", 1400)
    age_reading("MLBB_ID_5", 61)
    assert submit(order, isipay_client) == "submitted"
    order.refresh_from_db()
    assert order.invoice_number == sandbox.orders[order.reference_number].invoice
    assert order.placed_cost == sandbox.orders[order.reference_number].price == 1389


def test_an_unreadable_cost_uses_no_attempt_and_its_review_says_nothing_was_sent(
    place_order, isipay_client, sandbox, settings
):
    settings.ORDER_SUBMIT_MAX_ATTEMPTS, settings.ORDER_COST_RETRY_FOR = 2, 600
    order = place_order()
    sandbox.inject(VARIANT, "http502", times=None)
    assert [submit(order, isipay_client) for _ in range(4)] == ["retry"] * 4
    order.refresh_from_db()
    assert (order.status, order.submit_attempts) == (S.PAID, 0)

    # Ten minutes of that: a person is asked, and told the truth.
    Order.objects.filter(pk=order.pk).update(
        cost_unread_since=F("cost_unread_since") - timedelta(seconds=601)
    )
    assert submit(order, isipay_client) == "review"
    order.refresh_from_db()
    assert order.status == S.NEEDS_REVIEW and order.submit_attempts == 0
    assert order.review_reason.startswith(
        "Could not read isipay's current price for 10 minutes; nothing was sent to isipay; "
        "safe to retry."
    )
    assert "may exist at isipay" not in order.review_reason
    assert sandbox.order_calls(order.reference_number) == 0


def test_a_cost_read_again_after_unreadable_attempts_places_with_all_attempts_left(
    place_order, isipay_client, sandbox, settings
):
    settings.ORDER_SUBMIT_MAX_ATTEMPTS = 2
    order = place_order()
    sandbox.inject(VARIANT, "http502", times=3)
    assert [submit(order, isipay_client) for _ in range(3)] == ["retry"] * 3
    sandbox.inject("/api/v1/order", "http502")  # one real attempt unanswered: still one left
    assert submit(order, isipay_client) == "retry"
    assert submit(order, isipay_client) == "submitted"
    order.refresh_from_db()
    assert order.submit_attempts == 2 and order.cost_unread_since is None


class FakeClock:
    """Stands in for the time module in catalog.services: sleeping moves it on at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def another_worker_is_reading(code: str, *, last_read_ago: float) -> None:
    Product.objects.filter(variants__code=code).update(
        variants_read_at=timezone.now() - timedelta(seconds=last_read_ago),
        variants_reading_since=timezone.now(),
    )


def test_waiting_on_another_workers_reading_backs_off_instead_of_hammering_the_database(
    synced, isipay_client, sandbox, monkeypatch, django_assert_max_num_queries
):
    clock = FakeClock()
    monkeypatch.setattr(catalog_services, "time", clock)
    another_worker_is_reading("MLBB_ID_5", last_read_ago=120)
    product_id = Product.objects.get(variants__code="MLBB_ID_5").pk
    sandbox.clear_calls()
    # polling every 50 ms: 800 queries in those 20 s
    with django_assert_max_num_queries(60), pytest.raises(catalog_services.ReadingBusy):
        catalog_services.refresh_variants(
            client=isipay_client, product_id=product_id, max_age=60, wait=20
        )
    assert clock.now == pytest.approx(20)  # gave up after the wait, not before
    assert clock.sleeps[:3] == [0.05, 0.1, 0.2] and max(clock.sleeps) == 1.0
    assert sandbox.call_count(VARIANT) == 0


@pytest.mark.parametrize(("age", "outcome"), [(120, "submitted"), (400, "retry")])
def test_an_order_waiting_on_another_workers_reading_falls_back_to_a_recent_one(
    place_order, isipay_client, sandbox, settings, monkeypatch, age, outcome
):
    settings.SUPPLIER_COST_MAX_AGE, settings.SUPPLIER_COST_MAX_STALE = 60, 300
    clock = FakeClock()
    monkeypatch.setattr(catalog_services, "time", clock)
    order = place_order()
    another_worker_is_reading("MLBB_ID_5", last_read_ago=age)
    sandbox.clear_calls()
    assert submit(order, isipay_client) == outcome
    assert clock.now == pytest.approx(settings.ISIPAY_TIMEOUT + settings.ISIPAY_CONNECT_TIMEOUT)
    assert sandbox.call_count(VARIANT) == 0
    assert sandbox.order_calls(order.reference_number) == (outcome == "submitted")
    assert Order.objects.get(pk=order.pk).submit_attempts == (outcome == "submitted")


@pytest.mark.parametrize(("new_price", "moves"), [(1474, 1), (1389, 0)])
def test_a_reading_before_an_order_moves_the_catalog_version_once_when_a_cost_changed(
    synced,
    isipay_client,
    sandbox,
    monkeypatch,
    django_capture_on_commit_callbacks,
    new_price,
    moves,
):
    bumps = []
    real = catalog.cache.new_version
    monkeypatch.setattr(catalog.cache, "new_version", lambda name: bumps.append(name) or real(name))
    sandbox.set_price("MLBB_ID_5", new_price)
    age_reading("MLBB_ID_5", 61)
    product_id = Product.objects.get(variants__code="MLBB_ID_5").pk
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.refresh_variants(
            client=isipay_client, product_id=product_id, max_age=60, wait=5
        )
    assert Variant.objects.get(code="MLBB_ID_5").cost_price == new_price
    assert bumps == [catalog.cache.VERSION_KEY] * moves
