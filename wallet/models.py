"""A customer's balance (saldo) and its ledger.

The balance is integer rupiah and never below zero (a CHECK in the database). Every change to it
is a ledger entry written in the same transaction (wallet/services.py): the sum of a wallet's
entries equals its balance, always. An entry is unique per (kind, cause), so a retried task
never credits or debits twice, and once written it is never changed or deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Wallet(models.Model):
    # Empty once the account is deleted (only allowed at a zero balance): the ledger stays.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wallet",
    )
    balance = models.BigIntegerField(default=0, help_text="Rupiah; never below zero.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="wallet_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"wallet of {self.user}"


class ImmutableEntry(Exception):
    """A ledger entry, once written, is never changed or deleted: correct it with a new entry."""


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "deposit"
        PURCHASE = "purchase", "purchase"
        REFUND = "refund", "refund"
        ADJUSTMENT = "adjustment", "adjustment"

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(help_text="Rupiah: positive credits, negative debits.")
    balance_after = models.BigIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    cause = models.CharField(
        max_length=200,
        help_text='What caused it, e.g. "order:GR-XXX:purchase", "payment:REF:deposit", '
        '"adjustment:<uuid>"; unique per kind.',
    )
    note = models.CharField(max_length=500, blank=True)
    actor = models.CharField(
        max_length=150, default="system", help_text="Who: a username or system."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    # Not stored: True on the entry a service call returns when its cause was already applied.
    repeated: bool = False

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "cause"], name="ledger_entry_once_per_cause"),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_entry_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+d} ({self.cause})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableEntry("A ledger entry cannot be changed; write a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEntry("A ledger entry cannot be deleted; write a new entry instead.")


def new_deposit_reference() -> str:
    """Like an order number (readable aloud, hard to guess), with its own prefix."""
    import secrets

    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "DP-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Deposit(models.Model):
    """A customer tops up their balance through a payment provider (wallet.deposits).

    Its payment attempt is a payments.Payment like an order's, so the same webhook rules apply;
    when the money arrives the balance is credited once (ledger cause "deposit:<reference>").
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting payment")
        PAID = "paid", _("paid")
        EXPIRED = "expired", _("expired")
        FAILED = "failed", _("failed")

    # Empty once the account is deleted (never while a deposit is pending): the record stays.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deposits",
    )
    reference = models.CharField(
        max_length=20, unique=True, default=new_deposit_reference, editable=False
    )
    amount = models.PositiveBigIntegerField(help_text="Rupiah.")
    provider = models.CharField(max_length=20)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def ledger_cause(self) -> str:
        return deposit_cause(self.reference)


def deposit_cause(reference: str) -> str:
    return f"deposit:{reference}"
