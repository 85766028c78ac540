"""A catalog version for page caches: any change to products, variants or prices moves it,
so cached pages for anonymous visitors never show an old price."""

from storefront.pagecache import current_version, new_version

VERSION_KEY = "catalog:version"


def catalog_version() -> str:
    return current_version(VERSION_KEY)


def bump_catalog_version() -> None:
    new_version(VERSION_KEY)
