"""What a test's captured on-commit callbacks will do (django_capture_on_commit_callbacks)."""

from functools import partial


def queued_tasks(callbacks) -> list[str]:
    """The Celery tasks queued after commit by orders.services, by name, in order."""
    return [
        callback.func.__self__.name
        for callback in callbacks
        if isinstance(callback, partial) and callback.func.__name__ == "apply_async"
    ]
