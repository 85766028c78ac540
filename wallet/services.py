"""Every change to a wallet: credit, debit, a staff adjustment, and the guard before closing.

Each is ONE transaction: the wallet row is locked, a repeated cause is answered with the entry
it already made (nothing changes), then one conditional UPDATE moves the balance
(`balance - amount WHERE balance >= amount` for a debit) and the ledger entry records the
amount and the balance read back inside the same transaction. The unique (kind, cause) is the
last guard: a retried task can never credit or debit twice.
"""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from storefront.templatetags.money import rupiah

from .models import LedgerEntry, Wallet

Kind = LedgerEntry.Kind


class WalletError(Exception):
    """Something a customer or operator is told in words; nothing was changed."""


class InsufficientBalance(WalletError):
    def __init__(self, *, balance: int, amount: int):
        self.balance, self.amount = balance, amount
        super().__init__(
            _("The balance is %(balance)s, less than %(amount)s.")
            % {"balance": rupiah(balance), "amount": rupiah(amount)}
        )


class WalletNotEmpty(WalletError):
    """Refused: an account that still holds a balance cannot be closed or deleted."""

    def __init__(self, *, balance: int):
        self.balance = balance
        super().__init__(
            _(
                "This account still has a balance of %(balance)s, so it cannot be deleted. "
                "Withdraw the balance first: ask the shop to pay it out to your bank account "
                "or e-wallet (staff record the payout as a balance adjustment), or spend it; "
                "then delete the account."
            )
            % {"balance": rupiah(balance)}
        )


class DepositPending(WalletError):
    """Refused: a top-up is still waiting for its payment, whose money would have nowhere to go."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "A top-up of this account is still waiting for its payment, so the account "
                "cannot be deleted yet. Try again after it is paid or has expired."
            )
        )


def _positive_amount(amount) -> int:
    if type(amount) is not int or amount <= 0:  # bool is an int subclass: refused too
        raise ValueError(f"amount must be a positive int of rupiah, not {amount!r}")
    return amount


def _cause(cause) -> str:
    if not isinstance(cause, str) or not cause.strip():
        raise ValueError("cause must be a non-empty string")
    return cause


def _locked_wallet_id(user: AbstractBaseUser) -> int:
    """The user's wallet (made on first use), its row locked until the transaction ends."""
    wallet, _created = Wallet.objects.get_or_create(user=user)
    Wallet.objects.select_for_update().filter(pk=wallet.pk).values_list("pk").get()
    return wallet.pk


def _existing(*, wallet_id: int, amount: int, kind: str, cause: str) -> LedgerEntry | None:
    entry = LedgerEntry.objects.filter(kind=kind, cause=cause).first()
    if entry is None:
        return None
    if entry.wallet_id != wallet_id or entry.amount != amount:
        raise ValueError(
            f"cause {cause!r} ({kind}) was already applied with {entry.amount:+d} to wallet "
            f"{entry.wallet_id}; it cannot be applied as {amount:+d} to wallet {wallet_id}"
        )
    entry.repeated = True
    return entry


def _apply(*, user, amount: int, kind: str, cause: str, note: str, actor: str) -> LedgerEntry:
    """`amount` signed: the balance moves by it, never below zero; once per (kind, cause)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown ledger kind {kind!r}")
    cause = _cause(cause)
    with transaction.atomic():
        wallet_id = _locked_wallet_id(user)
        existing = _existing(wallet_id=wallet_id, amount=amount, kind=kind, cause=cause)
        if existing is not None:
            return existing
        try:
            with transaction.atomic():  # a savepoint: a duplicate undoes the balance move too
                rows = Wallet.objects.filter(pk=wallet_id)
                if amount < 0:
                    rows = rows.filter(balance__gte=-amount)
                if not rows.update(balance=F("balance") + amount, updated_at=timezone.now()):
                    balance = Wallet.objects.values_list("balance", flat=True).get(pk=wallet_id)
                    raise InsufficientBalance(balance=balance, amount=-amount)
                balance_after = Wallet.objects.values_list("balance", flat=True).get(pk=wallet_id)
                entry = LedgerEntry.objects.create(
                    wallet_id=wallet_id,
                    amount=amount,
                    balance_after=balance_after,
                    kind=kind,
                    cause=cause,
                    note=note[:500],
                    actor=actor[:150],
                )
        except IntegrityError:
            existing = _existing(wallet_id=wallet_id, amount=amount, kind=kind, cause=cause)
            if existing is None:
                raise
            return existing
    entry.repeated = False
    return entry


def credit(
    *, user, amount: int, kind: str, cause: str, note: str = "", actor: str = "system"
) -> LedgerEntry:
    """Add `amount` rupiah (a positive int) to the user's wallet, once per (kind, cause).

    Returns the ledger entry; for a cause already applied, the entry it made then (its
    `repeated` is True) and nothing changes."""
    amount = _positive_amount(amount)
    return _apply(user=user, amount=amount, kind=kind, cause=cause, note=note, actor=actor)


def debit(
    *, user, amount: int, kind: str, cause: str, note: str = "", actor: str = "system"
) -> LedgerEntry:
    """Take `amount` rupiah (a positive int) from the user's wallet, once per (kind, cause).

    Raises InsufficientBalance (nothing changed) when the balance does not cover it. The entry's
    amount is negative. A cause already applied returns its entry (`repeated` True)."""
    amount = _positive_amount(amount)
    return _apply(user=user, amount=-amount, kind=kind, cause=cause, note=note, actor=actor)


def adjust(*, user, amount: int, reason: str, actor: str, cause: str | None = None) -> LedgerEntry:
    """A staff correction: signed `amount`, a required reason (the entry's note), never below
    zero (InsufficientBalance). `cause` (default: a fresh "adjustment:<uuid>") lets a form sent
    twice adjust once."""
    if type(amount) is not int or amount == 0:
        raise ValueError(f"amount must be a non-zero int of rupiah, not {amount!r}")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("an adjustment needs a reason")
    return _apply(
        user=user,
        amount=amount,
        kind=Kind.ADJUSTMENT,
        cause=cause or f"adjustment:{uuid.uuid4()}",
        note=reason.strip(),
        actor=actor,
    )


def close_wallet(*, user) -> None:
    """The guard before an account is deleted: refuses (WalletNotEmpty, whose message tells how to
    withdraw) while the balance is above zero. Call it inside the deleting transaction: the
    wallet row stays locked, so no credit slips in between the check and the deletion. The
    wallet and its ledger stay (the user link becomes empty) for the books."""
    from .models import Deposit

    wallet = Wallet.objects.select_for_update().filter(user=user).first()
    if wallet is not None and wallet.balance > 0:
        raise WalletNotEmpty(balance=wallet.balance)
    if Deposit.objects.filter(user=user, status=Deposit.Status.PENDING).exists():
        raise DepositPending()
