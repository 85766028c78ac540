"""Thin Celery wrappers: each calls one service, and is safe to run twice."""

from celery import shared_task

from storefront.celery import RELIABLE


@shared_task(
    name="payments.check_pending_payments", time_limit=120, soft_time_limit=100, **RELIABLE
)
def check_pending_payments() -> int:
    from . import services

    return services.check_pending_payments()


@shared_task(name="payments.sweep_refunds", time_limit=120, soft_time_limit=100, **RELIABLE)
def sweep_refunds() -> int:
    from . import services

    return services.sweep_refunds()


@shared_task(name="payments.refresh_tripay_channels", time_limit=60, soft_time_limit=50)
def refresh_tripay_channels() -> int:
    from . import services

    return services.refresh_tripay_channels()
