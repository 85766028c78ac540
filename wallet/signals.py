"""Deleting a user who still has a balance is refused (wallet.services.close_wallet)."""

from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from . import services


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="wallet.refuse_funded_user")
def refuse_deleting_a_user_with_a_balance(sender, instance, **kwargs):
    services.close_wallet(user=instance)
