"""Request-level protections shared by every app: the client's IP, rate limits, admin login.

Rate limits use django-ratelimit. A view protects itself with the decorator; with `block=True`
a request over the limit raises `Ratelimited`, which RatelimitMiddleware (settings.MIDDLEWARE)
hands to `ratelimited` below: a 429 page with Retry-After, instead of Django's 403 for a
PermissionDenied. For example, in a view module:

    from django_ratelimit.decorators import ratelimit
    from storefront.security import rate

    @ratelimit(key="ip", rate=rate("RATELIMIT_LOOKUP"), method="POST", block=True)
    def lookup(request): ...

`key="ip"` goes through `client_ip` (settings.RATELIMIT_IP_META_KEY), so behind a reverse
proxy each customer has their own limit rather than all sharing the proxy's address.
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_ratelimit.decorators import ratelimit

RETRY_AFTER_SECONDS = 60


def client_ip(request: HttpRequest) -> str:
    """The customer's IP address, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT.

    Each proxy appends the address it received the request from, so with N trusted proxies in
    front of gunicorn the client is the N-th address from the right; anything further left was
    written by the client and proves nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote  # not through the expected proxies: use what the socket says
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def rate(setting_name: str) -> Callable[[str, HttpRequest], str]:
    """A django-ratelimit `rate` read from settings at request time (so tests can change it)."""

    def current(group: str, request: HttpRequest) -> str:
        return getattr(settings, setting_name)

    return current


def ratelimited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """settings.RATELIMIT_VIEW: what a client over a rate limit gets."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@ratelimit(
    group="admin-login", key="ip", rate=rate("RATELIMIT_ADMIN_LOGIN"), method="POST", block=True
)
def admin_login(request: HttpRequest, **kwargs) -> HttpResponse:
    """The admin login, rate-limited per IP on top of django-axes' lockout after failures.

    Without a `next`, the owner lands on the admin's home: unfold's login form carries no
    `next` field of its own, so Django fell back to LOGIN_REDIRECT_URL, the customer's
    account page."""
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        request.GET = request.GET.copy()
        request.GET[REDIRECT_FIELD_NAME] = reverse("admin:index")
    return admin.site.login(request, **kwargs)


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The login's username for django-axes, cut to the 150 characters a username may have.

    The admin's login form does not enforce that length before authenticating, and axes
    records the failure in a 255-character column: a longer guess failed there with a 500.
    """
    source = credentials if credentials else request.POST
    # The admin's form says "username"; customers log in by email (allauth: "email", "login").
    username = (
        (source.get("username") or source.get("email") or source.get("login")) if source else None
    )
    return username[:150] if isinstance(username, str) else username
