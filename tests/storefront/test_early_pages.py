"""A guest's cached page served before most of the middleware (storefront/earlypages.py) is
the same answer the whole stack gives: every header, the host check, the language, each
visitor's own CSRF token; and a member or a pending message never gets the guests' copy."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse

from ..factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

PROXY = {"X-Forwarded-Proto": "https"}  # as from the TLS proxy in production


@pytest.fixture(autouse=True)
def production_security(settings):
    """The headers a production shop sends (DEBUG is on in tests, which turns them off)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.CSRF_COOKIE_SECURE = True


@pytest.fixture
def game():
    return VariantFactory(cost_price=14_000, sell_price=15_000).product


def served_early(response) -> bool:
    """The session middleware never saw the request: it was answered before it."""
    return not hasattr(response.wsgi_request, "session")


def get(url: str, client: Client | None = None, **headers):
    return (client or Client()).get(url, headers={**PROXY, **headers})


def page_urls(game) -> list[str]:
    return ["/", reverse("catalog:game", args=[game.slug])]


def test_a_guests_cached_page_comes_early_with_every_header_of_the_whole_stack(game):
    for url in page_urls(game):
        full = get(url)  # rendered and stored through the whole stack
        early = get(url)
        assert not served_early(full) and served_early(early), url
        assert full.status_code == early.status_code == 200
        assert dict(early.headers) == dict(full.headers), url
        assert early["X-Frame-Options"] == "DENY"
        assert "Cookie" in early["Vary"]
        assert "max-age=3600" in early["Strict-Transport-Security"]
        assert "frame-ancestors 'none'" in early["Content-Security-Policy"]
        assert early.cookies.keys() == full.cookies.keys(), url


def test_a_host_not_allowed_gets_400_not_the_cached_page(game):
    url = reverse("catalog:game", args=[game.slug])
    assert get(url).status_code == 200  # stored
    response = get(url, Host="attacker.example")
    assert response.status_code == 400
    assert game.title not in response.content.decode()


def test_plain_http_is_still_redirected_to_https(game):
    url = reverse("catalog:game", args=[game.slug])
    get(url)
    response = Client().get(url)
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_each_guest_gets_the_page_in_the_language_they_chose(game):
    url = reverse("catalog:game", args=[game.slug])
    indonesian = get(url)  # stores the Indonesian page only
    english = Client()
    english.cookies["django_language"] = "en"
    first = get(url, english)
    again = get(url, english)
    assert served_early(again) and again["Content-Language"] == "en"
    assert again.content == first.content.replace(_token(first).encode(), _token(again).encode())
    assert first.content != indonesian.content.replace(
        _token(indonesian).encode(), _token(first).encode()
    )
    assert get(url)["Content-Language"] == "id"


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_a_new_visitor_early_gets_their_own_csrf_token_and_cookie_and_can_post(game):
    url = reverse("catalog:game", args=[game.slug])
    get(url)
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one, page_two = get(url, one), get(url, two)
    assert served_early(page_one) and served_early(page_two)
    secrets = [page.cookies["csrftoken"].value for page in (page_one, page_two)]
    assert secrets[0] != secrets[1]
    assert _unmask_cipher_token(_token(page_one)) == secrets[0]
    assert page_one.cookies["csrftoken"]["secure"]
    # The form on the page posts: the token is accepted (the form itself is incomplete: 400).
    buy = reverse("orders:checkout", args=[game.slug])
    same_site = {"Origin": "https://testserver"}
    data = {"csrfmiddlewaretoken": _token(page_one)}
    assert one.post(buy, data, secure=True, headers=same_site).status_code == 400
    refused = two.post(buy, data, secure=True, headers=same_site)
    assert refused.status_code == 403


def test_a_returning_visitor_keeps_their_csrf_secret(game):
    url = reverse("catalog:game", args=[game.slug])
    visitor = Client()
    first = get(url, visitor)
    again = get(url, visitor)
    assert served_early(again)
    secret = first.cookies["csrftoken"].value
    assert _unmask_cipher_token(_token(again)) == secret


def test_a_member_never_gets_the_guests_page(game):
    member = UserFactory(email="budi@example.com")
    url = reverse("catalog:game", args=[game.slug])
    guest_page = get(url)
    client = Client()
    client.force_login(member)
    response = get(url, client)
    assert not served_early(response)
    assert response.wsgi_request.user == member
    assert "private" in response["Cache-Control"]
    assert "private" not in guest_page.get("Cache-Control", "")


def test_a_pending_message_is_shown_not_the_cached_page(game):
    url = reverse("catalog:game", args=[game.slug])
    get(url)
    storage = CookieStorage(RequestFactory().get("/"))
    client = Client()
    client.cookies["messages"] = storage._encode(
        [Message(constants.ERROR, "Item ini sudah tidak tersedia")]
    )
    response = get(url, client)
    assert not served_early(response)
    assert "Item ini sudah tidak tersedia" in response.content.decode()


def test_a_query_string_goes_down_the_whole_stack(game):
    url = reverse("catalog:game", args=[game.slug])
    get(url)
    response = get(url + "?item=" + game.variants.first().code)
    assert not served_early(response) and "private" in response["Cache-Control"]
