"""A member's page tier is remembered in a signed cookie bound to their session: their cached
game and home pages then cost no database read, and the cookie is worth nothing anywhere
else, forged, too old, or once any tier changes."""

import time
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from promotions import tier_cookie
from promotions.services import recompute_tiers, set_tier


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def game_url(item):
    return reverse("catalog:game", args=[item.product.slug])


def test_a_members_next_pages_read_nothing_from_the_database(
    member, game_url, django_assert_num_queries
):
    client = _logged_in(member)
    first = client.get(game_url)
    assert tier_cookie.COOKIE_NAME in first.cookies
    assert first.cookies[tier_cookie.COOKIE_NAME]["httponly"]
    client.get(reverse("catalog:home"))
    with django_assert_num_queries(0):
        page = client.get(game_url)
        home = client.get(reverse("catalog:home"))
    assert "Rp 107.000" in page.content.decode() and "Member:" not in page.content.decode()
    assert reverse("accounts:home") in home.content.decode()
    for response in (page, home):
        assert "private" in response["Cache-Control"] and "Cookie" in response["Vary"]


def test_the_cookie_is_worth_nothing_in_another_session(member, make_customer, game_url):
    """Copied into a guest's browser, or into another member's session, it is ignored: each
    sees their own prices."""
    cookie = _logged_in(member).get(game_url).cookies[tier_cookie.COOKIE_NAME].value
    guest = Client()
    guest.cookies[tier_cookie.COOKIE_NAME] = cookie
    page = guest.get(game_url).content.decode()
    assert "Member: Rp 107.000" in page and reverse("account_login") in page
    plain = _logged_in(make_customer("umum@example.com"))  # the default tier
    plain.cookies[tier_cookie.COOKIE_NAME] = cookie
    page = plain.get(game_url).content.decode()
    assert "Rp 110.000" in page and "Rp 107.000" not in page


def test_a_forged_or_too_old_cookie_is_not_believed(
    member, tiers, make_customer, game_url, settings
):
    """A cookie naming the Reseller tier for a Umum customer's own session: made with another
    key, it is ignored; made right but older than TIER_COOKIE_MAX_AGE, too."""
    customer = make_customer("umum@example.com")
    client = _logged_in(customer)
    client.get(game_url)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    claim = [
        tier_cookie._binding(session),
        tier_cookie.customer_tiers_version(),
        True,
        tiers["Reseller"].pk,
    ]
    client.cookies[tier_cookie.COOKIE_NAME] = signing.dumps(
        claim, key="not-the-shops-secret-key-0123456789abcdef", salt=tier_cookie.SALT
    )
    assert "Rp 110.000" in client.get(game_url).content.decode()
    with mock.patch(
        "django.core.signing.time.time",
        return_value=time.time() - settings.TIER_COOKIE_MAX_AGE - 5,
    ):
        old = signing.dumps(claim, salt=tier_cookie.SALT)
    client.cookies[tier_cookie.COOKIE_NAME] = old
    page = client.get(game_url).content.decode()
    assert "Rp 110.000" in page and "Rp 103.000" not in page
    # The same claim made now would be believed: the refusals above are the key and the age.
    client.cookies[tier_cookie.COOKIE_NAME] = signing.dumps(claim, salt=tier_cookie.SALT)
    assert "Rp 103.000" in client.get(game_url).content.decode()


def test_a_tier_reached_by_spend_or_lost_shows_at_once(
    member, tiers, game_url, django_capture_on_commit_callbacks
):
    client = _logged_in(member)
    for _ in range(2):
        assert "Rp 107.000" in client.get(game_url).content.decode()
    set_tier(user=member, tier=tiers["Member"], source="spend")  # reached by spend...
    with django_capture_on_commit_callbacks(execute=True):
        recompute_tiers()  # ...and lost: no spend in the period, back to the default tier
    page = client.get(game_url).content.decode()
    assert "Rp 110.000" in page and "Rp 107.000" not in page


def test_a_guest_with_a_session_is_remembered_as_a_guest_until_they_log_in(
    member, game_url, settings
):
    client = Client()
    session = client.session  # a guest's session (e.g. the contact they typed at checkout)
    session["seen"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert "Member: Rp 107.000" in client.get(game_url).content.decode()
    client.force_login(member)  # a new session key: the remembered "guest" goes with the old
    page = client.get(game_url).content.decode()
    assert "Rp 107.000" in page and "Member:" not in page


def test_a_session_ended_elsewhere_never_leaves_its_page_to_the_tier(
    member, make_customer, tiers, game_url
):
    """The remembered tier outlives the session (password changed on another device): the
    page that visitor gets on a cache miss is theirs alone, and the tier's members still get
    a member's page (their Account link, paying from the balance)."""
    from django.contrib.sessions.models import Session

    from storefront.pagecache import forget_local_copies

    client = _logged_in(member)
    client.get(game_url)
    Session.objects.all().delete()  # every session ended on the server
    forget_local_copies()  # a cache miss: the catalog moved, or the page was evicted
    page = client.get(game_url)
    assert reverse("account_login") in page.content.decode()
    assert "private" in page["Cache-Control"]
    other = _logged_in(make_customer("other@example.com", tier=tiers["Member"]))
    theirs = other.get(game_url).content.decode()
    assert reverse("accounts:home") in theirs and reverse("account_login") not in theirs
    assert "Saldo akun" in theirs and "Rp 107.000" in theirs
