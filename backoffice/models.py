"""The back office's own records: isipay balance snapshots and deposits (for reconciliation),
its permissions, and the history of markup rules.
"""

import simple_history
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.models import MarkupRule


class Access(models.Model):
    """No table: it only carries the back office's permissions (the roles migration gives them
    to the "Shop manager" group)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboard", "Can view the dashboard"),
            ("view_reports", "Can view money reports and the balance reconciliation"),
            ("sync_catalog", "Can start a catalog sync"),
        ]

    def __str__(self) -> str:
        return "back office access"


class BalanceSnapshot(models.Model):
    """The isipay deposit balance as read at one moment (beat records one every few minutes)."""

    taken_at = models.DateTimeField(default=timezone.now, db_index=True)
    balance = models.BigIntegerField(help_text="The isipay balance, in rupiah.")

    class Meta:
        ordering = ["-taken_at"]
        get_latest_by = "taken_at"

    def __str__(self) -> str:
        return f"{self.balance} at {timezone.localtime(self.taken_at):%Y-%m-%d %H:%M}"


class BalanceDeposit(models.Model):
    """Money the owner put into (or took out of) the isipay account: the reconciliation expects
    the balance to move by it, so a top-up does not show as a difference."""

    made_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="When the money reached isipay: the reconciliation places it between the "
        "two balance snapshots around this time.",
    )
    amount = models.BigIntegerField(
        help_text="Rupiah added to the isipay balance; negative for money taken out."
    )
    note = models.CharField(max_length=200, blank=True, help_text="e.g. the bank transfer.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-made_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="balance_deposit_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} at {timezone.localtime(self.made_at):%Y-%m-%d %H:%M}"


# Who changed which markup rule, and when: a history table kept by django-simple-history (its
# middleware records the admin user). Registered here so the catalog app stays as it is.
simple_history.register(
    MarkupRule,
    app="backoffice",
    verbose_name="markup change",
    verbose_name_plural="markup changes",
    excluded_fields=["updated_at"],
)
HistoricalMarkupRule = MarkupRule.history.model
