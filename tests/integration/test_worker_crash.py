"""A worker killed with SIGKILL in the middle of placing an order."""

import pytest

from orders.models import Order

from .conftest import Worker, pay, status_of, wait_for, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = Order.Status


def test_worker_killed_mid_submission_is_resumed_with_one_supplier_order(
    worker_env, tmp_path, sandbox, catalog
):
    first = Worker(worker_env, tmp_path / "first.log").start()
    try:
        sandbox.inject("/api/v1/order", "slow", seconds=3)  # isipay is working on it…
        order = pay()
        wait_for(lambda: sandbox.order_calls(order.reference_number) == 1, what="the order call")
        first.kill()  # …when the worker's machine dies
    finally:
        first.stop()
    assert status_of(order) == S.SUBMITTING

    second = Worker(worker_env, tmp_path / "second.log").start()
    try:
        assert wait_status(order, S.SUCCESS, timeout=60) == S.SUCCESS
    finally:
        second.stop()
    order.refresh_from_db()
    placed = [o for o in sandbox.orders.values() if o.reference == order.reference_number]
    assert len(placed) == 1
    assert order.invoice_number == placed[0].invoice
    assert order.events.filter(actor="sweeper").exists()
