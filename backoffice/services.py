"""Back-office writes: balance snapshots and deposits."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

import isipay

from .models import BalanceDeposit, BalanceSnapshot

logger = logging.getLogger(__name__)


def record_balance_snapshot(*, client: isipay.IsipayClient) -> BalanceSnapshot | None:
    """Read the isipay balance and keep it; None (and nothing kept) when isipay cannot say.

    The time kept is when the answer arrived: orders recorded before it were charged before it.
    """
    try:
        balance = client.balance().balance
    except isipay.IsipayError as exc:
        logger.warning("balance snapshot skipped: %s", exc)
        return None
    return BalanceSnapshot.objects.create(taken_at=timezone.now(), balance=balance)


def record_deposit(
    *, deposit: BalanceDeposit, user: AbstractBaseUser | None = None
) -> BalanceDeposit:
    """Keep money put into (or, negative, taken out of) the isipay account, and who recorded
    it, for the reconciliation."""
    if deposit.amount == 0:
        raise ValueError("a deposit of zero changes nothing")
    deposit.recorded_by = user
    deposit.save()
    return deposit


def request_balance_snapshot() -> None:
    """Ask a worker to record the balance now, once this transaction commits."""
    from . import tasks

    transaction.on_commit(lambda: tasks.record_balance_snapshot.delay())
