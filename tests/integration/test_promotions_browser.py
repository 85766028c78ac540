"""Promotions in Debian's Chromium at phone size (360 px): a guest applies a code on the
summary and pays the lower total; a member sees the member price on the game page."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Variant
from orders.models import Order
from payments.models import Payment
from promotions.models import CustomerTier, PromoCode, Tier
from promotions.quote import quote
from storefront.templatetags.money import rupiah
from tests.promotions.conftest import seed_tiers

from .test_browser import browser, no_horizontal_scroll, page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gerai10(db):
    return PromoCode.objects.create(
        code="GERAI10",
        value=10,
        max_discount=10_000,
        valid_to=timezone.now() + timedelta(days=1),
    )


def test_a_guest_applies_a_code_on_the_summary_and_pays_the_lower_total(
    page,  # noqa: F811
    catalog,
    gerai10,
):
    page.goto(reverse("catalog:game", args=["mobile-legends"]))
    page.get_by_label("User ID").fill("123456789")
    page.get_by_label("Zone ID").fill("2345")
    page.get_by_text("85 (77+8) Diamonds").click()
    page.get_by_label("Email").fill("buyer@example.com")
    page.get_by_role("button", name="Lanjut ke ringkasan").click()

    page.get_by_label("Kode promo").fill("NOPE")
    page.get_by_role("button", name="Pakai").click()
    page.get_by_text("Kode promo tidak dikenal.").wait_for()
    page.get_by_label("Kode promo").fill("gerai10")
    page.get_by_role("button", name="Pakai").click()
    page.get_by_text("Kode GERAI10").wait_for()
    order = Order.objects.get()
    assert order.promo_discount > 0
    assert page.locator("dd.total").inner_text() == rupiah(order.price)
    assert no_horizontal_scroll(page)

    page.get_by_role("button", name="Bayar sekarang").click()
    page.get_by_role("button", name="Bayar", exact=True).click()
    page.get_by_text(re.compile("Pembayaran diterima|Selesai")).first.wait_for(timeout=30_000)
    assert Payment.objects.get().amount == order.price == Order.objects.get().price
    assert Order.objects.get().paid_at is not None
    assert page.console_errors == []


def test_a_member_sees_the_member_price(page, catalog, live_server):  # noqa: F811
    seed_tiers()  # a transactional test before this one may have flushed the migration's rows
    member = User.objects.create_user(username="m", email="m@example.com", password="x")
    CustomerTier.objects.create(user=member, tier=Tier.objects.get(name="Member"))
    item = Variant.objects.get(code="MLBB_ID_85")
    theirs = quote(item, customer=member, now=timezone.now()).total
    assert theirs < item.sell_price

    page.goto(reverse("catalog:game", args=["mobile-legends"]))
    tile = page.locator("label.variant-tile", has_text="85 (77+8) Diamonds")
    assert rupiah(item.sell_price) in tile.inner_text()
    assert f"Member: {rupiah(theirs)}" in tile.inner_text()

    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(reverse("catalog:game", args=["mobile-legends"]))
    tile = page.locator("label.variant-tile", has_text="85 (77+8) Diamonds")
    assert tile.locator(".variant-price").inner_text() == rupiah(theirs)
    assert "Member:" not in tile.inner_text()
    assert no_horizontal_scroll(page)
    assert page.console_errors == []
