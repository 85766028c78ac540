"""The typo guard: a player ID one digit off, or with two adjacent digits swapped, from one the
customer bought for before in the same game."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SavedGameAccount
from accounts.selectors import near_miss, typo_suggestion
from orders.models import Order
from tests.factories import OrderFactory, VariantFactory


@pytest.mark.parametrize(
    "typed", ["12345679", "02345678", "12345778", "21345678", "12354678", "12345687"]
)
def test_one_digit_off_or_two_adjacent_digits_swapped_is_a_near_miss(typed):
    assert near_miss(typed, "12345678")


@pytest.mark.parametrize(
    "typed",
    [
        "12345678",  # the same
        "1234567",  # shorter
        "123456789",  # longer
        "12345690",  # two digits off
        "82345671",  # swapped, not adjacent
        "87654321",  # nothing alike
        "",
        "1234567a",  # a letter is not a digit off
    ],
)
def test_anything_else_is_not(typed):
    assert not near_miss(typed, "12345678")


def test_the_suggestion_needs_every_other_field_equal_and_prefers_the_most_bought():
    saved = [({"user_id": "12345678", "zone_id": "2345"}, 3)]
    assert typo_suggestion({"user_id": "12345679", "zone_id": "2345"}, saved) == saved[0]
    assert typo_suggestion({"user_id": "12345679", "zone_id": "9999"}, saved) is None
    assert typo_suggestion({"user_id": "12345678", "zone_id": "2345"}, saved) is None
    assert typo_suggestion({"user_id": "12345679"}, saved) is None
    two = [({"user_id": "12345670"}, 1), ({"user_id": "12345677"}, 5)]
    assert typo_suggestion({"user_id": "12345671"}, two) == two[1]


@pytest.fixture
def bought_before(customer):
    variant = VariantFactory()
    SavedGameAccount.objects.create(
        user=customer,
        product=variant.product,
        account={"user_id": "12345678"},
        account_key="user_id=12345678",
        times_bought=3,
    )
    return variant


def test_the_order_summary_asks_did_you_mean(customer_client, customer, bought_before):
    order = OrderFactory(customer=customer, variant=bought_before, account={"user_id": "12345687"})
    response = customer_client.get(reverse("orders:detail", args=[order.number]))
    page = response.content.decode()
    assert "Apakah maksud Anda 12345678 (dibeli 3× sebelumnya)?" in page
    product = bought_before.product.slug
    link = f'href="/games/{product}/?item={bought_before.code}&amp;account_user_id=12345678"'
    assert link in page
    assert "private" in response["Cache-Control"]
    # Not to anyone else looking at the same order page, and not for a paid order.
    assert (
        "Apakah maksud"
        not in Client().get(reverse("orders:detail", args=[order.number])).content.decode()
    )
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
    page = customer_client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "Apakah maksud" not in page


def test_no_question_for_an_id_bought_before_or_far_from_it(
    customer_client, customer, bought_before
):
    for user_id in ("12345678", "99999999"):
        order = OrderFactory(customer=customer, variant=bought_before, account={"user_id": user_id})
        page = customer_client.get(reverse("orders:detail", args=[order.number])).content.decode()
        assert "Apakah maksud" not in page


def test_no_question_for_another_game(customer_client, customer, bought_before):
    order = OrderFactory(customer=customer, account={"user_id": "12345687"})  # another product
    page = customer_client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "Apakah maksud" not in page
