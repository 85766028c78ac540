"""Thin Celery wrappers: each calls one service, and is safe to run twice.

Every task has an explicit name ("orders.…"): django-celery-beat stores it, and services
queue tasks by it (storefront.celery.schedule, which imports this module by name when it
queues), so a module move breaks nothing. Tasks import services, never the other way round.
"""

from celery import shared_task

from storefront.celery import RELIABLE
from storefront.supplier import isipay_client

from . import services


@shared_task(name="orders.submit_order", time_limit=90, soft_time_limit=75, **RELIABLE)
def submit_order(order_id: int) -> str:
    return services.submit_order(order_id=order_id, client=isipay_client())


@shared_task(name="orders.poll_due_orders", time_limit=120, soft_time_limit=100, **RELIABLE)
def poll_due_orders() -> int:
    return services.poll_due(client=isipay_client(), time_budget=50)


@shared_task(name="orders.poll_order", time_limit=60, soft_time_limit=50, **RELIABLE)
def poll_order(order_id: int) -> str:
    return services.poll_order(order_id=order_id, client=isipay_client())


@shared_task(name="orders.sweep_submissions", time_limit=60, soft_time_limit=50, **RELIABLE)
def sweep_submissions() -> int:
    return services.sweep_submissions()


@shared_task(name="orders.check_supplier_balance", time_limit=60, soft_time_limit=50, **RELIABLE)
def check_supplier_balance() -> int | None:
    return services.check_supplier_balance(client=isipay_client())


@shared_task(name="orders.expire_unpaid_orders", time_limit=60, soft_time_limit=50, **RELIABLE)
def expire_unpaid_orders() -> int:
    return services.expire_unpaid(time_budget=40)  # under the 50 s soft limit


@shared_task(name="orders.sweep_refunds", time_limit=120, soft_time_limit=100, **RELIABLE)
def sweep_refunds() -> int:
    return services.sweep_refunds()
