from decimal import Decimal

import pytest

from catalog.pricing import Markup, RuleBook, sell_price


def test_percent_then_fixed_then_rounded_up_to_the_step():
    markup = Markup(percent=Decimal("10"), fixed=250, round_to=500, min_margin=1)
    # 13_890 + 1_389 + 250 = 15_529 -> next multiple of 500
    assert sell_price(13_890, markup) == 16_000


def test_fractional_percent_rounds_the_markup_up_not_down():
    markup = Markup(percent=Decimal("7.5"), round_to=1, min_margin=1)
    assert sell_price(1_389, markup) == 1_389 + 105  # 104.175 -> 105


def test_price_already_on_the_step_is_not_raised():
    assert sell_price(10_000, Markup(percent=Decimal("10"), round_to=1_000, min_margin=1)) == 11_000


def test_minimum_margin_applies_when_the_markup_is_smaller():
    markup = Markup(percent=Decimal("1"), round_to=100, min_margin=500)
    assert sell_price(1_389, markup) == 1_900  # 1_389 + 500 = 1_889 -> 1_900


@pytest.mark.parametrize("cost", [0, 1, 99, 1_389, 1_000_000, 987_654_321])
def test_sell_price_is_always_above_cost_even_with_no_markup(cost):
    assert sell_price(cost, Markup(percent=Decimal("0"), fixed=0, round_to=1, min_margin=1)) > cost


def test_money_stays_integer():
    assert isinstance(sell_price(12_345, Markup(percent=Decimal("3.33"))), int)


def test_negative_markup_or_zero_step_is_refused():
    with pytest.raises(ValueError):
        Markup(percent=Decimal("-1"))
    with pytest.raises(ValueError):
        Markup(round_to=0)


def test_variant_rule_beats_product_rule_beats_global():
    book = RuleBook(
        global_rule=Markup(percent=Decimal("10"), round_to=1, min_margin=1),
        by_product={7: Markup(percent=Decimal("20"), round_to=1, min_margin=1)},
        by_variant={70: Markup(percent=Decimal("50"), round_to=1, min_margin=1)},
    )
    assert book.price(cost=1_000, product_id=1, variant_id=10) == 1_100
    assert book.price(cost=1_000, product_id=7, variant_id=71) == 1_200
    assert book.price(cost=1_000, product_id=7, variant_id=70) == 1_500
