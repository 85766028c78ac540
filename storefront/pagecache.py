"""Whole-page caching for visitors, with each visitor's own CSRF token put back in.

A cached page is rendered once with a placeholder where the CSRF token goes; serving it is a
cache read and a string replace. Keys carry the catalog version and the language, so a price
change or a sync shows at once. A visitor with a pending message (e.g. "item no longer
available") gets a fresh render, so the message is never cached or lost.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

CSRF_PLACEHOLDER = "csrf-token-placeholder-0b9d1f3e"
PAGE_TIMEOUT = 3600


def render_cached(
    request: HttpRequest,
    template: str,
    context: Callable[[], dict],
    *,
    key: tuple,
    timeout: int = PAGE_TIMEOUT,
) -> HttpResponse:
    if request.COOKIES.get("messages"):
        return HttpResponse(render_to_string(template, context(), request=request))
    cache_key = "page:" + ":".join(str(part) for part in (*key, request.LANGUAGE_CODE))
    html = cache.get(cache_key)
    if html is None:
        html = render_to_string(
            template, {**context(), "csrf_token": CSRF_PLACEHOLDER}, request=request
        )
        cache.set(cache_key, html, timeout)
    response = HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
    patch_vary_headers(response, ["Cookie"])
    return response
