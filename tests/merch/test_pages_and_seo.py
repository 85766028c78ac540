"""Pages people look for (FAQ, terms, privacy, contact), search engines (titles, meta,
Open Graph, sitemap.xml, robots.txt, the cached price list) and the web app manifest."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from content.models import FaqEntry, Page

from ..factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_faq_and_pages_in_both_languages(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.create(slug="terms", title="Syarat", title_en="Terms", body="Isi syarat.")
        FaqEntry.objects.create(
            question="Berapa lama?", question_en="How long?", answer="Satu menit.", answer_en=""
        )
    assert "Isi syarat." in client.get(reverse("content:page", args=["terms"])).content.decode()
    faq = client.get(reverse("content:faq")).content.decode()
    assert "Berapa lama?" in faq and "Satu menit." in faq
    client.cookies["django_language"] = "en"
    faq = client.get(reverse("content:faq")).content.decode()
    assert "How long?" in faq and "Satu menit." in faq  # no English answer: the Indonesian one
    assert (
        "<title>Terms · Gerai"
        in client.get(reverse("content:page", args=["terms"])).content.decode()
    )


def test_unwritten_or_unknown_pages_are_404(client):
    assert client.get(reverse("content:page", args=["privacy"])).status_code == 404
    assert client.get(reverse("content:page", args=["nope"])).status_code == 404


def test_footer_links_the_pages_and_the_price_list(client):
    page = client.get(reverse("orders:lookup")).content.decode()
    for url in ("/faq/", "/info/terms/", "/info/privacy/", "/info/contact/", "/prices/"):
        assert f'href="{url}"' in page


def test_page_text_is_escaped(client):
    Page.objects.create(
        slug="contact", title="Kontak", body="<script>x()</script> halo@gerai.example"
    )
    page = client.get(reverse("content:page", args=["contact"])).content.decode()
    assert "<script>x()</script>" not in page and "mailto:halo@gerai.example" in page


def test_game_page_has_its_title_description_and_open_graph(client, settings):
    settings.SITE_URL = "https://gerai.example"
    product = ProductFactory(name="Mobile Legends", slug="mobile-legends")
    VariantFactory(product=product, cost_price=1_400, sell_price=1_600)
    page = client.get(reverse("catalog:game", args=["mobile-legends"])).content.decode()
    assert "<title>Top up Mobile Legends murah dan cepat · Gerai</title>" in page
    assert (
        '<meta name="description" content="Top up Mobile Legends murah di Gerai, mulai Rp 1.600.'
        in page
    )
    assert '<meta property="og:title" content="Top up Mobile Legends">' in page
    assert '<meta property="og:url" content="https://gerai.example/games/mobile-legends/">' in page
    assert '<link rel="canonical" href="https://gerai.example/games/mobile-legends/">' in page
    assert 'property="og:image" content="https://gerai.example/static/icons/icon-512.png' in page


def test_the_owners_seo_texts_win(client):
    product = ProductFactory(seo_title="Diamond ML termurah", meta_description="Beli diamond ML.")
    VariantFactory(product=product)
    page = client.get(reverse("catalog:game", args=[product.slug])).content.decode()
    assert "<title>Diamond ML termurah · Gerai</title>" in page
    assert '<meta name="description" content="Beli diamond ML.">' in page
    assert '<meta property="og:description" content="Beli diamond ML.">' in page


def test_sitemap_lists_every_game_for_sale_and_nothing_else(client):
    on_sale = [ProductFactory(), ProductFactory()]
    for product in on_sale:
        VariantFactory(product=product)
    hidden = [
        ProductFactory(is_listed=False),
        ProductFactory(retired_at=timezone.now()),
        ProductFactory(is_active=False),
        ProductFactory(),  # nothing to buy in it
    ]
    for product in hidden[:3]:
        VariantFactory(product=product)
    Page.objects.create(slug="faq", title="FAQ", body="-")
    Page.objects.create(slug="terms", title="Syarat", body="-")
    xml = client.get("/sitemap.xml").content.decode()
    games = set(re.findall(r"<loc>http://testserver/games/([\w-]+)/</loc>", xml))
    assert games == {product.slug for product in on_sale}
    for path in ("/", "/prices/", "/faq/", "/info/terms/"):
        assert f"<loc>http://testserver{path}</loc>" in xml


def test_robots_txt_points_at_the_sitemap_and_keeps_orders_out(client, settings):
    settings.SITE_URL = "https://gerai.example"
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /orders/" in text and "Sitemap: https://gerai.example/sitemap.xml" in text
    assert django_settings.ADMIN_URL not in text  # the admin's path is not advertised


def test_price_list_shows_every_item_and_stays_cached(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks, count_queries
):
    a, b = ProductFactory(name="Alpha"), ProductFactory(name="Beta")
    items = [
        VariantFactory(product=a, name=f"{n} Coins", cost_price=n * 1000, sell_price=n * 1000 + 100)
        for n in (1, 2)
    ]
    VariantFactory(product=b, name="Pass", cost_price=5000, sell_price=5500)
    VariantFactory(product=b, name="Hidden item", is_listed=False)
    page = client.get(reverse("catalog:prices")).content.decode()
    for text in ("Alpha", "Beta", "1 Coins", "Rp 1.100", "Rp 2.100", "Pass", "Rp 5.500"):
        assert text in page
    assert "Hidden item" not in page
    with django_assert_max_num_queries(0):
        client.get(reverse("catalog:prices"))
    with django_capture_on_commit_callbacks(execute=True):
        items[0].sell_price = 1_300
        items[0].save()
    page = client.get(reverse("catalog:prices")).content.decode()
    assert "Rp 1.300" in page and "Rp 1.100" not in page
    small = count_queries(client, reverse("catalog:prices"), fresh=True)
    for _ in range(10):
        VariantFactory.create_batch(5, product=ProductFactory())
    assert count_queries(client, reverse("catalog:prices"), fresh=True) == small


def test_manifest_makes_the_shop_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert manifest["theme_color"] == "#6c2bd9"
    pngs = {icon["sizes"]: icon["src"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= set(pngs)
    static_root = Path(django_settings.BASE_DIR) / "static"
    for size in (192, 512):
        with Image.open(static_root / "icons" / f"icon-{size}.png") as icon:
            assert icon.size == (size, size)
    home = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in home
    assert '<meta name="theme-color" content="#6c2bd9">' in home
    assert "serviceWorker" not in home  # no offline checkout
