"""What a test's captured on-commit callbacks will do (django_capture_on_commit_callbacks)."""

from unittest import mock

from celery import Celery


def queued_tasks(callbacks) -> list[str]:
    """The Celery tasks the callbacks queue, by name, in order.

    Each callback runs as the commit would run it, with Celery's publishing (every task's
    .delay/.apply_async ends in Celery.send_task) recorded instead of sent: how a callback is
    built does not matter. The other after-commit work (a page version, an email) happens as
    at a real commit.
    """
    names: list[str] = []

    def record(app: Celery, name: str, *args, **kwargs) -> None:
        names.append(name)

    with mock.patch.object(Celery, "send_task", record):
        for callback in callbacks:
            callback()
    return names
