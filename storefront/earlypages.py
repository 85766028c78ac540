"""Guests' cached pages served before the middleware they do not need.

A guest's cached game page, home page or order status fragment is bytes in this process's
memory (storefront.pagecache): serving it needs no session, user, messages, history, HTMX,
allauth, rate-limit or axes middleware, and the whole stack costs more than the page. So
GuestPageMiddleware, placed right after the security and NUL-refusing middleware, serves such a
page itself when the request is a guest's plain GET (no session cookie, no messages cookie, no
query string) for a view marked with @served_early and the page is already stored. Anything
else (a member, a pending message, a page not stored yet, an unknown path) goes down the whole
stack as before, where the view renders and stores the page.

What the rest of the stack would have added, it adds the same way: SecurityMiddleware wraps
it (its headers, the HTTPS redirect) and so does RejectNulMiddleware; the Content-Security-Policy
is the one the CSP middleware sets on a storefront page (asked of it once per process: the
policy is the same for every storefront page, and building it was a large share of the work);
the Host is validated against
ALLOWED_HOSTS (a bad one goes down the stack, which answers 400 as always); the language is
chosen as ShopLanguageMiddleware chooses it; Django's CsrfViewMiddleware reads the visitor's
CSRF cookie and sets it for a new visitor; XFrameOptionsMiddleware its header; CommonMiddleware's
Content-Length. tests/storefront/test_early_pages.py compares every header with the full
stack's.
"""

from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, get_resolver

from .middleware import ContentSecurityPolicyMiddleware, language_headers, use_language

# A view's early answer: the guest's stored page (or a 304), or None to go down the stack.
Early = Callable[..., HttpResponse | None]


def served_early(early: Early) -> Callable:
    """Marks a view whose guests' pages GuestPageMiddleware may serve: `early(request,
    **the view's URL arguments)` answers from the page cache or returns None."""

    def mark(view: Callable) -> Callable:
        view.served_early = early
        return view

    return mark


def is_guest_get(request: HttpRequest) -> bool:
    """A plain GET with nothing personal: no session (so nobody is logged in), no pending
    message, and no query string (a prefilled form or a search is never a cached page)."""
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and not request.COOKIES.get(CookieStorage.cookie_name)
        # Static files are WhiteNoise's, further down: not worth a URL resolution each.
        and not request.path_info.startswith(settings.STATIC_URL)
    )


class GuestPageMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        # The middleware further down, called for their parts of the answer.
        self.csrf = CsrfViewMiddleware(get_response)
        self.x_frame_options = XFrameOptionsMiddleware(get_response)
        self.csp_headers: dict[str, str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.early(request) if is_guest_get(request) else None
        return self.get_response(request) if response is None else response

    def early(self, request: HttpRequest) -> HttpResponse | None:
        route = _route(get_resolver(), request.path_info)
        if route is None:
            return None
        early, args, kwargs = route
        try:
            request.get_host()
        except DisallowedHost:  # the whole stack answers it (400), and logs it, as always
            return None
        language = use_language(request)
        self.csrf.process_request(request)  # the visitor's CSRF cookie, if any
        response = early(request, *args, **dict(kwargs))
        if response is None:
            return None
        for name, value in self.content_security_policy(request).items():
            response.headers[name] = value
        response = self.csrf.process_response(request, response)  # a new visitor's cookie
        response = language_headers(response, language)
        response = self.x_frame_options.process_response(request, response)
        if not response.has_header("Content-Length"):  # as CommonMiddleware does
            response.headers["Content-Length"] = str(len(response.content))
        return response

    def content_security_policy(self, request: HttpRequest) -> dict[str, str]:
        """The CSP headers the CSP middleware sets on a storefront page (no nonce, no view
        decorator changes them), asked of it on the first page served here."""
        if self.csp_headers is None:
            probe = HttpResponse()
            ContentSecurityPolicyMiddleware(lambda request: probe)(request)
            self.csp_headers = {
                name: value
                for name, value in probe.headers.items()
                if name.lower().startswith("content-security-policy")
            }
        return self.csp_headers


@lru_cache(maxsize=4096)
def _route(resolver, path: str) -> tuple[Callable, tuple, tuple] | None:
    """The early answer of the view at `path` and the view's URL arguments, or None: the same
    resolution as Django's, kept for the paths asked most (game pages, polled orders)."""
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    early = getattr(match.func, "served_early", None)
    if early is None:
        return None
    return early, tuple(match.args), tuple(match.kwargs.items())
