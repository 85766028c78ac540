"""Issue 14's journey in Debian's Chromium at 360 px, against the live server with a real Celery
worker and the isipay sandbox: sign up → confirm the email → top up Rp 50.000 on the sandbox
payment page → buy with the balance → success → history and the saved game ID → a second order
that isipay fails → back in the balance at once."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail

from orders.models import Order
from wallet import selectors as wallet_selectors
from wallet.models import Deposit

from .conftest import wait_status
from .test_browser import browser, no_horizontal_scroll, page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = Order.Status
EMAIL = "sari@example.com"
PASSWORD = "kata-sandi-yang-panjang-42"


def rupiah(amount: int) -> str:
    return f"Rp {amount:,}".replace(",", ".")


def balance_shown(tab) -> str:
    tab.goto("/akun/")
    return tab.get_by_test_id("balance").inner_text()


def buy_with_balance(tab, *, game: str, fill: dict[str, str], item: str | None) -> Order:
    tab.goto("/")
    tab.get_by_role("link", name=game).click()
    for label, value in fill.items():
        tab.get_by_label(label).fill(value)
    if item:
        tab.get_by_text(item).click()
    else:
        tab.locator("label.variant-tile").first.click()
    if not tab.get_by_label("Email").input_value():
        tab.get_by_label("Email").fill(EMAIL)
    tab.get_by_label("Saldo akun").check()
    assert no_horizontal_scroll(tab)
    tab.get_by_role("button", name="Lanjut ke ringkasan").click()
    tab.get_by_role("button", name=re.compile(r"^Bayar dengan saldo")).click()
    number = urlsplit(tab.url).path.rstrip("/").rsplit("/", 1)[-1]
    return Order.objects.get(number=number)


def test_sign_up_top_up_buy_with_balance_and_a_failed_order_back_in_the_balance(
    page,  # noqa: F811  (the fixture imported above)
    worker,
    catalog,
):
    started = time.monotonic()
    # Sign up, from the header's link.
    page.goto("/")
    page.get_by_role("link", name="Masuk / Daftar").click()
    page.get_by_role("link", name="daftar", exact=True).click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Sandi:", exact=True).fill(PASSWORD)
    page.get_by_label("Kata sandi (lagi)").fill(PASSWORD)
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Daftar").click()

    # Confirm the address with the link from the mail (the locmem outbox of this process).
    page.get_by_text(EMAIL).first.wait_for()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(urlsplit(link).path)
    page.get_by_role("button", name="Konfirmasi").click()

    # Top up Rp 50.000 with the sandbox provider, from My account.
    page.goto("/akun/")
    assert page.get_by_test_id("balance").inner_text() == "Rp 0"
    page.get_by_role("link", name="Isi saldo").click()
    page.get_by_text("Rp 50.000", exact=True).click()
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    page.get_by_role("button", name="Bayar", exact=True).click()
    page.get_by_text("Selesai! Rp 50.000 sudah masuk ke saldo kamu.").wait_for()
    assert no_horizontal_scroll(page)
    deposit = Deposit.objects.get()
    assert deposit.status == Deposit.Status.PAID
    assert balance_shown(page) == "Rp 50.000"
    page.get_by_text(deposit.reference).wait_for()  # listed on the account page

    # Buy Mobile Legends diamonds with the balance: paid at once, delivered by the worker.
    first = buy_with_balance(
        page,
        game="Mobile Legends",
        fill={"User ID": "123456789", "Zone ID": "2345"},
        item="85 (77+8) Diamonds",
    )
    page.get_by_text("Selesai! Top up sudah masuk ke akun kamu.").wait_for(timeout=30_000)
    assert wait_status(first, S.SUCCESS) == S.SUCCESS
    after_first = 50_000 - first.price

    # History shows it, linked; the game ID is saved; the balance went down by its price.
    assert balance_shown(page) == rupiah(after_first)
    page.get_by_role("link", name=first.number).wait_for()
    saved = page.locator("li.saved")
    saved.get_by_text("123456789").wait_for()
    assert "Mobile Legends" in saved.inner_text()
    assert no_horizontal_scroll(page)

    # A second order that isipay fails: the balance it took is back at once.
    second = buy_with_balance(page, game="Valorant", fill={"Riot ID": "FAIL#1234"}, item=None)
    assert wallet_selectors.balance_of(second.customer) == after_first - second.price
    refunded = f"{rupiah(second.price)} sudah dikembalikan ke saldo kamu."
    page.get_by_text(f"Top up ini tidak dapat kami kirim. {refunded}").wait_for(timeout=30_000)
    assert wait_status(second, S.REFUNDED) == S.REFUNDED
    assert balance_shown(page) == rupiah(after_first)
    assert page.console_errors == []
    print(f"\nwallet journey sign-up -> refund to balance: {time.monotonic() - started:.1f} s")
