"""Issue 12, refunds: one refund flow, with the payment's state as its truth."""

from orders import tasks as order_tasks
from payments import tasks as payment_tasks
from storefront.celery import RELIABLE
from storefront.celery import app as celery_app


def test_every_order_and_payment_task_runs_with_the_one_reliable_setting():
    """Item 5: RELIABLE is defined once; every order and payment task is acked late and given
    back when its worker dies (a copy that drifted in one module would lose tasks)."""
    assert order_tasks.RELIABLE is RELIABLE and payment_tasks.RELIABLE is RELIABLE
    names = [
        name for name in celery_app.tasks
        if name.startswith(("orders.", "payments."))
    ]  # fmt: skip
    assert len(names) >= 9
    for name in names:
        task = celery_app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost and task.ignore_result, name
