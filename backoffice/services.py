"""Back-office writes: the isipay balance (read and kept here only), and deposits."""

import logging

from django.contrib.auth.models import User
from django.utils import timezone

import isipay
from storefront.celery import schedule

from .models import BalanceDeposit, BalanceSnapshot

logger = logging.getLogger(__name__)


def read_supplier_balance(*, client: isipay.IsipayClient) -> isipay.Balance:
    """Ask isipay for the account balance: the only call of client.balance() in the shop.

    Raises isipay.IsipayError when isipay cannot say. Pages never call it (they show the last
    BalanceSnapshot); workers do, through record_balance_snapshot.
    """
    return client.balance()


def record_balance_snapshot(*, client: isipay.IsipayClient) -> BalanceSnapshot | None:
    """Read the isipay balance and keep it; None (and nothing kept) when isipay cannot say.

    The one place readings are kept: the dashboard, the reconciliation and the submission
    queue's resume all use these rows. The time kept is when the answer arrived: orders
    recorded before it were charged before it.
    """
    try:
        balance = read_supplier_balance(client=client).balance
    except isipay.IsipayError as exc:
        logger.warning("balance snapshot skipped: %s", exc)
        return None
    return BalanceSnapshot.objects.create(taken_at=timezone.now(), balance=balance)


def record_deposit(*, deposit: BalanceDeposit, user: User | None = None) -> BalanceDeposit:
    """Keep money put into (or, negative, taken out of) the isipay account, and who recorded
    it, for the reconciliation."""
    if deposit.amount == 0:
        raise ValueError("a deposit of zero changes nothing")
    deposit.recorded_by = user
    deposit.save()
    return deposit


def request_balance_snapshot() -> None:
    """Ask a worker to record the balance now, once this transaction commits."""
    schedule("backoffice.record_balance_snapshot")
