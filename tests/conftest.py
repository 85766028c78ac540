import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.backends.signals import connection_created

from isipay import IsipayClient
from isipay.sandbox import SandboxServer
from storefront.pagecache import forget_local_copies

SANDBOX_TOKEN = "sandbox-token"


def pytest_sessionstart(session):
    # In CI the suite must run against the real services, never quietly without them.
    if os.environ.get("CI") and not (
        os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")
    ):
        raise pytest.UsageError("CI must set DATABASE_URL and REDIS_URL (see .ci/run)")
    connection_created.connect(_let_the_worker_yield_in_a_deadlock)


def _let_the_worker_yield_in_a_deadlock(sender, connection, **kwargs):
    """Integration tests run a real worker (with beat's sweepers) beside the test's own
    queries and its TRUNCATE at teardown. When the two deadlock, PostgreSQL aborts whichever
    waited deadlock_timeout first: let that be the worker (its task is simply run again by the
    next beat tick), never the test. Needs a superuser, as CI's is; elsewhere nothing changes."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET deadlock_timeout = '10s'")
    except DatabaseError:
        pass


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with empty caches (pages, versions, rate-limit counters)."""
    cache.clear()
    forget_local_copies()
    yield
    cache.clear()
    forget_local_copies()


# Pages whose query count is pinned stay far below this; a change that makes one run a query
# per row fails here at once, before any comparison of counts.
QUERY_CEILING = 30


@pytest.fixture
def count_queries(django_assert_max_num_queries):
    """`count_queries(client, url)`: how many queries a GET of `url` runs (it must answer 200),
    failing above `ceiling`. With `fresh`, caches are emptied first: what a changed catalog costs.
    """

    def count(client, url: str, *, ceiling: int = QUERY_CEILING, fresh: bool = False) -> int:
        if fresh:
            cache.clear()
            forget_local_copies()
        with django_assert_max_num_queries(ceiling) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    return count


@pytest.fixture
def sandbox(settings):
    """A live isipay sandbox on a free port, with fast order progression; the shop points at it."""
    with SandboxServer(token=SANDBOX_TOKEN, pending_seconds=0.1, complete_seconds=0.3) as server:
        settings.ISIPAY_BASE_URL, settings.ISIPAY_API_TOKEN = server.url, SANDBOX_TOKEN
        yield server


@pytest.fixture
def isipay_client(sandbox):
    return IsipayClient(base_url=sandbox.url, token=SANDBOX_TOKEN, timeout=2, connect_timeout=1)


@pytest.fixture
def uses_postgres():
    return django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def synced(db, isipay_client):
    """The sandbox's demo catalog, mirrored."""
    from catalog import services as catalog_services

    catalog_services.sync_catalog(client=isipay_client)
