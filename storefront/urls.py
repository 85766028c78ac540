from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from django.views.static import serve

from content.sitemaps import SITEMAPS
from content.views import manifest, robots_txt
from storefront.security import admin_login

urlpatterns = [
    # The admin's own login view, rate-limited per IP (django-axes also locks out failures).
    path(f"{settings.ADMIN_URL}login/", admin_login),
    # Dashboard, reports and reconciliation: admin pages with their own permission checks.
    path(f"{settings.ADMIN_URL}backoffice/", include("backoffice.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    # The language switch on every page needs no CSRF token: a forged switch only changes
    # the language, and a page without a token is the same for every visitor, so it is
    # served from the page cache as it is.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # Customer sign-up, login, email confirmation, password reset (django-allauth).
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("wallet.urls")),
    path("", include("catalog.urls")),
    path("", include("orders.urls")),
    path("", include("promotions.urls")),
    path("", include("payments.urls")),
    path("", include("support.urls")),
    path("", include("content.urls")),
    # For search engines and "Add to home screen".
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("", include("notifications.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.SERVE_MEDIA:
    # Game icons uploaded in admin (a few small files); a proxy or CDN may serve them instead.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]
