"""A catalog version for page caches: any change to products, variants or prices bumps it,
so cached pages for anonymous visitors never show an old price."""

import uuid

from django.core.cache import cache

VERSION_KEY = "catalog:version"


def catalog_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_catalog_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
