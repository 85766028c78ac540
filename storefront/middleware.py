from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ShopLanguageMiddleware:
    """Indonesian unless the customer chose otherwise with the switch (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones in
    Indonesia are set to English; the shop speaks Indonesian first, as the issue asks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = use_language(request)
        response = self.get_response(request)
        return language_headers(response, language)


def use_language(request) -> str:
    """The customer's language (the switch's cookie, else Indonesian), active for the request."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in _supported() else settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def language_headers(response, language: str):
    """What a page in `language` says about it: it varies with the cookie that chose it."""
    patch_vary_headers(response, ["Cookie"])
    response.headers.setdefault("Content-Language", language)
    return response


def _supported() -> set[str]:
    return {code for code, _ in settings.LANGUAGES}


class RejectNulMiddleware:
    """400 for a request carrying a NUL character in its path, query, JSON body or headers.

    No page of the shop takes a NUL, and PostgreSQL refuses one in any string: without this, a
    lookup with `?q=%00` or `/orders/GR-%00/` reached the database and failed there with a 500
    and an ERROR traceback each, a cheap way to flood the error log. A cookie with a NUL is
    dropped instead (the visitor would otherwise get a 400 on every page until it expires).
    Nothing is logged: such a request is noise, not news. Forms are left to their fields
    (Django's CharField refuses a NUL with a message the customer sees).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items() if "\x00" in name + value]:
            del request.COOKIES[name]
        if self._carries_nul(request):
            return HttpResponseBadRequest(
                "Bad request: NUL character in the request.", content_type="text/plain"
            )
        return self.get_response(request)

    def _carries_nul(self, request) -> bool:
        if "\x00" in request.path_info or "\x00" in request.path:
            return True
        headers = (
            v for k, v in request.META.items() if k.startswith("HTTP_") and k != "HTTP_COOKIE"
        )
        if any(isinstance(value, str) and "\x00" in value for value in headers):
            return True
        if _has_nul(request.GET):
            return True
        if request.method == "POST" and request.content_type == "application/json":
            body = request.body
            # Raw, or escaped as JSON allows ("\u0000"): json.loads turns either into a NUL.
            return b"\x00" in body or b"\\u0000" in body.lower()
        return False


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header, with settings.ADMIN_CSP_UPDATE added on the admin's pages only.

    The back office (django-unfold) needs a little more than the storefront's strict policy;
    the storefront's pages keep exactly CONTENT_SECURITY_POLICY.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/" + settings.ADMIN_URL):
            parts.update = {**settings.ADMIN_CSP_UPDATE, **(parts.update or {})}
        return parts
