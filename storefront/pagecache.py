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
import os
import secrets
import uuid
from collections.abc import Callable
from time import monotonic

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape

# Random per process (pages are cached per process): no text a supplier or a customer writes
# into a page can ever match it and receive a visitor's token.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
PAGE_TIMEOUT = 3600

logger = logging.getLogger(__name__)


# Versions this process read within the last moments (name -> (good until, version)); only for
# callers that pass reuse_for: the catalog (every page shares its version, so under load a
# process reads it once a second instead of on every request) and each polled order's. Bounded:
# thousands of orders polled at once must not grow a process without end.
_recent: dict[str, tuple[float, str]] = {}
RECENT_MAX = 4096


def remembered(name: str) -> str | None:
    """The version this process read under `name` if it is still to be reused, else None."""
    recent = _recent.get(name)
    return recent[1] if recent and monotonic() < recent[0] else None


def remember(name: str, version: str, reuse_for: float) -> None:
    if len(_recent) >= RECENT_MAX:
        now = monotonic()
        for stale in [key for key, (until, _v) in _recent.items() if until <= now]:
            del _recent[stale]
        if len(_recent) >= RECENT_MAX:  # all fresh: start again rather than grow
            _recent.clear()
    _recent[name] = (monotonic() + reuse_for, version)


def current_version(name: str, *, timeout: int | None = None, reuse_for: float = 0.0) -> str:
    """The version under `name` in the shared cache; a new one when there is none yet.

    With reuse_for, a version this process read less than that many seconds ago is used
    again without asking the shared cache.
    """
    if reuse_for and (version := remembered(name)) is not None:
        return version
    version = cache.get(name)
    if version is None:
        made = uuid.uuid4().hex
        cache.add(name, made, timeout)  # add: the first of racing requests wins
        # None when the key was evicted at once (a full cache): ours serves this request.
        version = cache.get(name) or made
    if reuse_for:
        remember(name, version, reuse_for)
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
        if member and not request.user.is_authenticated:
            # A remembered tier (promotions.tier_cookie) outlived its session (password
            # changed elsewhere, account switched off): a page for this visitor alone, as they
            # are now, never stored where the tier's members would get it.
            values = context()
            html = render_to_string(template, values, request=request)
            return _private(HttpResponse(html, status=status(values) if status else 200))
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


def stored_guest_page(request: HttpRequest, key: tuple) -> HttpResponse | None:
    """The guest's page render_cached stored under `key`, served as render_cached serves it
    (the visitor's own CSRF token put in), or None when it is not stored in this process.
    For storefront.earlypages, which asks before the session, user and message middleware
    run: only for a request with no session or messages cookie (a guest's)."""
    entry = caches["pages"].get(page_key(key, request.LANGUAGE_CODE))
    if entry is None:
        return None
    code, html = entry
    if PLACEHOLDER_BYTES in html:
        html = html.replace(PLACEHOLDER_BYTES, visitor_token(request).encode())
    response = HttpResponse(html, status=code)
    patch_vary_headers(response, ["Cookie"])
    return response


def visitor_token(request: HttpRequest) -> str:
    """django.middleware.csrf.get_token, the same token (the visitor's secret, a new one for
    a new visitor, masked afresh), with its random characters drawn from one os.urandom call
    rather than one per character (secrets.choice): on a cached page the token was most of
    the work. CsrfViewMiddleware checks and sets it as it does get_token's."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_csrf_string()
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # the cookie is (re)sent, as get_token does
    mask = _random_csrf_string()
    chars, n, at = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS), _CHAR_INDEX
    return mask + "".join([chars[(at[s] + at[m]) % n] for s, m in zip(secret, mask, strict=True)])


# Bytes below this are used (modulo the alphabet's length), the others dropped: every
# character equally likely, as secrets.choice draws them.
_UNBIASED = 256 - 256 % len(CSRF_ALLOWED_CHARS)
_CHAR_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}


def _random_csrf_string(length: int = CSRF_SECRET_LENGTH) -> str:
    chars, n = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    drawn: list[str] = []
    while len(drawn) < length:
        drawn += [chars[b % n] for b in os.urandom(2 * length) if b < _UNBIASED]
    return "".join(drawn[:length])


def _private(response: HttpResponse) -> HttpResponse:
    """A logged-in customer's page: for their browser only, and per cookie."""
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _names(html: bytes, user) -> bool:
    """Whether a page rendered for a member shows their email or name: then it is not theirs
    to share with the tier, and is not stored (a safety net; templates must not do this)."""
    own = [user.email, user.get_full_name()]
    return any(value and escape(value).encode() in html for value in own)
