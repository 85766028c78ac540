"""Buying through the pages with the Django test client: checkout, pay, order page, lookup."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Variant
from orders.models import Order
from payments.models import Payment
from tests.oncommit import queued_tasks

S = Order.Status


@pytest.fixture
def ml_form():
    return {
        "variant": "MLBB_ID_5",
        "account_user_id": "123456789",
        "account_zone_id": "2345",
        "email": "buyer@example.com",
        "whatsapp": "0812-3456-7890",
        "payment_method": "sandbox",
    }


def buy(client, form, slug="mobile-legends"):
    return client.post(reverse("orders:checkout", args=[slug]), form)


def test_game_page_shows_labelled_account_fields_and_tiles(client, synced):
    page = client.get(reverse("catalog:game", args=["mobile-legends"])).content.decode()
    for label in ("User ID", "Zone ID", "Email", "Nomor WhatsApp (opsional)"):
        assert f">{label}</label>" in page
    assert 'value="MLBB_ID_5"' in page and "Rp 1.600" in page
    assert "MLBB_ID_2010" not in page  # inactive at the supplier


def test_checkout_creates_an_order_awaiting_payment_at_the_server_price(client, synced, ml_form):
    response = buy(client, {**ml_form, "price": "1"})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    assert order.status == S.AWAITING_PAYMENT
    assert order.price == Variant.objects.get(code="MLBB_ID_5").sell_price
    assert order.data == "123456789(2345)"
    assert order.contact_phone == "+6281234567890"
    page = client.get(response["Location"]).content.decode()
    assert "123456789" in page and "Rp 1.600" in page and "Bayar sekarang" in page
    assert "bu•••" in page and "buyer@example.com" not in page  # contact masked


def test_each_bad_field_gets_its_own_message_and_nothing_is_created(client, synced, ml_form):
    response = buy(
        client,
        {
            **ml_form,
            "account_user_id": "12ab",
            "account_zone_id": "",
            "email": "nope",
            "whatsapp": "12",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "User ID hanya boleh berisi angka." in page
    assert "Zone ID wajib diisi." in page
    assert "Masukkan nomor WhatsApp yang valid" in page
    assert 'value="12ab"' in page  # what was typed is kept
    assert Order.objects.count() == 0


def field_errors(page: str) -> dict[str, list[str]]:
    """The error messages under each labelled field of a rendered form, by the field's id."""
    blocks = re.findall(r'<div class="field[^"]*">\s*<label for="([^"]+)">(.*?)</div>', page, re.S)
    return {
        field_id: re.findall(r'<p class="field-error" role="alert">(.*?)</p>', block)
        for field_id, block in blocks
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "id",
            {
                "id_account_user_id": "User ID wajib diisi.",
                "id_account_zone_id": "Zone ID wajib diisi.",
            },
        ),
        (
            "en",
            {
                "id_account_user_id": "User ID is required.",
                "id_account_zone_id": "Zone ID is required.",
            },
        ),
    ],
)
def test_an_empty_account_field_gets_one_message_naming_it(client, synced, language, expected):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = buy(client, {"payment_method": "sandbox"})
    assert response.status_code == 400
    errors = field_errors(response.content.decode())
    for field_id, message in expected.items():
        assert errors[field_id] == [message]


@pytest.mark.parametrize(
    ("slug", "form", "field_id", "message"),
    [
        (
            "mobile-legends",
            {"account_user_id": "1" * 25},
            "id_account_user_id",
            "User ID harus 4 sampai 20 karakter.",
        ),
        (
            "genshin-impact",
            {"account_user_id": "812345678", "account_server": "Mars"},
            "id_account_server",
            "Pilih Server dari daftar.",
        ),
    ],
)
def test_a_too_long_or_unlisted_account_value_gets_one_message(
    client, synced, slug, form, field_id, message
):
    response = buy(client, {**form, "payment_method": "sandbox"}, slug=slug)
    assert field_errors(response.content.decode())[field_id] == [message]


@pytest.mark.parametrize("code", ["MLBB_ID_2010", "NO_SUCH", "FF_5"])
def test_inactive_unknown_or_other_games_items_cannot_be_bought(client, synced, ml_form, code):
    response = buy(client, {**ml_form, "variant": code})
    assert response.status_code == 400
    assert "tidak tersedia" in response.content.decode()
    assert Order.objects.count() == 0


def test_retired_item_cannot_be_bought_by_a_crafted_post(client, synced, ml_form):

    Variant.objects.filter(code="MLBB_ID_5").update(retired_at=timezone.now())
    assert buy(client, ml_form).status_code == 400
    assert Order.objects.count() == 0


def test_pay_on_the_sandbox_page_marks_the_order_paid(
    client, synced, ml_form, django_capture_on_commit_callbacks
):
    order_url = buy(client, ml_form)["Location"]
    order = Order.objects.get()
    response = client.post(reverse("orders:pay", args=[order.number]))
    assert response.status_code == 302
    sandbox_url = response["Location"]
    assert client.get(sandbox_url).status_code == 200
    # A reload of "pay" reuses the same attempt.
    assert client.post(reverse("orders:pay", args=[order.number]))["Location"] == sandbox_url
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(sandbox_url, {"action": "pay"})["Location"] == order_url
    assert Order.objects.get().status == S.PAID
    assert Payment.objects.get().status == Payment.Status.PAID
    assert queued_tasks(callbacks) == ["orders.submit_order"]
    assert "Pembayaran diterima" in client.get(order_url).content.decode()


def change_link(client, page: str) -> str:
    """Press "Ubah pesanan" (a POST) on an order page; where it leads."""
    action = re.search(r'<form class="hint" method="post" action="([^"]+)">', page)[1]
    assert "Ubah pesanan</button>" in page
    response = client.post(html.unescape(action))
    assert response.status_code == 302
    return response["Location"]


def test_change_the_order_brings_back_the_account_and_the_item(client, synced, ml_form):
    order_url = buy(client, {**ml_form, "variant": "MLBB_ID_85"})["Location"]
    game = client.get(change_link(client, client.get(order_url).content.decode()))
    page = game.content.decode()
    assert game.status_code == 200 and "private" in game["Cache-Control"]
    assert re.search(r'name="account_user_id" value="123456789"', page)
    assert re.search(r'name="account_zone_id" value="2345"', page)
    assert 'value="MLBB_ID_85" checked' in page
    assert 'value="MLBB_ID_5" checked' not in page


def test_change_the_order_keeps_a_chosen_server(client, synced):
    form = {
        "variant": "GI_60",
        "account_user_id": "812345678",
        "account_server": "Europe",
        "email": "buyer@example.com",
        "payment_method": "sandbox",
    }
    order_url = buy(client, form, slug="genshin-impact")["Location"]
    page = client.get(change_link(client, client.get(order_url).content.decode())).content.decode()
    assert 'value="812345678"' in page
    assert '<option value="Europe" selected>' in page
    assert 'value="GI_60" checked' in page


def test_a_prefilled_game_page_is_never_served_to_anyone_else(client, synced, ml_form):
    url = reverse("catalog:game", args=["mobile-legends"])
    assert "123456789" not in client.get(url).content.decode()  # the plain page, now cached
    order_url = buy(client, ml_form)["Location"]
    prefilled = change_link(client, client.get(order_url).content.decode())
    assert 'value="123456789"' in client.get(prefilled).content.decode()
    for visitor in (client, Client()):
        page = visitor.get(url).content.decode()
        assert "123456789" not in page and "2345" not in page
        assert not re.search(r'name="variant" value="\w+" checked', page)
    # Only the game's own fields come back: nothing else of a query reaches the page.
    page = Client().get(f"{url}?account_email=x%40evil.example&account_user_id=1%22%3E")
    assert "evil.example" not in page.content.decode()
    assert 'value="1&quot;&gt;"' in page.content.decode()


def test_change_the_order_brings_back_the_contact_in_this_browser_only(client, synced, ml_form):
    order_url = buy(client, ml_form)["Location"]
    prefilled = change_link(client, client.get(order_url).content.decode())
    assert "buyer" not in prefilled and "0812" not in prefilled  # not in the URL
    page = client.get(prefilled).content.decode()
    assert re.search(r'name="email" value="buyer@example.com"', page)
    assert re.search(r'name="whatsapp" value="0812-3456-7890"', page)
    other = Client().get(prefilled).content.decode()
    assert 'value="123456789"' in other and "buyer@example.com" not in other
    assert "0812-3456-7890" not in other
    # "Continue" straight away places the changed order with the same contact.
    form = {**ml_form, "variant": "MLBB_ID_85"}
    assert buy(client, form)["Location"] != order_url
    assert Order.objects.order_by("-pk").first().contact_email == "buyer@example.com"


def test_change_the_order_closes_the_unpaid_order_and_its_payment(client, synced, ml_form):
    order_url = buy(client, ml_form)["Location"]
    order = Order.objects.get()
    client.post(reverse("orders:pay", args=[order.number]))
    prefilled = change_link(client, client.get(order_url).content.decode())
    assert prefilled.startswith(reverse("catalog:game", args=["mobile-legends"]) + "?")
    order.refresh_from_db()
    assert order.status == S.EXPIRED
    event = order.events.last()
    assert (event.actor, event.message) == ("customer", "Changed by the customer")
    assert Payment.objects.get().status == Payment.Status.EXPIRED  # cancelled at the provider
    assert "Bayar sekarang" not in client.get(order_url).content.decode()
    assert not Order.objects.filter(status=S.AWAITING_PAYMENT).exists()


def test_change_of_a_paid_order_only_brings_back_the_page(client, synced, ml_form):
    order_url = buy(client, ml_form)["Location"]
    order = Order.objects.get()
    page = client.get(order_url).content.decode()  # still showing "Ubah pesanan"
    sandbox_url = client.post(reverse("orders:pay", args=[order.number]))["Location"]
    client.post(sandbox_url, {"action": "pay"})
    assert change_link(client, page).startswith("/games/mobile-legends/?")
    assert Order.objects.get().status == S.PAID
    assert Payment.objects.get().status == Payment.Status.PAID


def test_change_the_order_is_rate_limited(client, synced, ml_form, settings):
    settings.RATELIMIT_CHECKOUT = "2/h"
    order_url = buy(client, ml_form)["Location"]
    url = reverse("orders:change", args=[order_url.split("/")[2]])
    codes = [client.post(url).status_code for _ in range(4)]
    assert codes == [302, 302, 429, 429]
    assert client.get(url).status_code == 405  # a link or a prefetch closes nothing


def test_expire_on_the_sandbox_page_closes_the_order_without_charge(client, synced, ml_form):
    buy(client, ml_form)
    order = Order.objects.get()
    sandbox_url = client.post(reverse("orders:pay", args=[order.number]))["Location"]
    client.post(sandbox_url, {"action": "expire"})
    assert Order.objects.get().status == S.EXPIRED
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "tidak dikenai biaya" in page


def test_status_fragment_follows_every_transition_then_stops_polling(
    client, synced, ml_form, isipay_client, sandbox
):
    from orders import services

    buy(client, ml_form)
    order = Order.objects.get()
    url = reverse("orders:status", args=[order.number])

    def fragment() -> str:
        return client.get(url).content.decode()

    assert "Bayar sekarang" in fragment() and "hx-trigger" in fragment()
    sandbox_url = client.post(reverse("orders:pay", args=[order.number]))["Location"]
    client.post(sandbox_url, {"action": "pay"})
    assert "Pembayaran diterima" in fragment() and "Bayar sekarang" not in fragment()
    assert services.submit_order(order_id=order.pk, client=isipay_client) == "submitted"
    sandbox.order(order.reference_number).created_at -= 10  # complete at isipay
    assert services.poll_order(order_id=order.pk, client=isipay_client) == "success"
    final = fragment()
    assert "hx-trigger" not in final and "Selesai!" in final


def test_status_fragment_of_an_unknown_order_is_404_and_stores_nothing(client, db):
    from django.core.cache import cache

    from orders.cache import version_key

    response = client.get(reverse("orders:status", args=["GR-NOSUCH00"]))
    assert response.status_code == 404
    assert not cache.has_key(version_key("GR-NOSUCH00"))


def test_unpaid_orders_expire_after_the_payment_timeout(client, synced, ml_form, settings):
    from datetime import timedelta

    from orders import services

    buy(client, ml_form)
    order = Order.objects.get()
    client.post(reverse("orders:pay", args=[order.number]))
    assert services.expire_unpaid() == 0
    Order.objects.filter(pk=order.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.PAYMENT_TIMEOUT + 1)
    )
    assert services.expire_unpaid() == 1
    assert Order.objects.get().status == S.EXPIRED
    assert Payment.objects.get().status == Payment.Status.EXPIRED


def test_lookup_finds_the_order_by_email_or_phone_and_refuses_a_wrong_contact(
    client, synced, ml_form
):
    buy(client, ml_form)
    order = Order.objects.get()
    url = reverse("orders:lookup")
    for contact in ("Buyer@Example.com", "+62 812 3456 7890", "081234567890"):
        response = client.post(url, {"number": order.number.lower(), "contact": contact})
        assert response.status_code == 302, contact
        assert response["Location"] == f"/orders/{order.number}/"
    for number, contact in (
        (order.number, "other@example.com"),
        ("GR-NOTREAL1", "buyer@example.com"),
    ):
        response = client.post(url, {"number": number, "contact": contact})
        assert response.status_code == 400
        assert "Tidak ada pesanan dengan nomor dan kontak tersebut." in response.content.decode()


def test_lookup_is_rate_limited(client, db, settings):
    settings.RATELIMIT_LOOKUP = "3/h"
    url = reverse("orders:lookup")
    codes = [client.post(url, {"number": "GR-X", "contact": "a@b.c"}).status_code for _ in range(5)]
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]


def test_checkout_is_rate_limited(client, synced, ml_form, settings):
    settings.RATELIMIT_CHECKOUT = "2/h"  # an hour: no window boundary mid-test
    codes = [buy(client, ml_form).status_code for _ in range(4)]
    assert codes == [302, 302, 429, 429]
    assert Order.objects.count() == 2


def test_checkout_from_the_cached_game_page_needs_the_visitors_own_token(synced, ml_form):
    url = reverse("catalog:game", args=["mobile-legends"])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', c.get(url).content.decode())[1]
        for c in (first, second)  # the second page comes from the cache
    ]
    assert tokens[0] != tokens[1]
    assert buy(second, ml_form).status_code == 403
    assert buy(second, {**ml_form, "csrfmiddlewaretoken": tokens[1]}).status_code == 302
    assert buy(first, {**ml_form, "csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert Order.objects.count() == 2


def test_language_switch_to_english_and_back(synced):
    # The switch is on every cached page, with no CSRF token in it: it must work without one.
    client = Client(enforce_csrf_checks=True)
    url = reverse("catalog:game", args=["mobile-legends"])
    assert "Pilih item" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    page = client.get(url).content.decode()
    assert "Choose an item" in page and 'lang="en"' in page
    client.post(reverse("set_language"), {"language": "id", "next": url})
    assert "Pilih item" in client.get(url).content.decode()


def test_unknown_order_is_404(client, db):
    assert client.get(reverse("orders:detail", args=["GR-ZZZZZZZZ"])).status_code == 404


def test_indonesian_even_for_an_english_browser_until_the_switch_is_used(client, db):
    page = client.get(reverse("catalog:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Pilih game" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("catalog:home"), HTTP_ACCEPT_LANGUAGE="id")
    assert "Choose a game" in page.content.decode()
