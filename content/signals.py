"""Admin edits of banners, announcements, pages and FAQ entries move the content version."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cache import bump_content_version
from .models import Announcement, Banner, FaqEntry, Page


@receiver([post_save, post_delete], sender=Banner)
@receiver([post_save, post_delete], sender=Announcement)
@receiver([post_save, post_delete], sender=Page)
@receiver([post_save, post_delete], sender=FaqEntry)
def content_changed(**kwargs) -> None:
    transaction.on_commit(bump_content_version)
