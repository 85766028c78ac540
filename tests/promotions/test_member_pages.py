"""Members' game and home pages are cached per tier, sale state and language, never per
person: nothing of one member ever reaches another, and a member never gets a guest's page or
another tier's prices."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import SavedGameAccount
from promotions.models import CustomerTier
from promotions.services import set_tier
from wallet import services as wallet
from wallet.models import LedgerEntry

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def ana_and_budi(make_customer, tiers, item):
    """Two members of the Member tier, each with a name, a balance and a saved game account."""
    people = []
    for first, email, balance, account in (
        ("Ana", "ana.rahasia@example.com", 123_457, "555111222"),
        ("Budi", "budi.rahasia@example.com", 987_653, "777333444"),
    ):
        user = make_customer(email, tier=tiers["Member"])
        user.first_name, user.last_name = first, "Santoso"
        user.save()
        wallet.credit(user=user, amount=balance, kind=LedgerEntry.Kind.DEPOSIT, cause=email)
        SavedGameAccount.objects.create(
            user=user,
            product=item.product,
            account={"user_id": account},
            account_key=account,
            label=f"Akun {first}",
        )
        people.append((user, [first, email, "123.457" if first == "Ana" else "987.653", account]))
    return people


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_members_of_a_tier_share_one_page_with_nothing_of_each_other(
    ana_and_budi, item, django_assert_max_num_queries
):
    (ana, ana_details), (budi, budi_details) = ana_and_budi
    url = reverse("catalog:game", args=[item.product.slug])
    ana_client, budi_client = _logged_in(ana), _logged_in(budi)
    first = ana_client.get(url)
    # Cached: reading the session, the user and their tier, nothing more.
    with django_assert_max_num_queries(3):
        second = budi_client.get(url)
    pages = {"ana": first.content.decode(), "budi": second.content.decode()}
    for name, details in (("ana", budi_details), ("budi", ana_details)):
        page = pages[name]
        assert "Rp 107.000" in page and "Rp 110.000" not in page  # the Member tier's price
        for detail in details:
            assert detail not in page, f"{name}'s page shows {detail}"
    for page in pages.values():  # nor anyone's own: nothing personal is on the page
        for detail in ana_details + budi_details:
            assert detail not in page
        assert reverse("accounts:home") in page and reverse("account_login") not in page
    # Each gets their own CSRF token, which their own form posts with.
    tokens = [CSRF.search(page).group(1) for page in pages.values()]
    assert tokens[0] != tokens[1] and "csrf-" not in pages["budi"]
    for response in (first, second):
        assert "private" in response["Cache-Control"] and "Cookie" in response["Vary"]


def test_a_member_never_gets_a_guests_page_nor_another_tiers_prices(
    client, item, tiers, make_customer
):
    url = reverse("catalog:game", args=[item.product.slug])
    guest = client.get(url).content.decode()
    assert "Rp 110.000" in guest and "Member: Rp 107.000" in guest
    assert reverse("account_login") in guest and "Saldo akun" not in guest
    prices = {
        "Umum": make_customer("umum@example.com"),  # no tier of their own: the default
        "Member": make_customer("member@example.com", tier=tiers["Member"]),
        "Gold": make_customer("gold@example.com", tier=tiers["Gold"]),
    }
    expected = {"Umum": "Rp 110.000", "Member": "Rp 107.000", "Gold": "Rp 105.000"}
    for _ in range(2):  # rendered, then from the cache
        for tier, user in prices.items():
            page = _logged_in(user).get(url).content.decode()
            shown = {price for price in expected.values() if price in page}
            assert shown == {expected[tier]}, tier
            assert "Member:" not in page and "Saldo akun" in page
            assert reverse("accounts:home") in page
    guest = Client().get(url).content.decode()  # guests still get theirs
    assert "Member: Rp 107.000" in guest and reverse("account_login") in guest


def test_logging_out_and_in_switches_the_page(client, item, tiers, make_customer):
    url = reverse("catalog:game", args=[item.product.slug])
    home = reverse("catalog:home")
    member = make_customer("member@example.com", tier=tiers["Member"])
    gold = make_customer("gold@example.com", tier=tiers["Gold"])
    for _ in range(2):
        assert "Member: Rp 107.000" in client.get(url).content.decode()
        assert reverse("account_login") in client.get(home).content.decode()
        client.force_login(member)
        page = client.get(url).content.decode()
        assert "Rp 107.000" in page and "Member:" not in page
        member_home = client.get(home)
        assert reverse("accounts:home") in member_home.content.decode()
        assert "private" in member_home["Cache-Control"]
        client.logout()
        page = client.get(url)
        assert "Member: Rp 107.000" in page.content.decode()
        assert "private" not in page.get("Cache-Control", "")
        client.force_login(gold)
        assert "Rp 105.000" in client.get(url).content.decode()
        client.logout()


def test_a_members_new_tier_shows_at_once(
    item, tiers, make_customer, django_capture_on_commit_callbacks
):
    member = make_customer("member@example.com", tier=tiers["Member"])
    client = _logged_in(member)
    url = reverse("catalog:game", args=[item.product.slug])
    for _ in range(2):  # rendered, then from the cache (the tier remembered in its cookie)
        assert "Rp 107.000" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        set_tier(user=member, tier=tiers["Gold"])  # upgraded by hand in the back office
    page = client.get(url).content.decode()
    assert "Rp 105.000" in page and "Rp 107.000" not in page
    with django_capture_on_commit_callbacks(execute=True):
        CustomerTier.objects.get(user=member).delete()  # back to the default tier
    page = client.get(url).content.decode()
    assert "Rp 110.000" in page and "Rp 105.000" not in page


def test_a_cached_home_page_costs_a_member_the_session_user_and_tier(
    item, tiers, make_customer, django_assert_max_num_queries
):
    home = reverse("catalog:home")
    _logged_in(make_customer("a@example.com", tier=tiers["Member"])).get(home)
    second = _logged_in(make_customer("b@example.com", tier=tiers["Member"]))
    with django_assert_max_num_queries(3):
        page = second.get(home)
    assert "a@example.com" not in page.content.decode()
    assert "b@example.com" not in page.content.decode()


def test_a_members_pending_message_is_shown_to_them_and_never_cached(item, member, make_customer):
    url = reverse("catalog:game", args=[item.product.slug])
    client = _logged_in(member)
    client.get(url)  # the tier's page is cached
    text = "This item is not available any more. Choose another."
    cookie = CookieStorage(RequestFactory().get(url))._encode([Message(constants.ERROR, text)])
    client.cookies["messages"] = cookie
    shown = client.get(url)
    assert text in shown.content.decode() and "private" in shown["Cache-Control"]
    other = _logged_in(make_customer("other@example.com", tier=member.customer_tier.tier))
    assert text not in other.get(url).content.decode()
    assert text not in client.get(url).content.decode()  # shown once


def test_a_bought_tier_above_the_spend_tier_prices_the_cached_page_as_checkout_does(
    make_customer, tiers, item
):
    """The page's tier is the one checkout quotes at: the higher of the bought and the
    reached tier (a page at the lower one would end every checkout in "price changed")."""
    from django.utils import timezone

    from promotions.quote import quote

    customer = make_customer("gold.dibeli@example.com", tier=tiers["Member"])
    CustomerTier.objects.filter(user=customer).update(bought_tier=tiers["Gold"])
    checkout_price = quote(item, customer=customer, now=timezone.now()).total
    member_price = quote(item, customer=None, now=timezone.now(), tier=tiers["Member"]).total
    assert checkout_price < member_price
    url = reverse("catalog:game", args=[item.product.slug])
    for _ in range(2):  # rendered, then from the cache
        page = _logged_in(customer).get(url).content.decode()
        assert f'data-price="{checkout_price}"' in page
        assert f'data-price="{member_price}"' not in page
