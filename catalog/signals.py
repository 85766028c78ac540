"""Saves through the ORM (admin edits) bump the catalog version; bulk writes bump it in
services.py, since bulk_create/bulk_update send no signals."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cache import bump_catalog_version
from .models import MarkupRule, Product, Variant


@receiver([post_save, post_delete], sender=Product)
@receiver([post_save, post_delete], sender=Variant)
@receiver([post_save, post_delete], sender=MarkupRule)
def catalog_changed(**kwargs) -> None:
    transaction.on_commit(bump_catalog_version)
