"""Content reads for pages: each one query."""

from django.db.models import F, QuerySet

from .models import Announcement, Banner, FaqEntry, Page


def banners_showing() -> list[Banner]:
    return list(Banner.showing().order_by("sort_order", "pk")[:8])


def announcement_showing() -> Announcement | None:
    """The newest announcement shown now (one bar at a time)."""
    return Announcement.showing().order_by(F("starts_at").desc(nulls_last=True), "-pk").first()


def page(slug: str) -> Page | None:
    return Page.objects.filter(slug=slug).first()


def faq_entries() -> QuerySet[FaqEntry]:
    return FaqEntry.objects.filter(is_active=True).order_by("sort_order", "pk")
