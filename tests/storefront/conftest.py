import uuid

import pytest


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A fresh in-memory cache per test: rate-limit counters and cached pages start empty."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"storefront-test-{uuid.uuid4().hex}",
        },
    }
