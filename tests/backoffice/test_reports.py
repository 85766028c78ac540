"""Profit by game and by day over a chosen period."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order

from ..factories import OrderFactory, ProductFactory, VariantFactory

URL = reverse("backoffice:reports")
pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def sales():
    """Two games' sales over three days; orders that did not succeed never count."""
    today = timezone.localdate()
    ml = VariantFactory(product=ProductFactory(name="Mobile Legends"))
    ff = VariantFactory(product=ProductFactory(name="Free Fire"))
    OrderFactory(variant=ml, sold=True, price=11_000, cost=10_000, completed_at=at(today, 1))
    OrderFactory(variant=ml, sold=True, price=22_000, cost=20_000, completed_at=at(today, 23))
    OrderFactory(
        variant=ff, sold=True, price=5_500, cost=5_000, completed_at=at(today - timedelta(days=2))
    )
    OrderFactory(
        variant=ff, sold=True, price=9_900, cost=9_000, completed_at=at(today - timedelta(days=40))
    )
    OrderFactory(variant=ml, status=Order.Status.REFUNDED, price=99_000, cost=90_000)
    OrderFactory(variant=ml, status=Order.Status.PROCESSING, price=99_000, cost=90_000)
    return today


def test_profit_by_game_and_by_day_over_the_period(manager_client, sales):
    today = sales
    start = today - timedelta(days=6)
    page = manager_client.get(URL, {"start": f"{start:%Y-%m-%d}", "end": f"{today:%Y-%m-%d}"})
    assert page.status_code == 200
    games = {
        game.name: (game.orders, game.revenue, game.cost, game.profit)
        for game in page.context["by_game"]
    }
    assert games == {
        "Mobile Legends": (2, 33_000, 30_000, 3_000),
        "Free Fire": (1, 5_500, 5_000, 500),
    }
    assert [game.name for game in page.context["by_game"]] == ["Mobile Legends", "Free Fire"]
    days = {day.day: day.profit for day in page.context["by_day"]}
    assert len(days) == 7 and days[today] == 3_000 and days[today - timedelta(days=2)] == 500
    assert sum(days.values()) == 3_500
    total = page.context["total"]
    assert (total.orders, total.revenue, total.profit) == (3, 38_500, 3_500)
    assert "Rp 3.500" in page.content.decode()


def test_without_a_period_the_last_30_days(manager_client, sales):
    page = manager_client.get(URL)
    assert (page.context["start"], page.context["end"]) == (sales - timedelta(days=29), sales)
    assert page.context["total"].orders == 3  # the sale 40 days ago is outside


def test_a_period_that_ends_before_it_starts_is_explained(manager_client, sales):
    page = manager_client.get(URL, {"start": "2025-02-10", "end": "2025-02-01"})
    assert page.status_code == 200
    assert "The period ends before it starts." in page.content.decode()


def test_a_year_and_more_is_refused(manager_client, sales):
    page = manager_client.get(URL, {"start": "2024-01-01", "end": "2025-06-01"})
    assert "Choose at most 366 days." in page.content.decode()


@pytest.mark.parametrize("name", ["reports", "reconciliation"])
@pytest.mark.parametrize("who", ["support_client", "groupless_client"])
def test_money_reports_are_refused_to_support(name, who, request):
    assert request.getfixturevalue(who).get(reverse(f"backoffice:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["reports", "reconciliation"])
def test_money_reports_send_anonymous_users_to_the_login(name, client):
    response = client.get(reverse(f"backoffice:{name}"))
    assert response.status_code == 302 and "/login/" in response["Location"]
