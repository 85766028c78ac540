from celery import shared_task

from storefront.supplier import isipay_client

from . import services


@shared_task(
    name="catalog.sync_catalog",
    time_limit=600,
    soft_time_limit=540,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def sync_catalog() -> dict:
    """Beat runs this every CATALOG_SYNC_INTERVAL; a sync already running makes it a no-op."""
    try:
        run = services.sync_catalog(client=isipay_client())
    except services.SyncAlreadyRunning:
        return {"skipped": "another sync is running"}
    return {"run": run.pk, "status": run.status}
