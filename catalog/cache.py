"""A catalog version for page caches: any change to products, variants or prices moves it,
so cached pages for anonymous visitors show a new price at once.

A web process reuses the version it read for up to REUSE_SECONDS: a change made elsewhere (a
sync on the worker, an edit in admin served by another process) shows on its pages within
that time. Checkout always prices from the database, so a page a second old never sets what
anyone pays."""

from storefront.pagecache import current_version, new_version

VERSION_KEY = "catalog:version"
REUSE_SECONDS = 1.0


def catalog_version() -> str:
    return current_version(VERSION_KEY, reuse_for=REUSE_SECONDS)


def bump_catalog_version() -> None:
    new_version(VERSION_KEY)
