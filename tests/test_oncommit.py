"""tests/oncommit.py reads what a commit queues, however the callback was built."""

from functools import partial

from django.db import transaction

from orders.tasks import submit_order

from .oncommit import queued_tasks


def test_queued_tasks_sees_a_task_however_the_callback_queues_it(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        transaction.on_commit(lambda: submit_order.delay(1))
        transaction.on_commit(partial(submit_order.apply_async, args=(2,), countdown=5))
        transaction.on_commit(lambda: None)  # after-commit work that queues nothing
    assert queued_tasks(callbacks) == [submit_order.name] * 2
