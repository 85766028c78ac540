"""Thin Celery wrappers: each calls one service, and is safe to run twice."""

from celery import shared_task

from storefront.supplier import isipay_client

from . import services


@shared_task(
    name="backoffice.record_balance_snapshot",
    time_limit=60,
    soft_time_limit=50,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def record_balance_snapshot() -> int | None:
    """Beat runs this every BALANCE_SNAPSHOT_INTERVAL seconds. A second run only adds a
    snapshot, which the reconciliation handles like any other."""
    snapshot = services.record_balance_snapshot(client=isipay_client())
    return snapshot.balance if snapshot else None
