"""Money figures (cost, profit, margin, markup) only for those with the money permission: the
Shop manager sees them, Support sees the orders and games without them."""

import csv
import io

import pytest
from django.urls import reverse

from backoffice.permissions import MONEY_PERMISSION

from ..factories import OrderFactory

CHANGELIST = reverse("admin:orders_order_changelist")
EXPORT = reverse("admin:orders_order_export")
ROLES = [("manager_client", True), ("support_client", False)]

PRICE, COST, PROFIT = 12_345, 10_987, 1_358


@pytest.fixture
def sold(db):
    return OrderFactory(sold=True, price=PRICE, cost=COST)


def test_the_manager_has_the_money_permission_and_support_has_not(manager, support):
    assert manager.has_perm(MONEY_PERMISSION) and not support.has_perm(MONEY_PERMISSION)


@pytest.mark.parametrize(("who", "sees_money"), ROLES)
def test_the_order_list_shows_profit_only_with_the_money_permission(who, sees_money, request, sold):
    page = request.getfixturevalue(who).get(CHANGELIST).content.decode()
    assert sold.number in page and "Rp 12.345" in page  # the order and its price, for both
    assert ("column-profit_display" in page) is sees_money
    assert ("Rp 1.358" in page) is sees_money


@pytest.mark.parametrize(("who", "sees_money"), ROLES)
def test_the_order_page_shows_the_cost_only_with_the_money_permission(
    who, sees_money, request, sold
):
    response = request.getfixturevalue(who).get(
        reverse("admin:orders_order_change", args=[sold.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200 and sold.number in page
    assert ("field-cost" in page) is sees_money
    assert (str(COST) in page or "10.987" in page or "10,987" in page) is sees_money


@pytest.mark.parametrize(("who", "sees_money"), ROLES)
def test_the_csv_export_has_cost_and_profit_only_with_the_money_permission(
    who, sees_money, request, sold
):
    response = request.getfixturevalue(who).get(EXPORT)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert (row["number"], row["price"]) == (sold.number, str(PRICE))
    assert ({"cost", "profit"} <= row.keys()) is sees_money
    assert not sees_money or (row["cost"], row["profit"]) == (str(COST), str(PROFIT))
    assert (str(COST) in body or str(PROFIT) in body) is sees_money


@pytest.mark.parametrize(("who", "sees_money"), ROLES)
def test_a_games_markup_shows_only_with_the_money_permission(who, sees_money, request, sold):
    client = request.getfixturevalue(who)
    product = sold.variant.product
    listing = client.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert product.name in listing
    assert ("column-markup" in listing) is sees_money
    page = client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert page.status_code == 200
    assert ("field-markup_info" in page.content.decode()) is sees_money
