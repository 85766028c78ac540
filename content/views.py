"""The owner's pages (FAQ, terms, privacy, contact), robots.txt and the web app manifest."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from storefront.pagecache import render_cached
from storefront.templatetags.seo import absolute

from . import selectors
from .cache import content_version
from .models import Page

THEME_COLOUR = "#6c2bd9"
BACKGROUND_COLOUR = "#f6f5fb"


@require_GET
def faq(request):
    return render_cached(
        request,
        "content/faq.html",
        lambda: {"page": selectors.page(Page.Slug.FAQ), "entries": list(selectors.faq_entries())},
        key=("faq", content_version()),
    )


@require_GET
def page(request, slug: str):
    if slug not in Page.Slug.values or slug == Page.Slug.FAQ:
        raise Http404("No such page")

    def context() -> dict:
        found = selectors.page(slug)
        if found is None:
            raise Http404("Page not written yet")
        return {"page": found}

    return render_cached(
        request, "content/page.html", context, key=("page", slug, content_version())
    )


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        # Order pages are private (their address is the customer's key); nothing to index.
        "Disallow: /orders/",
        "Disallow: /accounts/",
        "Disallow: /i18n/",
        "Disallow: /payments/",
        f"Sitemap: {absolute(reverse('sitemap'), request)}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(max_age=86400, public=True)
def manifest(request):
    """The web app manifest: "Add to home screen" opens the shop like an app. No service
    worker: checkout needs the network, and nothing is cached for offline use."""
    icons = [
        {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    body = {
        "id": "/",
        "name": _("Gerai: game top-up"),
        "short_name": "Gerai",
        "description": _("Top up games, vouchers and e-wallets."),
        "lang": request.LANGUAGE_CODE or settings.LANGUAGE_CODE,
        "start_url": "/?source=homescreen",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
