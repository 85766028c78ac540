"""The hello-world reference: the same settings and middleware, one trivial view."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.hello_urls"
