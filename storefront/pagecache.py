"""Whole-page caching for visitors, with each visitor's own CSRF token put back in.

A page is rendered once per version with a placeholder where the CSRF token goes; serving it
is one read of the version from the shared cache, one read of the page from this process's
memory and a string replace. Versions live in the shared cache (Redis, or a folder in the
demo) because the worker changes what pages show: a sync or a price change moves the catalog
version, an order's transition moves that order's version, and the next request renders anew.
A visitor with a pending message (e.g. "item no longer available") gets a fresh render, so
the message is never cached or lost.
"""

import logging
import secrets
import uuid
from collections.abc import Callable
from time import monotonic

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape

# Random per process (pages are cached per process): no text a supplier or a customer writes
# into a page can ever match it and receive a visitor's token.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
PAGE_TIMEOUT = 3600

logger = logging.getLogger(__name__)


# Versions this process read within the last moments (name -> (read at, version)); only for
# callers that pass reuse_for, which the catalog does: every page shares its version, so under
# load a process reads it once a second instead of on every request.
_recent: dict[str, tuple[float, str]] = {}


def current_version(name: str, *, timeout: int | None = None, reuse_for: float = 0.0) -> str:
    """The version under `name` in the shared cache; a new one when there is none yet.

    With reuse_for, a version this process read less than that many seconds ago is used
    again without asking the shared cache.
    """
    now = monotonic()
    if reuse_for and (recent := _recent.get(name)) and now - recent[0] < reuse_for:
        return recent[1]
    version = cache.get(name)
    if version is None:
        made = uuid.uuid4().hex
        cache.add(name, made, timeout)  # add: the first of racing requests wins
        # None when the key was evicted at once (a full cache): ours serves this request.
        version = cache.get(name) or made
    if reuse_for:
        _recent[name] = (now, version)
    return version


def new_version(name: str, *, timeout: int | None = None, if_read: bool = False) -> None:
    """Every page rendered under the old version stops being served (in other processes
    after their reuse_for).

    With if_read, nothing is written when there is no version yet: no page was cached under
    one, and the next reader makes a fresh one anyway.
    """
    new_versions([name], timeout=timeout, if_read=if_read)


def new_versions(names: list[str], *, timeout: int | None = None, if_read: bool = False) -> None:
    """new_version for many names, in one read and one write of the shared cache (a poll
    tick finishing a hundred orders at once)."""
    for name in names:
        _recent.pop(name, None)
    if if_read:
        names = list(cache.get_many(names))
    if names:
        cache.set_many({name: uuid.uuid4().hex for name in names}, timeout)


def forget_local_copies() -> None:
    """Drop this process's pages and recently read versions (tests start from nothing)."""
    caches["pages"].clear()
    _recent.clear()


def page_key(key: tuple, language: str) -> str:
    """Where render_cached keeps a page. The query string is no part of it: a cached page
    must not show anything of the request but its path."""
    return ":".join(str(part) for part in (*key, language))


def _logged_in(request: HttpRequest) -> bool:
    """Without a session cookie nobody is logged in, and the session is not even read."""
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def render_cached(
    request: HttpRequest,
    template: str,
    context: Callable[[], dict],
    *,
    key: tuple,
    timeout: int = PAGE_TIMEOUT,
    status: Callable[[dict], int] | None = None,
    same_for_users: bool = False,
    members: bool = False,
    logged_in: bool | None = None,
) -> HttpResponse:
    """The page under `key`, rendered once per version. With `status`, the page's status code
    is worked out from its context when it is rendered, and kept with it.

    A logged-in customer's page (its header links their account) is rendered afresh, private,
    and never stored, unless `members`: the page then shows nothing of the person but what
    every member alike sees (an "Account" link, paying from one's balance), the view's `key`
    holds everything else it depends on (promotions.page_tier_key: their tier's prices), and
    it is cached apart from guests' pages, served private. `same_for_users`: a fragment with
    nothing of the visitor in it (no header), cached for everyone alike. `logged_in`: whether
    the visitor is, when the view already knows (promotions.tier_cookie): then a cached page
    is served without reading their session or account.
    """
    member = not same_for_users and (_logged_in(request) if logged_in is None else logged_in)
    # A pending message is in the cookie (the session keeps only what the cookie can't hold,
    # and is read only when the cookie says so).
    if member and (not members or request.COOKIES.get("messages")):
        values = context()
        html = render_to_string(template, values, request=request)
        return _private(HttpResponse(html, status=status(values) if status else 200))
    if request.COOKIES.get("messages"):
        values = context()
        html = render_to_string(template, values, request=request)
        return HttpResponse(html, status=status(values) if status else 200)
    pages = caches["pages"]
    cache_key = page_key((*key, "member") if member else key, request.LANGUAGE_CODE)
    # Bytes, encoded once: serving a page then neither decodes nor encodes its text.
    entry = pages.get(cache_key)
    if entry is None:
        values = context()
        html = render_to_string(
            template, {**values, "csrf_token": CSRF_PLACEHOLDER}, request=request
        ).encode()
        entry = (status(values) if status else 200, html)
        if member and _names(html, request.user):  # a template began to show who is in
            logger.error("page cache: %s names its member; not stored", cache_key)
            html = html.replace(PLACEHOLDER_BYTES, get_token(request).encode())
            return _private(HttpResponse(html, status=entry[0]))
        pages.set(cache_key, entry, timeout)
    code, html = entry
    if PLACEHOLDER_BYTES in html:  # only pages with a form cost a token (and set its cookie)
        html = html.replace(PLACEHOLDER_BYTES, get_token(request).encode())
    response = HttpResponse(html, status=code)
    patch_vary_headers(response, ["Cookie"])
    return _private(response) if member else response


def _private(response: HttpResponse) -> HttpResponse:
    """A logged-in customer's page: for their browser only, and per cookie."""
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _names(html: bytes, user) -> bool:
    """Whether a page rendered for a member shows their email or name: then it is not theirs
    to share with the tier, and is not stored (a safety net; templates must not do this)."""
    if not user.is_authenticated:  # a remembered tier outlived its session: nobody to name
        return False
    own = [user.email, user.get_full_name()]
    return any(value and escape(value).encode() in html for value in own)
