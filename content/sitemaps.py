"""sitemap.xml (django.contrib.sitemaps): the shop's pages and every game for sale."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog import selectors as catalog_selectors

from .models import Page


class GameSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return catalog_selectors.products_for_sale().order_by("slug")

    def location(self, item) -> str:
        return reverse("catalog:game", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class ShopSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> list[str]:
        pages = [reverse("catalog:home"), reverse("catalog:prices"), reverse("content:faq")]
        written = Page.objects.exclude(slug=Page.Slug.FAQ).values_list("slug", flat=True)
        return pages + [reverse("content:page", args=[slug]) for slug in sorted(written)]

    def location(self, item: str) -> str:
        return item


SITEMAPS = {"games": GameSitemap, "shop": ShopSitemap}
