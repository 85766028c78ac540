"""The storefront's merchandising in Debian's Chromium at phone size (360 px): the home
sections in their order, "Where is my ID?", the receipt and "Beli lagi", the status badge
appearing when the supplier slows down on a game, and the sitemap."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog import selectors as catalog_selectors
from gamestatus import services as gamestatus
from orders.models import Order

from .conftest import pay, wait_status
from .test_browser import browser, no_horizontal_scroll, page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = Order.Status


@pytest.fixture
def demo(catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo_content")


def top(tab, selector: str) -> float:
    """How far down the page the first match of `selector` starts."""
    return tab.locator(selector).first.bounding_box()["y"]


def test_home_sections_come_in_their_order_at_phone_width(page, demo):  # noqa: F811
    page.goto("/")
    order = [
        top(page, "aside.announcement"),
        top(page, "section.banners"),
        top(page, "form.search"),
        top(page, "#popular-title"),
        top(page, "#shelf-game"),
        top(page, "#shelf-voucher"),
        top(page, "#shelf-streaming"),
        top(page, "#shelf-ewallet"),
    ]
    assert order == sorted(order)
    assert page.get_by_role("heading", name="Populer").is_visible()
    popular = page.locator(".popular-tile .game-name").all_inner_texts()
    assert popular[:2] == ["Mobile Legends", "Free Fire"]  # the owner's pins lead
    assert page.get_by_role("img", name="Diamond Mobile Legends masuk otomatis").is_visible()
    # The carousel scrolls sideways by itself (CSS scroll-snap), the page does not.
    track = page.locator(".banner-track")
    assert track.evaluate("el => el.scrollWidth > el.clientWidth")
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name="Daftar harga semua item").first.wait_for()  # the banner's name
    # A game without an uploaded icon shows its initials instead.
    assert page.locator(".game-initial", has_text="MC").first.is_visible()
    assert page.console_errors == []


def test_where_is_my_id_help_sits_with_the_account_fields(page, demo):  # noqa: F811
    page.goto(reverse("catalog:game", args=["mobile-legends"]))
    help_toggle = page.get_by_text("Di mana ID saya?")
    help_image = page.get_by_role("img", name="Letak ID di Mobile Legends")
    assert not help_image.is_visible()
    help_toggle.click()
    help_image.wait_for()
    assert page.get_by_text("ketuk foto profil di kiri atas").is_visible()
    # It comes right after the account fields, before the items.
    assert top(page, "#id_account_zone_id") < top(page, ".id-help") < top(page, "#choose-item")
    assert no_horizontal_scroll(page)
    assert page.console_errors == []


def test_receipt_and_beli_lagi_after_success(page, worker, catalog):  # noqa: F811
    order = pay(code="MLBB_ID_85", user_id="987654321")
    wait_status(order, S.SUCCESS)
    page.goto(reverse("orders:detail", args=[order.number]))
    page.get_by_role("link", name="Struk").click()
    receipt = page.locator("section.receipt")
    receipt.get_by_text(order.number).wait_for()
    for text in ("Terkirim", "85 (77+8) Diamonds", "987654321", "2345", "Total"):
        assert receipt.get_by_text(text, exact=False).first.is_visible()
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name="Beli lagi").click()
    page.get_by_role("button", name="Lanjut ke ringkasan").wait_for()
    assert page.get_by_label("User ID").input_value() == "987654321"
    assert page.get_by_label("Zone ID").input_value() == "2345"
    assert page.get_by_role("radio", name="85 (77+8) Diamonds").is_checked()
    assert page.console_errors == []


def test_status_badge_appears_when_orders_slow_down(page, worker, catalog, sandbox, settings):  # noqa: F811
    settings.GAME_STATUS_MIN_ORDERS = 3
    settings.GAME_STATUS_SLOW_SECONDS = 4
    game = reverse("catalog:game", args=["free-fire"])
    fast = [pay(code="FF_5", user_id=f"1234567{n}") for n in range(3)]
    for order in fast:
        wait_status(order, S.SUCCESS)
    gamestatus.refresh()
    page.goto(game)
    page.get_by_role("button", name="Lanjut ke ringkasan").wait_for()
    assert page.get_by_text("Sedang lambat").count() == 0

    sandbox.set_delivery_seconds("free-fire", 6)  # the supplier slows down on this game only
    slow = [pay(code="FF_12", user_id=f"7654321{n}") for n in range(4)]
    for order in slow:
        wait_status(order, S.SUCCESS)
    gamestatus.refresh()  # what beat runs every GAME_STATUS_INTERVAL
    page.reload()
    badge = page.get_by_role("status").filter(has_text="Sedang lambat")
    badge.wait_for()
    assert "lebih lama dari biasanya" in badge.inner_text()
    # Before payment: the badge is above the form.
    assert top(page, ".game-status") < top(page, "form.checkout")
    page.goto(reverse("catalog:game", args=["mobile-legends"]))  # other games are not affected
    page.get_by_role("button", name="Lanjut ke ringkasan").wait_for()
    assert page.get_by_text("Sedang lambat").count() == 0
    assert no_horizontal_scroll(page)


def test_sitemap_lists_every_game_for_sale(page, catalog):  # noqa: F811
    response = page.goto("/sitemap.xml")
    assert response.ok
    xml = response.text()
    listed = set(re.findall(r"<loc>[^<]*/games/([\w-]+)/</loc>", xml))
    for_sale = {product.slug for product in catalog_selectors.products_for_sale()}
    assert listed == for_sale and "mobile-legends" in listed
    assert "point-blank" not in listed  # switched off by the supplier
    robots = page.goto("/robots.txt").text()
    assert "/sitemap.xml" in robots
