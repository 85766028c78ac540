"""Customer data beside django.contrib.auth's User: a profile and the game accounts bought for.

Writes go through accounts/services.py, reads through accounts/selectors.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    whatsapp = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    language = models.CharField(
        _("Preferred language"), max_length=10, choices=settings.LANGUAGES, default="id"
    )

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"


class SavedGameAccount(models.Model):
    """A game account (player ID, zone…) the customer bought for: saved after a successful
    order, reused in one tap, and compared against by the typo guard."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_game_accounts"
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="saved_accounts"
    )
    account = models.JSONField(default=dict, help_text="The game account fields, as ordered.")
    # The fields in one canonical string (accounts.services.account_key): one row per account.
    account_key = models.CharField(max_length=400)
    label = models.CharField(_("Label"), max_length=60, blank=True)
    # The item last bought for it: a reorder opens with it chosen.
    last_variant_code = models.CharField(max_length=100, blank=True)
    times_bought = models.PositiveIntegerField(default=0)
    last_used = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_used", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product", "account_key"], name="saved_account_once"
            )
        ]

    def __str__(self) -> str:
        return self.label or " / ".join(str(v) for v in self.account.values())
