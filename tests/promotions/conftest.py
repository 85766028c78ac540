from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User

from promotions.models import CustomerTier, Tier
from tests.factories import ProductFactory, VariantFactory


def seed_tiers() -> None:
    """The tiers migration promotions 0002 seeds (again, after a transactional test flushed
    them): Umum, Member 7 %, Gold 5 %, Reseller 3 %."""
    import_module("promotions.migrations.0002_seed_tiers").seed(django_apps, None)


@pytest.fixture(autouse=True)
def indonesian():
    """Services' refusals are read in the site's language, whatever an earlier test's request
    left active in this thread (tests/orders/test_checkout.py asks for English)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def tiers(db) -> dict[str, Tier]:
    seed_tiers()
    return {tier.name: tier for tier in Tier.objects.all()}


@pytest.fixture
def make_customer(db):
    def make(email="budi@example.com", tier: Tier | None = None) -> User:
        user = User.objects.create_user(username=email.split("@")[0], email=email, password="x")
        if tier is not None:
            CustomerTier.objects.create(user=user, tier=tier)
        return user

    return make


@pytest.fixture
def member(make_customer, tiers) -> User:
    return make_customer("member@example.com", tier=tiers["Member"])


@pytest.fixture
def item(db):
    """Cost 100.000; Umum's default rule (10 %) makes 110.000, Member's (7 %) 107.000."""
    product = ProductFactory(name="Mobile Legends", slug="mobile-legends-x")
    return VariantFactory(
        product=product, cost_price=100_000, sell_price=110_000, name="86 Diamonds"
    )


@pytest.fixture
def plain_game(item):
    """The item's game with one account field (User ID), as checkout asks for it."""
    item.product.account_fields = [{"name": "user_id", "label": "User ID", "kind": "digits"}]
    item.product.save()
    return item
