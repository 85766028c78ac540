"""Game status: measured from our own last orders by the periodic task, shown on the game
page before payment ("Sedang lambat" / "Gangguan"), overridable by the owner."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gamestatus import services
from gamestatus.models import GameStatus, State
from orders.models import Order

from ..factories import OrderFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def thresholds(settings):
    settings.GAME_STATUS_MIN_ORDERS = 3
    settings.GAME_STATUS_SLOW_SECONDS = 300
    settings.GAME_STATUS_DOWN_SECONDS = 1800
    settings.GAME_STATUS_SLOW_SUCCESS_RATE = 90
    settings.GAME_STATUS_DOWN_SUCCESS_RATE = 60
    settings.GAME_STATUS_WINDOW_ORDERS = 20
    settings.GAME_STATUS_WINDOW_HOURS = 6


@pytest.fixture
def variant():
    product = ProductFactory(name="Free Fire", slug="free-fire")
    return VariantFactory(product=product)


def orders(variant, n, *, status=S.SUCCESS, took: float | None = 30, ago: float = 600):
    """n orders paid `ago` seconds ago; delivered ones took `took` seconds."""
    now = timezone.now()
    for _ in range(n):
        paid = now - timedelta(seconds=ago)
        done = paid + timedelta(seconds=took) if status == S.SUCCESS and took is not None else None
        OrderFactory(variant=variant, status=status, paid_at=paid, completed_at=done)


def state_of(variant) -> str:
    return GameStatus.objects.get(product=variant.product).computed_state


def game_page(client, variant) -> str:
    return client.get(reverse("catalog:game", args=[variant.product.slug])).content.decode()


def test_fast_orders_say_nothing(client, thresholds, variant):
    orders(variant, 5, took=20)
    services.refresh()
    row = GameStatus.objects.get(product=variant.product)
    assert (row.computed_state, row.success_rate, row.median_delivery) == (State.OK, 100, 20)
    assert "Sedang lambat" not in game_page(client, variant)


def test_slow_deliveries_make_the_page_say_sedang_lambat(
    client, thresholds, variant, django_capture_on_commit_callbacks
):
    assert "Sedang lambat" not in game_page(client, variant)  # cached now
    orders(variant, 4, took=400, ago=1200)
    orders(variant, 2, took=30)
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh()
    assert state_of(variant) == State.SLOW
    page = game_page(client, variant)  # the task moved the catalog version
    assert "Sedang lambat" in page
    assert "Pesanan terakhir butuh sekitar 7 menit." in page


def test_orders_stuck_at_the_supplier_count_before_they_end(client, thresholds, variant):
    orders(variant, 4, status=S.PROCESSING, ago=900)  # 15 minutes and still not delivered
    services.refresh()
    assert state_of(variant) == State.SLOW


def test_too_few_orders_say_nothing(thresholds, variant):
    orders(variant, 2, took=4000, ago=5000)
    services.refresh()
    assert state_of(variant) == State.OK


def test_failures_make_it_gangguan(client, thresholds, variant, django_capture_on_commit_callbacks):
    orders(variant, 3, took=20)
    orders(variant, 3, status=S.REFUNDED)
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh()
    row = GameStatus.objects.get(product=variant.product)
    assert (row.computed_state, row.success_rate) == (State.DOWN, 50)
    assert "Gangguan" in game_page(client, variant)


def test_unpaid_and_old_orders_are_not_counted(thresholds, variant):
    orders(variant, 5, status=S.EXPIRED, took=None)
    orders(variant, 5, status=S.REFUNDED, ago=8 * 3600)  # outside the 6-hour window
    orders(variant, 3, took=20)
    services.refresh()
    row = GameStatus.objects.get(product=variant.product)
    assert (row.computed_state, row.orders_counted, row.success_rate) == (State.OK, 3, 100)


def test_only_the_last_orders_count(thresholds, settings, variant):
    settings.GAME_STATUS_WINDOW_ORDERS = 5
    orders(variant, 10, status=S.REFUNDED, ago=3000)  # older problems, since solved
    orders(variant, 5, took=20, ago=60)
    services.refresh()
    assert state_of(variant) == State.OK


def test_the_owners_override_wins_and_shows_its_note(
    client, thresholds, variant, django_capture_on_commit_callbacks
):
    orders(variant, 5, took=20)
    services.refresh()
    with django_capture_on_commit_callbacks(execute=True):
        GameStatus.objects.filter(product=variant.product).update(
            override=State.DOWN, override_note="Server Garena sedang pemeliharaan."
        )
        services.status_changed()
    page = game_page(client, variant)
    assert "Gangguan" in page and "Server Garena sedang pemeliharaan." in page
    services.refresh()  # measuring again keeps the owner's word
    assert "Gangguan" in game_page(client, variant)


def test_recent_sales_feed_popular(thresholds, variant):
    orders(variant, 3, took=20)
    orders(variant, 2, status=S.REFUNDED)
    services.refresh()
    assert GameStatus.objects.get(product=variant.product).recent_sales == 3


def test_refresh_runs_a_fixed_number_of_queries(
    thresholds, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for n in range(3):
        product = ProductFactory()
        orders(VariantFactory(product=product), 2, took=20 + n)
    services.refresh()
    with django_assert_max_num_queries(12) as small:
        services.refresh()
    for _ in range(10):
        orders(VariantFactory(product=ProductFactory()), 2, took=20)
    with django_assert_max_num_queries(len(small) + 1) as big:  # +1: the new rows' insert
        services.refresh()
    assert len(big) <= len(small) + 1


def test_game_page_queries_stay_fixed_with_a_status(client, count_queries, thresholds, variant):
    VariantFactory.create_batch(20, product=variant.product)
    first = count_queries(client, reverse("catalog:game", args=["free-fire"]), fresh=True)
    orders(variant, 5, took=600)
    services.refresh()
    assert count_queries(client, reverse("catalog:game", args=["free-fire"]), fresh=True) == first
