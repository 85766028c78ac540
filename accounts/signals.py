"""A customer's confirmed email brings their guest orders with it; every user has a profile."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_logged_in
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import services


@receiver(email_confirmed)
def attach_orders_on_confirmation(sender, request, email_address, **kwargs):
    services.attach_guest_orders(user=email_address.user, email=email_address.email)


@receiver(post_save, sender=get_user_model())
def make_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        services.ensure_profile(instance)


@receiver(user_logged_in)
def attach_orders_on_login(sender, request, user, **kwargs):
    """Addresses verified another way (Google says so) bring their guest orders too."""
    for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
        "email", flat=True
    ):
        services.attach_guest_orders(user=user, email=email)
