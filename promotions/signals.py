"""Admin edits of what prices pages (tiers, their rules, flash sales) move the catalog
version, as catalog's own edits do: cached pages show the new prices at once."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.cache import bump_catalog_version

from .models import FlashSale, FlashSaleItem, Tier, TierMarkupRule


@receiver([post_save, post_delete], sender=Tier)
@receiver([post_save, post_delete], sender=TierMarkupRule)
@receiver([post_save, post_delete], sender=FlashSale)
@receiver([post_save, post_delete], sender=FlashSaleItem)
def prices_changed(**kwargs) -> None:
    transaction.on_commit(bump_catalog_version)
