"""What the owner writes for the storefront: banners, the announcement bar, pages (FAQ, terms,
privacy, contact) and FAQ entries. Each text in Indonesian, with an optional English one
(`in_language` picks; an empty English text falls back to the Indonesian)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(obj, field: str) -> str:
    """`field` in the page's language: `<field>_en` for English when it is filled in."""
    if (get_language() or "id").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)


class Scheduled(models.Model):
    """Shown while switched on and between its dates (either may be empty)."""

    is_active = models.BooleanField(_("shown"), default=True)
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def showing(cls, now=None):
        now = now or timezone.now()
        return cls.objects.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=now),
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            is_active=True,
        )


class Banner(Scheduled):
    title = models.CharField(
        _("title (Indonesian)"), max_length=120, help_text=_("Read aloud for the image.")
    )
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    image = models.ImageField(
        _("image"), upload_to="banners/", help_text=_("Wide, about 1200 × 500 pixels.")
    )
    link = models.CharField(
        _("link"),
        max_length=300,
        blank=True,
        help_text=_("Where a tap leads, e.g. /games/mobile-legends/ or a full address."),
    )
    sort_order = models.PositiveSmallIntegerField(_("position"), default=10)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("banner")
        verbose_name_plural = _("banners")

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        return in_language(self, "title")


class Announcement(Scheduled):
    message = models.CharField(_("message (Indonesian)"), max_length=200)
    message_en = models.CharField(_("message (English)"), max_length=200, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    image = models.ImageField(
        _("small image"),
        upload_to="announcements/",
        blank=True,
        help_text=_("Optional, shown small before the message."),
    )

    class Meta:
        ordering = [models.F("starts_at").desc(nulls_last=True), "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.message

    @property
    def text(self) -> str:
        return in_language(self, "message")


class Page(models.Model):
    class Slug(models.TextChoices):
        FAQ = "faq", _("FAQ")
        TERMS = "terms", _("Terms")
        PRIVACY = "privacy", _("Privacy")
        CONTACT = "contact", _("Contact")

    slug = models.CharField(_("page"), max_length=20, choices=Slug.choices, unique=True)
    title = models.CharField(_("title (Indonesian)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    body = models.TextField(
        _("text (Indonesian)"),
        help_text=_("Plain text: an empty line starts a new paragraph; addresses become links."),
    )
    body_en = models.TextField(_("text (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self) -> str:
        return self.title

    @property
    def heading(self) -> str:
        return in_language(self, "title")

    @property
    def text(self) -> str:
        return in_language(self, "body")


class FaqEntry(models.Model):
    question = models.CharField(_("question (Indonesian)"), max_length=200)
    question_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    answer = models.TextField(_("answer (Indonesian)"))
    answer_en = models.TextField(_("answer (English)"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("position"), default=10)
    is_active = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question

    @property
    def q(self) -> str:
        return in_language(self, "question")

    @property
    def a(self) -> str:
        return in_language(self, "answer")
