"""Thin Celery wrappers: each calls one service, and is safe to run twice."""

from celery import shared_task

from storefront.celery import RELIABLE


@shared_task(name="wallet.expire_deposits", time_limit=120, soft_time_limit=100, **RELIABLE)
def expire_deposits() -> int:
    from . import deposits

    return deposits.expire_deposits()
