"""Thin Celery tasks of the notify queue (CELERY_TASK_ROUTES "notifications.*")."""

from celery import shared_task

from storefront.celery import RELIABLE


@shared_task(name="notifications.send_message", **RELIABLE)
def send_message(message_id: int) -> str:
    from . import services

    return str(services.send_message(message_id=message_id))


@shared_task(name="notifications.send_messages", **RELIABLE)
def send_messages(message_ids: list[int]) -> None:
    from . import services

    services.queue_sends(message_ids=message_ids)


@shared_task(name="notifications.sweep_outbox", **RELIABLE)
def sweep_outbox() -> int:
    from . import services

    return services.sweep_outbox()


@shared_task(name="notifications.check_alerts", **RELIABLE)
def check_alerts() -> None:
    from . import services

    services.check_alerts()
