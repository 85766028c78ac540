"""Storefront content in admin: banners, the announcement bar, pages and FAQ entries."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from storefront.admin_base import ModelAdmin

from .models import Announcement, Banner, FaqEntry, Page


class ScheduledAdmin(ModelAdmin):
    list_filter = ("is_active",)

    @admin.display(description=_("shown now"), boolean=True)
    def showing_now(self, obj) -> bool:
        return type(obj).showing().filter(pk=obj.pk).exists()


@admin.register(Banner)
class BannerAdmin(ScheduledAdmin):
    list_display = ("thumb", "title", "link", "starts_at", "ends_at", "is_active", "sort_order")
    list_display_links = ("thumb", "title")
    list_editable = ("is_active", "sort_order")
    fields = (
        "title",
        "title_en",
        "image",
        "link",
        "sort_order",
        "is_active",
        "starts_at",
        "ends_at",
    )

    @admin.display(description=_("image"))
    def thumb(self, obj):
        if not obj.image:
            return "—"
        return format_html('<img src="{}" alt="" height="40">', obj.image.url)


@admin.register(Announcement)
class AnnouncementAdmin(ScheduledAdmin):
    list_display = ("message", "link", "starts_at", "ends_at", "is_active", "showing_now")
    fields = ("message", "message_en", "link", "image", "is_active", "starts_at", "ends_at")


@admin.register(Page)
class PageAdmin(ModelAdmin):
    list_display = ("title", "slug", "updated_at")
    fields = ("slug", "title", "title_en", "body", "body_en")


@admin.register(FaqEntry)
class FaqEntryAdmin(ModelAdmin):
    list_display = ("question", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    fields = ("question", "question_en", "answer", "answer_en", "sort_order", "is_active")
