"""Security headers and CSP on every page, admin lockout, rate limits answering 429."""

import re

import pytest
from django.urls import reverse

from storefront.security import client_ip

from ..factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def game():
    return VariantFactory(cost_price=14_000, sell_price=15_000).product


@pytest.fixture
def boss(django_user_model):
    return UserFactory(username="boss", password=PASSWORD, superuser=True)


def page_urls(game) -> list[str]:
    return ["/", reverse("catalog:game", args=[game.slug]), reverse("admin:login"), "/healthz"]


def test_every_page_has_a_content_security_policy_without_inline_script(client, game):
    storefront = [url for url in page_urls(game) if not url.startswith(reverse("admin:index"))]
    for url in [*storefront, "/readyz", "/no-such-page/"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        policy = csp(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["default-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url


def test_the_admin_alone_allows_what_its_theme_needs(client, boss, game):
    """The back office (django-unfold) evaluates Alpine.js expressions and styles attributes;
    only its pages allow that, and still no inline script, plugin or framing."""
    client.force_login(boss)
    for url in [reverse("admin:login"), reverse("admin:index"), reverse("backoffice:dashboard")]:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        policy = csp(response)
        assert policy["script-src"] == ["'self'", "'unsafe-eval'"], url
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
    shop = client.get(reverse("catalog:game", args=[game.slug]))
    assert "'unsafe-eval'" not in shop["Content-Security-Policy"]
    assert "'unsafe-inline'" not in shop["Content-Security-Policy"]


def test_pages_load_scripts_from_static_files_only(client, game, settings):
    for url in page_urls(game)[:3]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), f"inline <script> on {url}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler on {url}"
        for src in re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", html):
            assert src.startswith("/" + settings.STATIC_URL.lstrip("/")), src


def test_security_headers_on_every_page(client, game):
    for url in page_urls(game):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def log_in(client, username: str, password: str, **request) -> int:
    """The answer's status code to one admin login (REMOTE_ADDR=… in `request` for an address)."""
    response = client.post(
        reverse("admin:login"), {"username": username, "password": password}, **request
    )
    return response.status_code


def test_repeated_failed_admin_logins_lock_the_ip_out(client, boss, settings):
    settings.RATELIMIT_ADMIN_LOGIN = "1000/h"
    # Each guess at another user name (one name guessed this often is locked by itself, below).
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, f"admin{n}", "guess") == 200  # the form again, with an error
    assert log_in(client, "root", "guess") == 429

    # Locked out: even the right password does not get in from this address…
    assert log_in(client, "boss", PASSWORD) == 429
    assert "_auth_user_id" not in client.session
    # …while the owner, from another address, still can.
    assert log_in(client, "boss", PASSWORD, REMOTE_ADDR="198.51.100.7") == 302


def test_guesses_at_one_user_name_from_many_ips_lock_that_name(client, boss, settings):
    """Issue 12 item 22: a botnet gets AXES_FAILURE_LIMIT guesses per name, not per address."""
    settings.RATELIMIT_ADMIN_LOGIN = "1000/h"
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "boss", f"guess-{n}", REMOTE_ADDR=f"198.51.100.{n + 1}") == 200
    assert log_in(client, "boss", "guess", REMOTE_ADDR="198.51.100.99") == 429

    # From yet another address, even the right password is refused for that name…
    assert log_in(client, "boss", PASSWORD, REMOTE_ADDR="192.0.2.200") == 429
    assert "_auth_user_id" not in client.session
    # …while another admin still logs in from there.
    UserFactory(username="deputy", password=PASSWORD, superuser=True)
    assert log_in(client, "deputy", PASSWORD, REMOTE_ADDR="192.0.2.200") == 302


def test_a_successful_login_resets_the_failure_count(client, boss, settings):
    settings.RATELIMIT_ADMIN_LOGIN = "1000/h"
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "boss", "password": "guess"})
    assert client.post(url, {"username": "boss", "password": PASSWORD}).status_code == 302
    client.logout()
    assert client.post(url, {"username": "boss", "password": "guess"}).status_code == 200


def test_force_login_still_reaches_the_admin(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_admin_login_is_rate_limited_per_ip_with_a_429_page(client, settings):
    settings.RATELIMIT_ADMIN_LOGIN = "3/h"
    settings.AXES_FAILURE_LIMIT = 100
    url = reverse("admin:login")
    for _ in range(3):
        assert client.post(url, {"username": "x", "password": "y"}).status_code == 200
    response = client.post(url, {"username": "x", "password": "y"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Content-Security-Policy" in response
    assert client.get(url).status_code == 200  # only posts count
    other = client.post(url, {"username": "x", "password": "y"}, REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 200


def test_admin_lives_at_the_configured_path(settings):
    assert reverse("admin:index") == "/" + settings.ADMIN_URL
    assert reverse("admin:login") == f"/{settings.ADMIN_URL}login/"


@pytest.mark.urls("tests.storefront.ratelimit_urls")
def test_a_view_limited_with_block_true_answers_429_not_403(client):
    assert client.get("/limited/").status_code == 200
    assert client.get("/limited/").status_code == 200
    response = client.get("/limited/")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert b"Too many requests" in response.content or b"Terlalu banyak" in response.content


def test_storefront_endpoints_answer_429_over_their_limits(client, game, settings):
    settings.RATELIMIT_CHECKOUT = settings.RATELIMIT_LOOKUP = settings.RATELIMIT_WEBHOOK = "2/h"
    endpoints = [
        (reverse("orders:checkout", args=[game.slug]), {}),
        (reverse("orders:lookup"), {"number": "GR-00000000", "contact": "a@b.example"}),
        (reverse("payments:midtrans-notify"), {}),
    ]
    for url, data in endpoints:
        for _ in range(2):
            assert client.post(url, data).status_code != 429, url
        assert client.post(url, data).status_code == 429, url


def test_behind_a_proxy_each_customer_has_their_own_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATELIMIT_LOOKUP = "1/h"
    url = reverse("orders:lookup")
    data = {"number": "GR-00000000", "contact": "a@b.example"}
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code != 429
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code == 429
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy).status_code != 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.1", "10.0.0.9"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.1, 172.18.0.2", "203.0.113.1"),
        (2, "203.0.113.1", "10.0.0.9"),  # fewer hops than proxies: not through them
        (1, "not-an-ip", "10.0.0.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
