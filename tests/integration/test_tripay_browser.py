"""Paying with Tripay's QRIS in Debian's Chromium at phone size (360 px), against the live
server, a real Celery worker, the isipay sandbox and the fake Tripay (which calls the live
server back, signed, as Tripay does)."""

import os

import pytest
from django.urls import reverse

from orders.models import Order
from payments import fees
from payments import services as payments
from payments.models import Payment
from payments.tripay.fake import FakeTripay
from storefront.templatetags.money import rupiah

from .conftest import wait_status
from .test_browser import browser, no_horizontal_scroll, page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = Order.Status


@pytest.fixture
def tripay(settings, live_server):
    with FakeTripay() as fake:  # callbacks really sent, to the live server
        settings.SITE_URL = live_server.url
        settings.PAYMENT_PROVIDERS = ["tripay", "sandbox"]
        settings.TRIPAY_API_URL = fake.api_url
        settings.TRIPAY_API_KEY = fake.api_key
        settings.TRIPAY_PRIVATE_KEY = fake.private_key
        settings.TRIPAY_MERCHANT_CODE = fake.merchant_code
        assert payments.refresh_tripay_channels() > 0
        yield fake


def snapshot(tab, name: str, locator) -> None:
    """With SCREENSHOTS=<folder>: a picture of what the customer sees, for a closing note."""
    if folder := os.environ.get("SCREENSHOTS"):
        locator.scroll_into_view_if_needed()
        tab.screenshot(path=f"{folder}/tripay-{name}.png", full_page=True)


def test_pick_qris_see_the_qr_and_total_pay_and_the_order_turns_to_success(
    page,  # noqa: F811
    worker,
    catalog,
    tripay,
):
    page.goto(reverse("catalog:game", args=["mobile-legends"]))
    page.get_by_label("User ID").fill("123456789")
    page.get_by_label("Zone ID").fill("2345")
    page.get_by_text("59 (53+6) Diamonds").click()
    qris = page.locator("label.method", has=page.locator('input[value="tripay:QRIS"]'))
    qris.click()
    price = int(page.locator('input[name="variant"]:checked').get_attribute("data-price"))
    total = rupiah(price + fees.customer_fee("QRIS", price))
    assert qris.locator(".method-total b").inner_text() == total  # shown before ordering
    snapshot(page, "picker", qris)
    page.get_by_label("Email").fill("buyer@example.com")
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Lanjut ke ringkasan").click()

    page.get_by_text("123456789").wait_for()
    assert page.locator("dd.total").inner_text() == total
    page.get_by_role("button", name="Bayar sekarang").click()
    page.locator("#pay svg").wait_for()  # the QRIS, on our own page
    assert page.get_by_role("heading", name=f"Bayar {total}").is_visible()
    assert no_horizontal_scroll(page)
    snapshot(page, "qris-order-page", page.locator("#pay"))
    order = Order.objects.get()
    payment = Payment.objects.get()
    assert tripay.transactions[payment.provider_token].amount == payment.amount

    # The customer's banking app pays the QRIS: here, the fake Tripay's own page.
    page.goto(f"{tripay.url}/checkout/{payment.provider_token}")
    page.get_by_role("button", name="Bayar", exact=True).click()
    page.get_by_text("Selesai! Top up sudah masuk ke akun kamu.").wait_for(timeout=30_000)
    assert page.url.endswith(reverse("orders:detail", args=[order.number]))
    wait_status(order, S.SUCCESS)
    assert [c.delivered for c in tripay.callbacks] == [200]
    assert page.console_errors == []


def test_the_pickers_totals_are_the_servers_to_the_rupiah(browser):  # noqa: F811
    """The picker's script works each total out as payments/fees.py does: for a few hundred
    prices and the usual fee shapes (with Tripay's minimum and maximum fee), the page's fee
    is the server's. A float sum gave Rp 36 where the server said Rp 35 (2 % of Rp 1.715)."""
    from decimal import Decimal
    from pathlib import Path

    from django.conf import settings as django_settings

    from payments.models import TripayChannel

    shapes = [
        TripayChannel(code="P2", fee_flat=0, fee_percent=Decimal("2")),
        TripayChannel(code="QRIS", fee_flat=750, fee_percent=Decimal("0.70")),
        TripayChannel(code="OVO", fee_flat=0, fee_percent=Decimal("3"), minimum_fee=1000),
        TripayChannel(
            code="QRISL",
            fee_flat=750,
            fee_percent=Decimal("0.7"),
            minimum_fee=1000,
            maximum_fee=1500,
        ),
        TripayChannel(code="BRIVA", fee_flat=4250, fee_percent=Decimal("0")),
        TripayChannel(code="ODD", fee_flat=100, fee_percent=Decimal("2.95")),
    ]
    prices = [1715, *range(1000, 400_000, 1337)]
    tab = browser.new_page()
    try:
        script = Path(django_settings.BASE_DIR, "static/js/payment-methods.js").read_text()
        tab.add_script_tag(content=script)
        for channel in shapes:
            carried = {  # what payments.selectors.payment_methods puts in the page
                "flat": channel.fee_flat,
                "bp": int(channel.fee_percent * 100),
                "min": channel.minimum_fee,
                "max": channel.maximum_fee,
            }
            on_page = tab.evaluate(
                "([c, prices]) => prices.map((p) => window.geraiCustomerFee(c, p))",
                [carried, prices],
            )
            assert on_page == [fees.customer_fee(channel, p) for p in prices], channel.code
    finally:
        tab.close()
    assert fees.customer_fee(shapes[0], 1715) == 35
