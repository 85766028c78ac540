import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from tests.orders.conftest import place_order  # noqa: F401  (the paid sandbox order fixture)

from .roles import MANAGER, SUPPORT, logged_in, staff


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """A cache of the test's own: the dashboard's cached balance never leaks between tests."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bo"},
    }
    cache.clear()


@pytest.fixture
def manager(db) -> User:
    return staff("manager", MANAGER)


@pytest.fixture
def support(db) -> User:
    return staff("support", SUPPORT)


@pytest.fixture
def manager_client(manager) -> Client:
    return logged_in(manager)


@pytest.fixture
def support_client(support) -> Client:
    return logged_in(support)


@pytest.fixture
def groupless_client(db) -> Client:
    """Staff, so admin lets them in, but in no group: no permission at all."""
    return logged_in(staff("groupless"))
