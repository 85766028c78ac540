"""Flash sales: the price on the page is the price charged, to the second; quantities taken
atomically and given back; pages cached per sale state."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from orders import services as orders
from orders.models import Order
from payments.models import Payment
from promotions import services
from promotions.models import FlashSale, FlashSaleItem, PromoCode
from promotions.quote import quote
from storefront.templatetags.money import rupiah
from tests.factories import ProductFactory, VariantFactory


def running_sale(item, *, price=104_000, quantity=None, ends_in=timedelta(hours=1)):
    now = timezone.now()
    sale = FlashSale.objects.create(
        name="Kilat", starts_at=now - timedelta(minutes=5), ends_at=now + ends_in
    )
    return FlashSaleItem.objects.create(
        sale=sale, variant=item, sale_price=price, quantity=quantity
    )


def shown_price(page: str, item) -> int:
    return int(re.search(rf'name="shown_{item.code}" value="(\d+)"', page).group(1))


def form(item, shown: int) -> dict:
    return {
        "variant": item.code,
        "account_user_id": "123456789",
        "email": "buyer@example.com",
        "payment_method": "sandbox",
        f"shown_{item.code}": str(shown),
    }


# (tier, sale, code) -> the total: Umum 110.000, Member 107.000, sale 104.000, GERAI10 10 %
# capped at 5.000, never below cost + the tier's minimum margin (Umum 200, Member 100).
TABLE = [
    ("guest", False, False, 110_000),
    ("guest", False, True, 105_000),
    ("guest", True, False, 104_000),
    ("guest", True, True, 100_200),
    ("member", False, False, 107_000),
    ("member", False, True, 102_000),
    ("member", True, False, 104_000),
    ("member", True, True, 100_100),
]


@pytest.fixture
def tripay(settings):
    """The fake Tripay (tests/payments/conftest.py) with its channels copied: BRIVA's fee is
    flat (Rp 4.250), OVO's a percent (3 %), both paid by the customer on top of the price."""
    from payments import services as payments
    from payments.tripay.fake import FakeTripay

    with FakeTripay(deliver=False, slow_seconds=1.5) as fake:
        settings.PAYMENT_PROVIDERS = ["tripay", "sandbox"]
        settings.TRIPAY_API_URL = fake.api_url
        settings.TRIPAY_API_KEY = fake.api_key
        settings.TRIPAY_PRIVATE_KEY = fake.private_key
        settings.TRIPAY_MERCHANT_CODE = fake.merchant_code
        assert payments.refresh_tripay_channels() == len(fake.channels)
        yield fake


METHODS = ["sandbox", "tripay:BRIVA", "tripay:OVO"]  # no fee, a flat fee, a percent fee


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("who", "sale", "code", "total"), TABLE)
def test_page_summary_provider_and_order_agree_for_every_tier_sale_and_code(
    client, plain_game, member, tripay, who, sale, code, total, method
):
    from payments import fees

    item = plain_game
    if who == "member":
        client.force_login(member)
    if sale:
        running_sale(item, quantity=10)
    PromoCode.objects.create(
        code="GERAI10",
        value=10,
        max_discount=5_000,
        valid_to=timezone.now() + timedelta(days=1),
    )
    page = client.get(reverse("catalog:game", args=[item.product.slug])).content.decode()
    on_page = shown_price(page, item)
    assert rupiah(on_page) in page
    assert f'value="{method}"' in page
    response = client.post(
        reverse("orders:checkout", args=[item.product.slug]),
        {**form(item, on_page), "payment_method": method},
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.price == on_page
    if code:
        client.post(reverse("promotions:apply", args=[order.number]), {"code": "gerai10"})
    summary = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    order.refresh_from_db()
    assert order.price == total  # the item's price; the method's fee is on top
    fee = fees.customer_fee(order.payment_method, total) if method != "sandbox" else 0
    assert order.payment_fee == fee and (fee > 0) == (method != "sandbox")
    assert f'<dd class="total">{rupiah(total + fee)}</dd>' in summary
    client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get(order=order)
    assert payment.amount == order.price + order.payment_fee == total + fee
    if method != "sandbox":
        assert tripay.transactions[payment.provider_token].amount == payment.amount


def test_a_sale_ending_between_page_and_checkout_is_refused_with_the_new_price(
    client, plain_game, monkeypatch
):
    item = plain_game
    sale_item = running_sale(item, ends_in=timedelta(minutes=1))
    url = reverse("catalog:game", args=[item.product.slug])
    page = client.get(url).content.decode()
    assert '<s class="variant-was">Rp 110.000</s>' in page and shown_price(page, item) == 104_000
    end = sale_item.sale.ends_at
    monkeypatch.setattr(timezone, "now", lambda: end)  # the sale's last second is over
    response = client.post(
        reverse("orders:checkout", args=[item.product.slug]), form(item, 104_000)
    )
    assert response.status_code == 409
    assert "Rp 110.000" in response.content.decode() and not Order.objects.exists()
    # The page moved at that second too: no sale price from the cache.
    assert shown_price(client.get(url).content.decode(), item) == 110_000
    monkeypatch.setattr(timezone, "now", lambda: end - timedelta(seconds=1))
    assert quote(item, now=end - timedelta(seconds=1)).total == 104_000


def test_the_home_page_shows_a_running_sale_with_its_countdown_and_what_is_left(
    client, plain_game, django_capture_on_commit_callbacks
):
    running_sale(plain_game, quantity=12)
    page = client.get(reverse("catalog:home")).content.decode()
    assert "flash-sale" in page and "data-ends=" in page and "countdown.js" in page
    assert "sisa 12" in page and "Rp 104.000" in page
    with django_capture_on_commit_callbacks(execute=True):
        orders.create_order(variant=plain_game, account={"user_id": "1"}, contact_email="a@b.c")
    assert "sisa 11" in client.get(reverse("catalog:home")).content.decode()


def test_the_quantity_comes_back_when_the_order_expires(client, plain_game):
    sale_item = running_sale(plain_game, quantity=1)
    order = orders.create_order(variant=plain_game, account={"user_id": "1"}, contact_email="a@b.c")
    assert order.sale_price == 104_000
    sale_item.refresh_from_db()
    assert sale_item.sold == 1
    assert quote(plain_game, now=timezone.now()).total == 110_000  # sold out
    assert "flash-sale" not in client.get(reverse("catalog:home")).content.decode()
    orders.expire_order(order_id=order.pk)
    sale_item.refresh_from_db()
    assert sale_item.sold == 0 and quote(plain_game, now=timezone.now()).total == 104_000


@pytest.mark.django_db(transaction=True)
def test_50_concurrent_checkouts_of_a_10_unit_sale_item_give_exactly_10_sale_orders(
    uses_postgres,
):
    if not uses_postgres:
        pytest.skip("needs PostgreSQL's concurrent transactions (CI has it)")
    item = VariantFactory(cost_price=100_000, sell_price=110_000)
    running_sale(item, quantity=10)
    quoted = quote(item, now=timezone.now())  # what 50 buyers saw on the page
    start = threading.Barrier(50)
    outcomes: list[str] = []

    def buy(n: int) -> None:
        try:
            start.wait()
            orders.create_order(
                variant=item, account={"user_id": str(n)}, contact_email=f"{n}@b.c", quote=quoted
            )
            outcomes.append("ok")
        except services.SaleGone:
            outcomes.append("gone")
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes.count("ok") == 10 and outcomes.count("gone") == 40
    assert Order.objects.filter(sale_price=104_000).count() == 10 == Order.objects.count()
    assert FlashSaleItem.objects.get().sold == 10


@pytest.mark.parametrize("who", ["guest", "member"])
def test_the_game_page_costs_the_same_queries_for_10_and_100_items_during_a_sale(
    client, member, count_queries, who
):
    if who == "member":
        client.force_login(member)
    counts = []
    for n in (10, 100):
        product = ProductFactory()
        variants = VariantFactory.create_batch(
            n, product=product, cost_price=10_000, sell_price=11_000
        )
        for variant in variants[: n // 2]:
            running_sale(variant, price=10_500, quantity=5)
        url = reverse("catalog:game", args=[product.slug])
        page_queries = count_queries(client, url, fresh=True)
        assert "sisa 5" in client.get(url).content.decode()
        counts.append(page_queries)
    assert counts[0] == counts[1]


def test_the_home_strip_shows_each_item_at_the_price_checkout_charges(client, plain_game):
    """Floor-raised (not subsidised: cost 100.000 + Umum's 200 margin), the lowest of two
    overlapping sales, and no item whose sale price is not below its own price."""
    product = plain_game.product
    low = VariantFactory(product=product, cost_price=100_000, sell_price=110_000, name="Low")
    dear = VariantFactory(product=product, cost_price=10_000, sell_price=11_000, name="Dear")
    first = running_sale(plain_game, price=90_000)  # below the floor, not subsidised
    FlashSaleItem.objects.create(sale=first.sale, variant=low, sale_price=106_000)
    FlashSaleItem.objects.create(sale=first.sale, variant=dear, sale_price=12_000)  # above
    now = timezone.now()
    other = FlashSale.objects.create(
        name="Lain", starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2)
    )
    FlashSaleItem.objects.create(sale=other, variant=low, sale_price=103_000)
    page = client.get(reverse("catalog:home")).content.decode()
    strip = page[page.index('class="flash-grid"') :]
    strip = strip[: strip.index("</ol>")]
    prices = re.findall(r'<span class="variant-price">([^<]+)</span>', strip)
    assert prices == ["Rp 100.200", "Rp 103.000"]
    assert "Rp 90.000" not in strip and "Dear" not in strip


def test_a_sale_order_moves_only_what_is_left_not_every_page(
    client, plain_game, django_capture_on_commit_callbacks
):
    from catalog.cache import catalog_version

    running_sale(plain_game, quantity=12)
    url = reverse("catalog:game", args=[plain_game.product.slug])
    assert "sisa 12" in client.get(url).content.decode()
    before = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        order = orders.create_order(
            variant=plain_game, account={"user_id": "1"}, contact_email="a@b.c"
        )
    assert catalog_version() == before  # other games' pages stay cached
    assert "sisa 11" in client.get(url).content.decode()
    assert "sisa 11" in client.get(reverse("catalog:home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        orders.expire_order(order_id=order.pk)
    assert catalog_version() == before
    assert "sisa 12" in client.get(url).content.decode()
