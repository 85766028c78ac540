"""Production-shaped settings for benchmarks: storefront.settings with DEBUG off (set by the
runner's environment) and STATIC_ROOT in the run's temporary folder (collectstatic runs there)."""

import os

from storefront.settings import *  # noqa: F403

STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405

# Never collide with anyone else's keys in a shared Redis.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "bench")  # noqa: F405
if os.environ.get("BENCH_LOCMEM_CACHE"):
    # In-process parts (query counts, sync) never clear a shared cache.
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405

if os.environ.get("BENCH_BROKER_PREFIX") and CELERY_BROKER_URL.startswith("redis"):  # noqa: F405
    # This run's queues live under their own prefix: a shared Redis' queues are never touched.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": os.environ["BENCH_BROKER_PREFIX"]}
