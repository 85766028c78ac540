"""The back office as the owner sees it, in Debian's Chromium at 1280 px: the dashboard's cards,
an order list that fits, the markup rule form, the empty chart, and the sidebar in Indonesian.
No Content-Security-Policy violation on any of these pages (they would be console errors)."""

import pytest
from django.urls import reverse

from ..factories import MarkupRuleFactory, OrderFactory, ProductFactory, UserFactory
from .test_browser import browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture
def owner_page(browser, live_server):  # noqa: F811
    UserFactory(username="owner", password=PASSWORD, superuser=True)
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="id-ID")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.goto(reverse("admin:index"))
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(f"**{reverse('admin:index')}")
    yield page
    context.close()


def table_fits(page) -> bool:
    return page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            return table.scrollWidth <= table.parentElement.clientWidth + 1
                && document.documentElement.scrollWidth <= window.innerWidth;
        }"""
    )


def test_dashboard_cards_and_an_indonesian_sidebar(owner_page):
    page = owner_page
    OrderFactory(sold=True)
    page.goto(reverse("admin:index"))
    assert page.locator(".bo-card").count() >= 4
    assert page.locator(".bo-card").first.is_visible()
    assert page.locator(".bo-chart svg").is_visible()  # a sale today: bars, not the empty note
    sidebar = page.locator("#nav-sidebar").inner_text()
    for title in ("Penjualan", "Katalog", "Pelanggan", "Konten", "Sistem", "Dasbor", "Pesanan"):
        assert title in sidebar, title
    assert "Administrasi Django" not in page.content()
    assert page.console_errors == []


def test_an_empty_chart_says_there_are_no_sales_yet(owner_page):
    page = owner_page
    page.goto(reverse("backoffice:dashboard"))
    assert page.locator("#nav-sidebar").is_visible()  # the back office's pages keep the sidebar
    assert page.get_by_text("Belum ada penjualan").first.is_visible()
    assert page.locator(".bo-chart svg").count() == 0
    assert page.console_errors == []


def test_the_order_list_fits_at_1280_with_one_date_filter(owner_page):
    page = owner_page
    long = "Mobile Legends: Bang Bang (Global, very long name)"
    for n in range(3):
        OrderFactory(
            product_name=long,
            variant_name=f"{n} Weekly Diamond Pass with a long name",
            contact_email=f"someone.with.a.long.address{n}@example.com",
        )
    page.goto(reverse("admin:orders_order_changelist"))
    assert page.locator("#result_list tbody tr").count() == 3
    assert table_fits(page)
    # One date filter (the days placed, with quick choices); no second "created at" one.
    page.goto(reverse("admin:orders_order_changelist") + "?placed_from=01/01/2020")
    assert page.locator("#result_list tbody tr").count() == 3
    assert page.console_errors == []


def test_the_rule_form_hides_the_item_picker_once_a_game_is_chosen(owner_page):
    page = owner_page
    game = ProductFactory(name="Honkai Star Rail")
    page.goto(reverse("admin:catalog_markuprule_add"))
    assert page.locator(".field-variant").is_visible()
    # Choose the game in its autocomplete picker: the item picker goes away.
    page.click(".field-product .select2-selection")
    page.fill(".select2-search__field", "Honkai")
    page.click(".select2-results__option:has-text('Honkai Star Rail')")
    page.locator(".field-variant").wait_for(state="hidden")
    # Opened from a game (?product=…): no item picker from the start.
    page.goto(reverse("admin:catalog_markuprule_add") + f"?product={game.pk}")
    assert page.locator(".field-variant").is_hidden()
    # A saved game rule shows its game only.
    rule = MarkupRuleFactory(product=game)
    page.goto(reverse("admin:catalog_markuprule_change", args=[rule.pk]))
    assert page.locator(".field-product").is_visible()
    assert page.locator(".field-variant").count() == 0
    assert page.console_errors == []
