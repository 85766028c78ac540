"""A version per order for its cached status fragment, the request HTMX repeats every few
seconds while an order is live: a poll that finds nothing new reads no database at all, and
(its ETag being the version) sends no page either, only 304 Not Modified.

A web process reuses an order's version it read for up to REUSE_SECONDS, as it does the
catalog's: thousands of customers polling in a flash sale cost no shared-cache read each, and
a transition shows on a poll at most that much later (polls come every few seconds anyway).

Every transition goes through orders.services.transitions._transition_many, which calls
orders_changed.
"""

from django.core.cache import cache
from django.db import transaction

from storefront.pagecache import current_version, new_versions, remember, remembered

from .models import Order

# An order's version outlives its live updates by far; an expired one is simply made anew.
VERSION_TIMEOUT = 24 * 3600
REUSE_SECONDS = 1.0


def version_key(number: str) -> str:
    return f"order:version:{number}"


def order_version(number: str, *, reuse: bool = False) -> str | None:
    """None when there is no such order; nothing is stored for a number that does not exist.

    With reuse, a version this process read within REUSE_SECONDS is used again (not for a
    number that does not exist: that is asked every time)."""
    key = version_key(number)
    if reuse and (version := remembered(key)) is not None:
        return version
    version = cache.get(key)
    if version is None and Order.objects.filter(number=number).exists():
        version = current_version(key, timeout=VERSION_TIMEOUT)
    if version is not None:
        remember(key, version, REUSE_SECONDS)
    return version


def order_changed(number: str) -> None:
    """A new version once the change commits: at once in autocommit, as the worker runs.

    Inside a transaction, also at once, for later reads in it; the version moves again on
    commit, so a poll that rendered the old rows in between never has its page served. An
    order nobody has looked at has no version, and nothing is written for it.
    """
    orders_changed([number])


def orders_changed(numbers: list[str]) -> None:
    """order_changed for many orders, in one round trip each way to the shared cache."""
    keys = [version_key(number) for number in numbers]

    def move() -> None:
        new_versions(keys, timeout=VERSION_TIMEOUT, if_read=True)

    if transaction.get_connection().in_atomic_block:
        move()
    transaction.on_commit(move)
