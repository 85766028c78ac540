"""The customer's journey in Debian's Chromium at phone size, against the live server with a
real Celery worker and the sandbox supplier."""

import os
import time
from pathlib import Path

import pytest
from django.urls import reverse

from orders.models import Order

from .conftest import wait_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
S = Order.Status


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls we make around it
    # are ordinary synchronous test code.
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]  # must not leak into later subprocesses


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="id-ID")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    context.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_buy_mobile_legends_diamonds_and_watch_the_order_succeed(page, worker, catalog):
    started = time.monotonic()
    page.goto("/")
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name="Mobile Legends").click()
    page.get_by_label("User ID").fill("123456789")
    page.get_by_label("Zone ID").fill("2345")
    page.get_by_text("85 (77+8) Diamonds").click()
    page.get_by_label("Email").fill("buyer@example.com")
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Lanjut ke ringkasan").click()

    page.get_by_text("123456789").wait_for()
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Bayar sekarang").click()
    page.get_by_role("button", name="Bayar", exact=True).click()

    page.get_by_text("Selesai! Top up sudah masuk ke akun kamu.").wait_for(timeout=30_000)
    elapsed = time.monotonic() - started
    order = Order.objects.get()
    assert order.status == S.SUCCESS
    assert page.url.endswith(reverse("orders:detail", args=[order.number]))
    assert page.console_errors == []
    print(f"\nbrowser journey home -> success: {elapsed:.1f} s")
    assert elapsed < 60


def test_failed_top_up_shows_failed_and_refund(page, worker, catalog):
    page.goto(reverse("catalog:game", args=["valorant"]))
    page.get_by_label("Riot ID").fill("FAIL#1234")
    page.locator("label.variant-tile").first.click()
    page.get_by_label("Email").fill("buyer@example.com")
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    page.get_by_role("button", name="Bayar sekarang").click()
    page.get_by_role("button", name="Bayar", exact=True).click()
    page.get_by_text("Dana kamu sudah dikembalikan.").wait_for(timeout=30_000)
    assert Order.objects.get().status == S.REFUNDED


def test_form_errors_are_shown_per_field(page, catalog):
    page.goto(reverse("catalog:game", args=["mobile-legends"]))
    page.get_by_label("User ID").fill("12ab")
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    page.get_by_text("User ID hanya boleh berisi angka.").wait_for()
    page.get_by_text("Zone ID wajib diisi.").wait_for()
    page.get_by_text("Pilih item yang ingin di-top up.").wait_for()
    assert no_horizontal_scroll(page)


def test_change_the_order_comes_back_filled_in(page, catalog):
    page.goto(reverse("catalog:game", args=["mobile-legends"]))
    page.get_by_label("User ID").fill("123456789")
    page.get_by_label("Zone ID").fill("2345")
    page.get_by_text("85 (77+8) Diamonds").click()
    page.get_by_label("Email").fill("buyer@example.com")
    page.get_by_label("Nomor WhatsApp (opsional)").fill("0812-3456-7890")
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    page.get_by_role("button", name="Ubah pesanan").click()

    page.get_by_role("button", name="Lanjut ke ringkasan").wait_for()
    assert "buyer" not in page.url
    assert page.get_by_label("User ID").input_value() == "123456789"
    assert page.get_by_label("Zone ID").input_value() == "2345"
    assert page.get_by_role("radio", name="85 (77+8) Diamonds").is_checked()
    assert page.get_by_label("Email").input_value() == "buyer@example.com"
    assert page.get_by_label("Nomor WhatsApp (opsional)").input_value() == "0812-3456-7890"
    first = Order.objects.get()
    assert first.status == S.EXPIRED  # closed: no unpaid order left behind
    assert first.events.last().message == "Changed by the customer"
    page.get_by_text("170 (154+16) Diamonds").click()
    page.get_by_role("button", name="Lanjut ke ringkasan").click()  # the email is still there
    page.get_by_text("170 (154+16) Diamonds").wait_for()
    second = Order.objects.order_by("-pk").first()
    assert second.pk != first.pk and second.status == S.AWAITING_PAYMENT
    assert second.account == {"user_id": "123456789", "zone_id": "2345"}
    assert (second.contact_email, second.contact_phone) == ("buyer@example.com", "+6281234567890")
    assert page.console_errors == []


def test_lookup_finds_the_order_and_refuses_a_wrong_contact(page, worker, catalog):
    from .conftest import pay

    order = pay()
    wait_status(order, S.SUCCESS)
    page.goto(reverse("orders:lookup"))
    assert no_horizontal_scroll(page)
    page.get_by_label("Nomor pesanan").fill(order.number)
    page.get_by_label("Email atau nomor WhatsApp").fill("someone@else.example")
    page.get_by_role("button", name="Cari pesanan").click()
    page.get_by_text("Tidak ada pesanan dengan nomor dan kontak tersebut.").wait_for()
    page.get_by_label("Email atau nomor WhatsApp").fill("a@b.example")
    page.get_by_role("button", name="Cari pesanan").click()
    page.get_by_text("Selesai!").wait_for()
    assert order.number in page.url


def test_language_switch(page, catalog):
    page.goto("/")
    page.get_by_role("heading", name="Pilih game").wait_for()
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Choose a game").wait_for()
    page.get_by_role("link", name="Mobile Legends").click()
    page.get_by_role("button", name="Continue to summary").wait_for()
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.get_by_role("button", name="Lanjut ke ringkasan").wait_for()


def test_screens_at_phone_size(page, worker, catalog, tmp_path_factory):
    """Every customer page fits 360 px; screenshots are kept for a person to look at."""
    from .conftest import pay

    order = pay()
    wait_status(order, S.SUCCESS)
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("screens"))
    pages = {
        "home": "/",
        "game": reverse("catalog:game", args=["mobile-legends"]),
        "order": reverse("orders:detail", args=[order.number]),
        "lookup": reverse("orders:lookup"),
    }
    for name, url in pages.items():
        page.goto(url)
        assert no_horizontal_scroll(page), name
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert page.console_errors == []
