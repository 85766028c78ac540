"""Per game: how our own last orders went (success rate, median delivery time), recent sales,
and the state the game page shows. Written by the periodic task (services.refresh), read by
pages in the same query as the game; the owner may override the state in admin."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    OK = "ok", _("Normal")
    SLOW = "slow", _("Slow")
    DOWN = "down", _("Disrupted")


class GameStatus(models.Model):
    product = models.OneToOneField(
        "catalog.Product",
        on_delete=models.CASCADE,
        related_name="live_status",
        verbose_name=_("game"),
    )
    recent_sales = models.PositiveIntegerField(
        _("recent sales"), default=0, help_text=_("Delivered orders in the last days.")
    )
    orders_counted = models.PositiveIntegerField(
        _("orders counted"), default=0, help_text=_("Our last orders the figures come from.")
    )
    success_rate = models.PositiveSmallIntegerField(
        _("success rate (%)"), null=True, blank=True, help_text=_("Empty: no finished order.")
    )
    median_delivery = models.PositiveIntegerField(
        _("median delivery (seconds)"),
        null=True,
        blank=True,
        help_text=_("From payment to delivery; orders still waiting count with their wait."),
    )
    computed_state = models.CharField(
        _("measured state"), max_length=10, choices=State.choices, default=State.OK
    )
    override = models.CharField(
        _("owner override"),
        max_length=10,
        choices=State.choices,
        blank=True,
        help_text=_("Empty: the measured state is shown. Set to announce a problem by hand."),
    )
    override_note = models.CharField(
        _("note for customers"),
        max_length=200,
        blank=True,
        help_text=_('Shown with the badge, e.g. "Server maintenance until 15:00".'),
    )
    computed_at = models.DateTimeField(_("measured at"), default=timezone.now)

    class Meta:
        verbose_name = _("game status")
        verbose_name_plural = _("game statuses")
        ordering = ["product__sort_order", "product__name"]

    def __str__(self) -> str:
        return str(self.product)

    @property
    def state(self) -> str:
        """What the game page says: the owner's override, else the measurement."""
        return self.override or self.computed_state

    @property
    def median_minutes(self) -> int | None:
        """The median delivery in whole minutes, rounded up (at least 1)."""
        if self.median_delivery is None:
            return None
        return max(1, -(-self.median_delivery // 60))
