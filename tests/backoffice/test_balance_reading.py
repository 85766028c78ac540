"""One service reads the isipay balance (in the worker) and one table keeps the readings."""

import re
from pathlib import Path

import pytest

from backoffice.models import BalanceSnapshot
from orders import services as order_services
from orders.models import SubmissionQueue

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_a_paused_queue_check_keeps_its_reading_as_the_dashboards_snapshot(isipay_client, sandbox):
    order_services.pause_submissions(reason="isipay balance too low")
    sandbox.balance = 4_321_000
    assert order_services.check_supplier_balance(client=isipay_client) == 4_321_000
    assert list(BalanceSnapshot.objects.values_list("balance", flat=True)) == [4_321_000]
    assert not hasattr(SubmissionQueue.get(), "last_balance")


def test_a_running_queue_check_does_not_call_isipay(isipay_client, sandbox):
    assert order_services.check_supplier_balance(client=isipay_client) is None
    assert sandbox.call_count("/api/v1/balance") == 0
    assert not BalanceSnapshot.objects.exists()


def test_the_balance_is_asked_of_isipay_in_one_place():
    callers = [
        path.relative_to(ROOT).as_posix()
        for folder in ("backoffice", "catalog", "orders", "payments", "storefront")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"\.balance\(\)", path.read_text())
    ]
    assert callers == ["backoffice/services.py"]
