"""Searching games on the home page: by any part of the name, the code or an alias."""

import importlib
import json
import re

import pytest
from django.apps import apps
from django.urls import reverse

from catalog import services
from catalog.models import Product

from ..backoffice.roles import MANAGER, logged_in, staff
from ..factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def found(client, query: str) -> list[str]:
    """The games the home page lists for a search, by slug."""
    page = client.get(reverse("catalog:home"), {"q": query}).content.decode()
    return re.findall(r'class="game-tile" href="/games/([\w-]+)/"', page)


@pytest.mark.parametrize(
    ("query", "games"),
    [
        ("ml", ["mobile-legends"]),
        ("MLBB", ["mobile-legends"]),
        ("ff", ["free-fire"]),
        ("FF", ["free-fire"]),
        ("genshin", ["genshin-impact"]),
        ("Genshin Imp", ["genshin-impact"]),
        ("pubgm", ["pubg-mobile"]),
        ("HSR", ["honkai-star-rail"]),
        ("codm", ["call-of-duty-mobile"]),
        ("mcgg", ["magic-chess-go-go"]),
        ("legends", ["mobile-legends"]),
    ],
)
def test_search_finds_games_by_part_of_name_code_or_alias(client, synced, query, games):
    assert found(client, query) == games


def test_a_nonsense_search_finds_nothing_and_says_so(client, synced):
    response = client.get(reverse("catalog:home"), {"q": "qqzx"})
    assert found(client, "qqzx") == []
    assert "Tidak ada game" in response.content.decode()


def test_aliases_edited_in_admin_are_searched_and_survive_a_sync(
    client, synced, isipay_client, sandbox
):
    product = Product.objects.get(code="free-fire")
    manager_client = logged_in(staff("manager", MANAGER))
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = manager_client.get(url)
    assert 'name="search_aliases"' in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.pop("icon")
    data.update(
        search_aliases="garena ffmax",
        is_listed="on",
        account_fields=json.dumps(product.account_fields),
    )
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert found(client, "garena") == ["free-fire"]
    sandbox.catalog["free-fire"].name = "Free Fire (renamed at isipay)"
    services.sync_catalog(client=isipay_client)
    saved = Product.objects.get(pk=product.pk)
    assert saved.name == "Free Fire (renamed at isipay)"
    assert saved.search_aliases == "garena ffmax"
    assert found(client, "garena") == ["free-fire"]


def test_games_already_synced_get_the_default_aliases_and_owners_keep_theirs(db):
    migration = importlib.import_module("catalog.migrations.0004_seed_search_aliases")
    by_code = ProductFactory(code="mobile-legends", name="Mobile Legends")
    by_name = ProductFactory(code="HSR-ID", name="Honkai: Star Rail")
    owned = ProductFactory(code="free-fire", name="Free Fire", search_aliases="garena")
    unknown = ProductFactory(code="some-game", name="Some Game")
    migration.seed_aliases(apps, None)
    aliases = dict(Product.objects.values_list("pk", "search_aliases"))
    assert aliases[by_code.pk] == "ML, MLBB"
    assert aliases[by_name.pk] == "HSR, Honkai"
    assert aliases[owned.pk] == "garena"
    assert aliases[unknown.pk] == ""


def test_search_takes_as_many_queries_as_the_home_page_whatever_the_catalog_size(
    client, count_queries
):
    VariantFactory.create_batch(10, product=ProductFactory(search_aliases="ML, MLBB"))
    home = count_queries(client, reverse("catalog:home"), fresh=True)
    search = count_queries(client, reverse("catalog:home") + "?q=ml", fresh=True)
    for _ in range(100):
        VariantFactory(product=ProductFactory())
    assert count_queries(client, reverse("catalog:home") + "?q=ml", fresh=True) == search <= home
