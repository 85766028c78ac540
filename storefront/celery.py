import logging
import os
from functools import partial
from importlib import import_module

from celery import Celery, signals
from kombu.utils.objects import cached_property

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings")

# Every task of ours runs with these: acknowledged only once done, and given back to the
# broker when its worker dies, so a killed worker's task runs again (each is safe to run twice).
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


def schedule(task_name: str, *args, countdown: float | None = None) -> None:
    """Queue the Celery task named `task_name` (e.g. "orders.submit_order") once the current
    transaction commits, so the worker sees the row.

    The one way services reach tasks, in every app (tasks import services, never the other
    way): the task's app's tasks module is imported here, by name, and the task found by the
    explicit name it is registered under.
    """
    from django.db import transaction

    import_module(f"{task_name.partition('.')[0]}.tasks")
    task = app.tasks[task_name]
    options = {} if countdown is None else {"countdown": countdown}
    transaction.on_commit(partial(task.apply_async, args=args, **options))


class GeraiCelery(Celery):
    @cached_property
    def Beat(self):
        """`celery beat` stops on SIGTERM without a hang (storefront/beat.py says why)."""
        return self.subclass_with_self("storefront.beat:Beat")


app = GeraiCelery("storefront")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

notices = logging.getLogger("celery.apps.worker")


def _log_notice(msg: str, f=None) -> None:
    """Celery's notices on signals, as log lines (JSON in production) instead of raw text."""
    notices.info("%s", str(msg).strip())


@signals.celeryd_init.connect
def _route_worker_notices_through_logging(**kwargs) -> None:
    """A worker writes "worker: Warm shutdown (MainProcess)" and the like straight to its
    stdout/stderr file descriptors (celery.apps.worker.safe_say), past logging: with DEBUG off
    that was the one line of its output that was not JSON. Send them through logging instead.
    """
    from celery.apps import worker

    worker.safe_say = _log_notice
