"""Back-office writes: the isipay balance (read and kept here only), and deposits."""

import logging
from functools import partial

from celery import current_app
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

import isipay

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
    _schedule("backoffice.record_balance_snapshot")


def _schedule(task_name: str, *args, countdown: float | None = None) -> None:
    """The one way this app's services enqueue a task: by its name, once the transaction commits.

    Tasks import services, never the other way round; the import here only registers them.
    """
    from . import tasks  # noqa: F401

    task = current_app.tasks[task_name]
    transaction.on_commit(partial(task.apply_async, args=args, countdown=countdown))
