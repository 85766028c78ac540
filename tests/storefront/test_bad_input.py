"""Every public URL and form, fed NUL bytes, control characters, over-long and invalid UTF-8
input: a 4xx (or the page as usual), never a 500 and never an ERROR log line.

PostgreSQL refuses a NUL in a string ("A string literal cannot contain NUL characters"), so
this test matters most there: CI runs it on PostgreSQL (DATABASE_URL).
"""

import json
import logging
from urllib.parse import quote_from_bytes

import pytest
from django.conf import settings as django_settings

from catalog.models import Variant
from orders import services as order_services
from payments import services as payments

pytestmark = [
    pytest.mark.django_db,
    # Django warns that a key this long would not do for memcached; the shop uses Redis.
    pytest.mark.filterwarnings("ignore::django.core.cache.CacheKeyWarning"),
]

# Raw bytes, percent-encoded into paths, query strings and form bodies as they are.
BAD = {
    "nul": b"GR-\x00",
    "nul-only": b"\x00",
    "control": b"GR-\x01\x08\x0b\x1b\x7f",
    "newline": b"GR-1\r\nX-Injected: 1",
    "over-long": b"GR-" + b"9" * 10_000,
    "just-too-long": b"GR-" + b"9" * 253,
    "invalid-utf8": b"GR-\xff\xfe\xc3(",
    "overlong-utf8-nul": b"GR-\xc0\x80",
}


def enc(raw: bytes) -> str:
    return quote_from_bytes(raw, safe="")


@pytest.fixture
def shop(synced, settings):
    """A synced catalog, one order awaiting payment with a sandbox attempt, Midtrans on."""
    settings.RATELIMIT_ENABLE = False  # rate limits have their own tests
    settings.PAYMENT_PROVIDERS = ["sandbox", "midtrans"]
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-bad-input-test"
    order = order_services.create_order(
        variant=Variant.objects.select_related("product").get(code="MLBB_ID_5"),
        account={"user_id": "123456789", "zone_id": "2345"},
        contact_email="buyer@example.com",
    )
    payment = payments.start_payment(order=order)
    return {"order": order, "payment": payment, "slug": order.variant.product.slug}


def requests_for(shop: dict, raw: bytes):
    """(method, path, body or None, content type): each public URL with `raw` in each input."""
    bad = enc(raw)
    number, slug, ref = shop["order"].number, shop["slug"], shop["payment"].reference
    form = "application/x-www-form-urlencoded"
    checkout = {
        "variant": "MLBB_ID_5",
        "account_user_id": "123456789",
        "account_zone_id": "2345",
        "email": "a@b.example",
        "whatsapp": "",
        "payment_method": "sandbox",
    }
    yield "GET", f"/?q={bad}", None, None
    yield "GET", f"/{bad}/", None, None
    yield "GET", f"/games/{bad}/", None, None
    yield "GET", f"/games/{slug}/?item={bad}", None, None
    yield "GET", f"/games/{slug}/?{bad}={bad}", None, None
    for field in checkout:
        body = "&".join(
            f"{k}={bad if k == field else enc(v.encode())}" for k, v in checkout.items()
        )
        yield "POST", f"/games/{slug}/buy/", body, form
    yield "POST", f"/games/{bad}/buy/", "variant=MLBB_ID_5", form
    for suffix in ("", "status/"):
        yield "GET", f"/orders/{bad}/{suffix}", None, None
        yield "GET", f"/orders/{number}/{suffix}?v={bad}", None, None
    yield "POST", f"/orders/{bad}/pay/", "", form
    yield "POST", f"/orders/{number}/pay/", f"provider={bad}", form
    yield "GET", f"/orders/lookup/?number={bad}", None, None
    yield "POST", "/orders/lookup/", f"number={bad}&contact=a%40b.example", form
    yield "POST", "/orders/lookup/", f"number={number}&contact={bad}", form
    yield "POST", "/i18n/setlang/", f"language={bad}&next=/", form
    yield "POST", "/i18n/setlang/", f"language=en&next=/{bad}", form
    yield "GET", f"/payments/sandbox/{bad}/", None, None
    yield "POST", f"/payments/sandbox/{bad}/", "action=pay", form
    yield "POST", f"/payments/sandbox/{ref}/", f"action={bad}", form
    yield "POST", f"/{django_settings.ADMIN_URL}login/", f"username={bad}&password={bad}", form
    text = raw.decode("utf-8", "replace") if b"\xff" not in raw else raw.decode("latin-1")
    for key in (
        "order_id",
        "transaction_status",
        "status_code",
        "gross_amount",
        "signature_key",
        "transaction_id",
    ):
        notification = {
            "order_id": ref,
            "transaction_status": "settlement",
            "status_code": "200",
            "gross_amount": "1000.00",
            "signature_key": "0" * 128,
            key: text,
        }
        yield "POST", "/payments/midtrans/notify/", json.dumps(notification), "application/json"
    yield "POST", "/payments/midtrans/notify/", raw, "application/json"
    yield "GET", f"/healthz?{bad}", None, None


@pytest.mark.parametrize("kind", BAD)
def test_no_public_url_or_form_answers_500(client, shop, kind, caplog):
    caplog.set_level(logging.INFO)
    client.raise_request_exception = False
    failures = []
    for method, path, body, content_type in requests_for(shop, BAD[kind]):
        caplog.clear()
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=body, content_type=content_type)
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        if response.status_code >= 500 or errors:
            failures.append((method, path[:80], str(body)[:200], response.status_code, errors))
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize("kind", ["nul", "nul-only"])
def test_a_cookie_with_nul_is_ignored_not_a_500(client, shop, kind, caplog):
    bad = BAD[kind].decode() + "abcdefgh12345678"
    for name in (
        django_settings.SESSION_COOKIE_NAME,
        django_settings.CSRF_COOKIE_NAME,
        django_settings.LANGUAGE_COOKIE_NAME,
    ):
        client.cookies[name] = bad
        for path in ("/", f"/orders/{shop['order'].number}/", "/orders/lookup/"):
            assert client.get(path).status_code == 200, (name, path)
        del client.cookies[name]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("path", ["/?q=%00", "/orders/GR-%00/", "/orders/GR-%00/status/"])
def test_the_reported_nul_urls_are_400_or_404(client, shop, path):
    assert client.get(path).status_code in (400, 404)
