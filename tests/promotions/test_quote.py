"""One quote for every path: tiers on the markup engine, the game page, checkout, the order."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import MarkupRule
from orders.models import Order
from orders.selectors import export_header, export_rows
from promotions import services
from promotions.models import CustomerTier, FlashSale, FlashSaleItem, TierMarkupRule
from promotions.quote import price_items, quote
from tests.factories import OrderFactory, ProductFactory, VariantFactory
from wallet import services as wallet
from wallet.models import LedgerEntry
from wallet.selectors import balance_of
from wallet.services import InsufficientBalance

NOW = timezone.now


def test_a_guest_pays_the_default_tier_and_a_member_the_member_markup(item, member, tiers):
    guest = quote(item, now=NOW())
    assert (guest.tier, guest.base, guest.total, guest.cost) == ("Umum", 110_000, 110_000, 100_000)
    mine = quote(item, customer=member, now=NOW())
    assert (mine.tier, mine.base, mine.total) == ("Member", 107_000, 107_000)
    assert quote(item, customer=member, now=NOW(), payment_fee=1_500).total == 108_500


def test_the_most_specific_rule_of_the_tier_wins_with_rounding_and_minimum_margin(
    item, member, tiers
):
    gold = tiers["Gold"]
    CustomerTier.objects.filter(user=member).update(tier=gold)
    assert quote(item, customer=member, now=NOW()).total == 105_000  # Gold's global 5 %
    TierMarkupRule.objects.create(tier=gold, product=item.product, percent=Decimal("2.5"))
    assert quote(item, customer=member, now=NOW()).total == 102_500  # the game's rule
    TierMarkupRule.objects.create(tier=gold, variant=item, percent=0, round_to=1000, min_margin=1)
    # The item's own rule: 0 % and a 1 rupiah margin, rounded up to a multiple of 1.000.
    assert quote(item, customer=member, now=NOW()).total == 101_000
    TierMarkupRule.objects.filter(variant=item).update(min_margin=4_200)
    assert quote(item, customer=member, now=NOW()).total == 105_000  # cost + 4.200, rounded


def test_a_tier_never_pays_more_than_the_default_tier(item, member, tiers):
    MarkupRule.objects.create(product=item.product, percent=Decimal("1"))
    item.sell_price = 101_000  # what catalog's reprice makes of the game's 1 %
    item.save()
    assert quote(item, customer=member, now=NOW()).total == 101_000


def test_pricing_a_list_costs_the_same_queries_for_5_and_50_items(
    member, tiers, django_assert_num_queries
):
    small = VariantFactory.create_batch(5, product=ProductFactory())
    large = VariantFactory.create_batch(50, product=ProductFactory())
    sale = FlashSale.objects.create(
        name="Kilat",
        starts_at=NOW() - timezone.timedelta(hours=1),
        ends_at=NOW() + timezone.timedelta(hours=1),
    )
    for variant in large[:10]:
        FlashSaleItem.objects.create(sale=sale, variant=variant, sale_price=10_500, quantity=10)
    with django_assert_num_queries(5):
        assert len(price_items(small, member, NOW())) == 5
    with django_assert_num_queries(5):
        quotes = price_items(large, member, NOW())
    assert len(quotes) == 50 and quotes[large[0].pk].sale_price == 10_500


def test_the_game_page_shows_guests_the_member_price_and_a_member_their_own(
    client, item, member, tiers
):
    url = reverse("catalog:game", args=[item.product.slug])
    page = client.get(url).content.decode()
    assert "Rp 110.000" in page and "Member: Rp 107.000" in page
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Rp 107.000" in page and "Rp 110.000" not in page and "Member:" not in page


def _form(item, **extra):
    return {
        "variant": item.code,
        "account_user_id": "123456789",
        "email": "buyer@example.com",
        "payment_method": "sandbox",
        **extra,
    }


def test_a_member_checks_out_at_the_member_price_and_the_order_keeps_the_breakdown(
    client, plain_game, member
):
    client.force_login(member)
    response = client.post(
        reverse("orders:checkout", args=[plain_game.product.slug]),
        _form(plain_game, **{f"shown_{plain_game.code}": "107000"}),
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.price, order.base_price, order.tier_name, order.cost) == (
        107_000,
        107_000,
        "Member",
        100_000,
    )
    assert order.margin_floor == 100_100 and order.sale_price is None
    page = client.get(response["Location"]).content.decode()
    assert "Rp 107.000" in page
    row = dict(zip(export_header(), next(export_rows(Order.objects.all())), strict=True))
    assert (row["tier"], row["base_price"], row["price"]) == ("Member", 107_000, 107_000)


def test_checkout_refuses_when_the_price_changed_since_the_page(client, plain_game):
    response = client.post(
        reverse("orders:checkout", args=[plain_game.product.slug]),
        _form(plain_game, **{f"shown_{plain_game.code}": "105000"}),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Rp 105.000" in page and "Rp 110.000" in page
    assert not Order.objects.exists()
    # The page came back with the new price: sending it again buys at that price.
    again = Client().post(
        reverse("orders:checkout", args=[plain_game.product.slug]),
        _form(plain_game, **{f"shown_{plain_game.code}": "110000"}),
    )
    assert again.status_code == 302 and Order.objects.get().price == 110_000


def test_tiers_by_spend_over_the_rolling_period_leave_hand_set_tiers_alone(
    make_customer, tiers, settings
):
    settings.TIER_SPEND_DAYS = 30
    tiers["Gold"].spend_threshold = 1_000_000
    tiers["Gold"].save()
    tiers["Member"].spend_threshold = 100_000
    tiers["Member"].save()
    spender, small, manual = (make_customer(f"{n}@example.com") for n in ("a", "b", "c"))
    services.set_tier(user=manual, tier=tiers["Reseller"])
    now = NOW()
    for user, amount in ((spender, 600_000), (spender, 500_000), (small, 150_000), (manual, 5)):
        OrderFactory(customer=user, price=amount, status=Order.Status.SUCCESS, completed_at=now)
    # Spent long ago: does not count.
    OrderFactory(
        customer=small,
        price=5_000_000,
        status=Order.Status.SUCCESS,
        completed_at=now - timezone.timedelta(days=31),
    )
    assert services.recompute_tiers(now=now) == 2
    assert services.recompute_tiers(now=now) == 0  # twice changes nothing
    by_user = dict(CustomerTier.objects.values_list("user__email", "tier__name"))
    assert by_user == {
        "a@example.com": "Gold",
        "b@example.com": "Member",
        "c@example.com": "Reseller",
    }
    # A month on, nothing spent since: back to Umum (no row); the hand-set tier stays.
    services.recompute_tiers(now=now + timezone.timedelta(days=31))
    assert dict(CustomerTier.objects.values_list("user__email", "tier__name")) == {
        "c@example.com": "Reseller"
    }


def test_a_tier_is_bought_from_the_balance_once(make_customer, tiers, item):
    gold = tiers["Gold"]
    gold.upgrade_fee = 50_000
    gold.save()
    buyer = make_customer("buyer2@example.com")
    with pytest.raises(InsufficientBalance):
        services.buy_tier(user=buyer, tier=gold)
    assert not CustomerTier.objects.exists()
    wallet.credit(
        user=buyer, amount=60_000, kind=LedgerEntry.Kind.DEPOSIT, cause="payment:X:deposit"
    )
    services.buy_tier(user=buyer, tier=gold)
    assert balance_of(buyer) == 10_000
    assert quote(item, customer=buyer, now=NOW()).tier == "Gold"
    with pytest.raises(services.CannotBuyTier):
        services.buy_tier(user=buyer, tier=gold)


def test_my_account_offers_a_higher_tier_for_its_fee_and_buys_it_from_the_balance(
    client, make_customer, tiers
):
    gold = tiers["Gold"]
    gold.upgrade_fee = 50_000
    gold.save()
    buyer = make_customer("akun@example.com")
    client.force_login(buyer)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Level kamu: <strong>Umum</strong>" in page
    assert "Naik ke Gold seharga Rp 50.000 dari saldo" in page
    url = reverse("promotions:buy_tier", args=[gold.pk])
    page = client.post(url, follow=True).content.decode()
    assert "Saldo" in page and not CustomerTier.objects.exists()  # not enough balance
    wallet.credit(
        user=buyer, amount=50_000, kind=LedgerEntry.Kind.DEPOSIT, cause="payment:Y:deposit"
    )
    page = client.post(url, follow=True).content.decode()
    assert "Sekarang level kamu Gold." in page and balance_of(buyer) == 0
    assert "Naik ke Gold" not in page


def test_a_bought_tier_survives_spend_recomputes_and_buying_again_charges_again(
    make_customer, tiers, settings
):
    settings.TIER_SPEND_DAYS = 30
    member, gold = tiers["Member"], tiers["Gold"]
    member.upgrade_fee = 20_000
    member.save()
    gold.spend_threshold = 100_000
    gold.save()
    buyer = make_customer("bought@example.com")
    wallet.credit(user=buyer, amount=50_000, kind=LedgerEntry.Kind.DEPOSIT, cause="dep:bought")
    services.buy_tier(user=buyer, tier=member)
    assert balance_of(buyer) == 30_000
    now = NOW()
    OrderFactory(customer=buyer, price=150_000, status=Order.Status.SUCCESS, completed_at=now)
    services.recompute_tiers(now=now)
    item = VariantFactory(cost_price=100_000, sell_price=110_000)
    assert quote(item, customer=buyer, now=now).tier == "Gold"  # spend lifts above the bought
    # A month on, the spend has lapsed: the bought tier is still there, not lost.
    later = now + timezone.timedelta(days=31)
    services.recompute_tiers(now=later)
    assert quote(item, customer=buyer, now=later).tier == "Member"
    with pytest.raises(services.CannotBuyTier):
        services.buy_tier(user=buyer, tier=member)
    assert balance_of(buyer) == 30_000


def test_buying_a_tier_after_losing_it_by_hand_charges_the_fee_again(make_customer, tiers):
    member, gold = tiers["Member"], tiers["Gold"]
    member.upgrade_fee = 20_000
    member.save()
    gold.upgrade_fee = 25_000
    gold.save()
    buyer = make_customer("twice@example.com")
    wallet.credit(user=buyer, amount=100_000, kind=LedgerEntry.Kind.DEPOSIT, cause="dep:twice")
    services.buy_tier(user=buyer, tier=member)
    CustomerTier.objects.filter(user=buyer).delete()  # staff took it away
    services.buy_tier(user=buyer, tier=member)
    assert balance_of(buyer) == 60_000  # charged twice: two purchases
    services.buy_tier(user=buyer, tier=gold)
    assert balance_of(buyer) == 35_000
    item = VariantFactory(cost_price=100_000, sell_price=110_000)
    assert quote(item, customer=buyer, now=NOW()).tier == "Gold"


def test_a_hand_set_tier_stays_and_a_higher_bought_tier_wins_over_it(make_customer, tiers):
    gold = tiers["Gold"]
    gold.upgrade_fee = 25_000
    gold.save()
    buyer = make_customer("hand@example.com")
    wallet.credit(user=buyer, amount=25_000, kind=LedgerEntry.Kind.DEPOSIT, cause="dep:hand")
    services.buy_tier(user=buyer, tier=gold)
    services.set_tier(user=buyer, tier=tiers["Member"])  # staff sets Member by hand
    services.recompute_tiers()
    item = VariantFactory(cost_price=100_000, sell_price=110_000)
    assert quote(item, customer=buyer, now=NOW()).tier == "Gold"
    services.set_tier(user=buyer, tier=tiers["Reseller"])
    services.recompute_tiers()
    assert quote(item, customer=buyer, now=NOW()).tier == "Reseller"


def test_each_tile_carries_the_price_it_shows_for_the_per_method_totals(
    client, item, member, tiers, django_capture_on_commit_callbacks
):
    """static/js/payment-methods.js works each method's total out from data-price."""
    url = reverse("catalog:game", args=[item.product.slug])
    assert 'data-price="110000"' in client.get(url).content.decode()
    client.force_login(member)
    page = client.get(url).content.decode()
    assert 'data-price="107000"' in page and 'data-price="110000"' not in page
    now = NOW()
    with django_capture_on_commit_callbacks(execute=True):  # as the admin's save commits
        sale = FlashSale.objects.create(
            name="Kilat",
            starts_at=now - timezone.timedelta(hours=1),
            ends_at=now + timezone.timedelta(hours=1),
        )
        FlashSaleItem.objects.create(sale=sale, variant=item, sale_price=104_000)
    page = client.get(url).content.decode()
    assert 'data-price="104000"' in page and 'data-price="107000"' not in page


@pytest.mark.django_db(transaction=True)
def test_buying_a_tier_twice_at_once_charges_once(make_customer, tiers, uses_postgres):
    import threading

    from django.db import connection

    if not uses_postgres:
        pytest.skip("needs PostgreSQL's concurrent transactions (CI has it)")
    member, gold = tiers["Member"], tiers["Gold"]
    member.upgrade_fee, gold.upgrade_fee = 20_000, 25_000
    member.save()
    gold.save()
    buyer = make_customer("race@example.com")
    wallet.credit(user=buyer, amount=100_000, kind=LedgerEntry.Kind.DEPOSIT, cause="dep:race")

    def race(tier) -> list[str]:
        start, outcomes = threading.Barrier(5), []

        def buy() -> None:
            try:
                start.wait()
                services.buy_tier(user=buyer, tier=tier)
                outcomes.append("ok")
            except services.CannotBuyTier:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=buy) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        return sorted(outcomes)

    assert race(member) == ["ok"] + ["refused"] * 4  # no tier row yet
    assert balance_of(buyer) == 80_000
    assert race(gold) == ["ok"] + ["refused"] * 4  # the row exists: it is locked
    assert balance_of(buyer) == 55_000
    assert CustomerTier.objects.get(user=buyer).bought_tier == gold
