"""Admin edits of what prices pages (tiers, their rules, flash sales) move the catalog
version, as catalog's own edits do: cached pages show the new prices at once. A customer's
tier changing (or a tier's order, which decides the higher of two) moves the customer-tiers
version, which voids every remembered page tier (promotions.tier_cookie)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.cache import bump_catalog_version

from .models import CustomerTier, FlashSale, FlashSaleItem, Tier, TierMarkupRule
from .tier_cookie import bump_customer_tiers_version


@receiver([post_save, post_delete], sender=Tier)
@receiver([post_save, post_delete], sender=TierMarkupRule)
@receiver([post_save, post_delete], sender=FlashSale)
@receiver([post_save, post_delete], sender=FlashSaleItem)
def prices_changed(**kwargs) -> None:
    transaction.on_commit(bump_catalog_version)


@receiver([post_save, post_delete], sender=Tier)
@receiver([post_save, post_delete], sender=CustomerTier)
def customer_tiers_changed(**kwargs) -> None:
    transaction.on_commit(bump_customer_tiers_version)
