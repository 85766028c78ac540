"""Form fuzzing: whatever a client sends to checkout or lookup, it gets a 4xx with a message."""

import random

import pytest
from django.urls import reverse

from orders.models import Order

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e9",
    "９８７６５４",
    "١٢٣٤",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "💎💎💎",
    "x" * 5000,
    "\n\r\t",
    "%s%s%n",
    "{user_id}",
    "../../etc/passwd",
    "MLBB_ID_5\x00",
    "null",
    "[]",
    "{}",
    "GR-",
    "GR-" + "Z" * 300,
    "@",
    "a@",
    "@b.c",
]
CHECKOUT_FIELDS = [
    "variant",
    "account_user_id",
    "account_zone_id",
    "email",
    "whatsapp",
    "payment_method",
]
GOOD = {
    "variant": "MLBB_ID_5",
    "account_user_id": "123456789",
    "account_zone_id": "2345",
    "email": "buyer@example.com",
    "whatsapp": "",
    "payment_method": "sandbox",
}


@pytest.fixture
def no_rate_limit(settings):
    settings.RATELIMIT_ENABLE = False  # rate limits have their own tests


def test_checkout_never_answers_500(client, synced, no_rate_limit):
    rng = random.Random(20261125)
    url = reverse("orders:checkout", args=["mobile-legends"])
    for _ in range(300):
        form = dict(GOOD)
        for field in rng.sample(CHECKOUT_FIELDS, rng.randint(1, 3)):
            choice = rng.random()
            if choice < 0.15:
                form.pop(field)
            elif choice < 0.25:
                form[field] = [rng.choice(NASTY), rng.choice(NASTY)]
            else:
                form[field] = rng.choice(NASTY)
        response = client.post(url, form)
        assert response.status_code in (302, 400), (form, response.status_code)
        if response.status_code == 400:
            page = response.content.decode()
            assert 'role="alert"' in page, form  # a message says what to fix
            assert "<script>alert(1)</script>" not in page
    assert Order.objects.exclude(variant__code="MLBB_ID_5").count() == 0


def test_lookup_never_answers_500(client, db, no_rate_limit):
    rng = random.Random(7)
    url = reverse("orders:lookup")
    for _ in range(200):
        form = {"number": rng.choice(NASTY), "contact": rng.choice(NASTY)}
        if rng.random() < 0.2:
            form.pop(rng.choice(["number", "contact"]))
        response = client.post(url, form)
        assert response.status_code == 400, form
        assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/games/%00/",
        "/games/no-such-game/buy/",
        "/orders/%3Cscript%3E/",
        "/orders/GR-X/status/",
        "/payments/sandbox/nope/",
        "/orders/GR-X/pay/",
    ],
)
def test_bad_urls_are_4xx(client, db, path):
    assert 400 <= client.get(path).status_code < 500
    assert 400 <= client.post(path).status_code < 500
