import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from storefront.templatetags.money import rupiah

from ..factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_rupiah_format():
    assert rupiah(15000) == "Rp 15.000"
    assert rupiah(1389) == "Rp 1.389"
    assert rupiah(0) == "Rp 0"
    assert rupiah(2_500_000) == "Rp 2.500.000"


def test_home_lists_only_games_for_sale_in_the_owners_order(client):
    late = ProductFactory(name="Zeta Legends", sort_order=2)
    early = ProductFactory(name="Alpha Fire", sort_order=1)
    hidden = [
        ProductFactory(name="Inactive Game", is_active=False),
        ProductFactory(name="Retired Game", retired_at=timezone.now()),
        ProductFactory(name="Unlisted Game", is_listed=False),
        ProductFactory(name="Empty Game"),
    ]
    for product in [late, early, *hidden[:3]]:
        VariantFactory(product=product, cost_price=14_000, sell_price=15_000)
    VariantFactory(product=hidden[3], is_active=False)

    page = client.get(reverse("catalog:home")).content.decode()
    assert page.index("Alpha Fire") < page.index("Zeta Legends")
    assert "mulai Rp 15.000" in page
    for product in hidden:
        assert product.name not in page


def test_home_search_without_javascript(client):
    VariantFactory(product=ProductFactory(name="Mobile Legends"))
    VariantFactory(product=ProductFactory(name="Honor of Kings"))
    page = client.get(reverse("catalog:home"), {"q": "legend"}).content.decode()
    assert "Mobile Legends" in page and "Honor of Kings" not in page
    page = client.get(reverse("catalog:home"), {"q": "nothing-like-this"}).content.decode()
    assert "Tidak ada game" in page


def test_game_page_lists_variants_for_sale_with_prices(client):
    product = ProductFactory(name="Mobile Legends")
    VariantFactory(product=product, name="86 Diamonds", cost_price=19_000, sell_price=20_600)
    VariantFactory(product=product, name="Gone", retired_at=timezone.now())
    VariantFactory(product=product, name="Off", is_active=False)
    VariantFactory(product=product, name="Pulled", is_listed=False)
    page = client.get(reverse("catalog:game", args=[product.slug])).content.decode()
    assert "86 Diamonds" in page and "Rp 20.600" in page
    for name in ("Gone", "Off", "Pulled"):
        assert name not in page


def test_game_page_of_retired_or_unknown_game_is_404(client):
    product = ProductFactory(retired_at=timezone.now())
    assert client.get(reverse("catalog:game", args=[product.slug])).status_code == 404
    assert client.get(reverse("catalog:game", args=["no-such-game"])).status_code == 404


def test_supplier_html_is_escaped(client):
    product = ProductFactory(name="<i>Game</i>")
    VariantFactory(product=product, name="<script>alert(1)</script> 100 Diamonds")
    for url in (reverse("catalog:home"), reverse("catalog:game", args=[product.slug])):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<i>Game</i>" not in page
    page = client.get(reverse("catalog:game", args=[product.slug])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 100 Diamonds" in page


def test_pages_use_the_same_number_of_queries_for_10_and_100_variants(client, count_queries):
    # fresh: the uncached path, what a changed catalog costs
    small, large = ProductFactory(), ProductFactory()
    VariantFactory.create_batch(10, product=small)
    VariantFactory.create_batch(100, product=large)
    game = [reverse("catalog:game", args=[product.slug]) for product in (small, large)]
    assert count_queries(client, game[0], fresh=True) == count_queries(client, game[1], fresh=True)
    home_small = count_queries(client, reverse("catalog:home"), fresh=True)
    for _ in range(10):
        VariantFactory.create_batch(10, product=ProductFactory())
    assert count_queries(client, reverse("catalog:home"), fresh=True) == home_small


def test_cached_pages_show_a_new_price_at_once(
    client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    product = ProductFactory(name="Mobile Legends")
    variant = VariantFactory(product=product, cost_price=19_000, sell_price=20_600)
    url = reverse("catalog:game", args=[product.slug])
    assert "Rp 20.600" in client.get(url).content.decode()
    with django_assert_max_num_queries(1):  # the variant grid came from the cache
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):  # as when the admin saves
        variant.sell_price = 21_000
        variant.save()
    page = client.get(url).content.decode()
    assert "Rp 21.000" in page and "Rp 20.600" not in page
    assert "mulai Rp 21.000" in client.get(reverse("catalog:home")).content.decode()


def test_a_price_change_made_by_another_process_shows_within_a_second(client, monkeypatch):
    from catalog.cache import REUSE_SECONDS, VERSION_KEY
    from catalog.models import Variant
    from storefront import pagecache

    product = ProductFactory(name="Free Fire")
    variant = VariantFactory(product=product, cost_price=4_500, sell_price=5_000)
    url = reverse("catalog:game", args=[product.slug])
    assert "Rp 5.000" in client.get(url).content.decode()
    # What a sync on the worker does: new rows, then a new version in the shared cache.
    Variant.objects.filter(pk=variant.pk).update(sell_price=5_500)
    cache.set(VERSION_KEY, "moved-by-the-worker")
    assert "Rp 5.000" in client.get(url).content.decode()  # this process read it just now
    now = time.monotonic()
    monkeypatch.setattr(pagecache, "monotonic", lambda: now + REUSE_SECONDS)
    page = client.get(url).content.decode()
    assert "Rp 5.500" in page and "Rp 5.000" not in page


def test_pages_without_a_form_cost_no_csrf_token(client):
    VariantFactory()
    response = client.get(reverse("catalog:home"))
    assert response.status_code == 200 and "csrftoken" not in response.cookies


def test_a_cached_page_shows_nothing_of_the_first_visitors_query_string(client):
    from django.test import Client

    VariantFactory()
    client.get(reverse("catalog:home") + '?utm_source=x"y')
    page = Client().get(reverse("catalog:home")).content.decode()
    assert "utm_source" not in page
