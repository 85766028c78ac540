"""Reads of wallets: a customer's balance and ledger, and the back office's totals and check."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Deposit, LedgerEntry, Wallet

ENTRIES_PER_PAGE = 20


def balance_of(user) -> int:
    """The user's balance in rupiah (0 without a wallet or for an anonymous visitor)."""
    if not getattr(user, "pk", None):
        return 0
    return Wallet.objects.filter(user=user).values_list("balance", flat=True).first() or 0


def entries_of(user, *, page: int | str = 1, per_page: int = ENTRIES_PER_PAGE) -> Page:
    """The user's ledger, newest first, one page of it (an out-of-range page gives the last)."""
    entries = LedgerEntry.objects.filter(wallet__user=user).order_by("-created_at", "-pk")
    return Paginator(entries, per_page).get_page(page)


@dataclass(frozen=True)
class Totals:
    wallets: int
    balances: int  # the sum of all balances: what the shop owes its customers
    entries: int  # the sum of all ledger entries: equal to `balances` when the books are right

    @property
    def ok(self) -> bool:
        return self.balances == self.entries


def totals() -> Totals:
    wallets = Wallet.objects.aggregate(n=Count("pk"), total=Sum("balance"))
    entries = LedgerEntry.objects.aggregate(total=Sum("amount"))
    return Totals(
        wallets=wallets["n"] or 0,
        balances=wallets["total"] or 0,
        entries=entries["total"] or 0,
    )


def _with_entry_sum(wallets: QuerySet[Wallet]) -> QuerySet[Wallet]:
    entry_sum = (
        LedgerEntry.objects.filter(wallet=OuterRef("pk"))
        .order_by()
        .values("wallet")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return wallets.annotate(
        entry_sum=Coalesce(Subquery(entry_sum), Value(0), output_field=IntegerField())
    )


def ledger_mismatches() -> QuerySet[Wallet]:
    """Wallets whose balance differs from the sum of their entries (annotated `entry_sum`)."""
    return (
        _with_entry_sum(Wallet.objects.select_related("user"))
        .exclude(balance=F("entry_sum"))
        .order_by("pk")
    )


DEPOSITS_ON_ACCOUNT_PAGE = 10


def deposit_of(user, reference: str) -> Deposit | None:
    """The user's own deposit with this reference (None for anyone else's)."""
    if not getattr(user, "pk", None):
        return None
    return Deposit.objects.filter(user=user, reference=reference).first()


def recent_deposits(user, *, limit: int = DEPOSITS_ON_ACCOUNT_PAGE) -> list[Deposit]:
    return list(Deposit.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])
