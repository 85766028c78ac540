"""A supplier that takes time (issue 19): sync, polling and the paid -> submitted pipeline with
every isipay call waiting as a real supplier's does.

python -m bench.supplier_bench sync|poll|pipeline

- sync: 200 games x 50 items from an in-process sandbox answering in 300 ms, then the same
  again unchanged (catalog rows written must stay 0).
- poll: 10,000 orders due, the sandbox (a process of its own) answering status-order in
  500 ms; orders.services.poll_due in-process, tick after tick, until none is processing;
  the isipay calls in flight sampled (largest and mean) under the shop-wide ceiling.
- pipeline: 1,000 orders paid in one burst while compose's worker-isipay (its command from
  docker-compose.yml: a threads pool on the submit and poll queues) submits them to the
  sandbox answering /order in 1 s.

Every isipay call goes through storefront.supplier.isipay_client(): the shop-wide ceiling on
calls in flight applies as in production.
"""

import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from bench.common import (
    SANDBOX_TOKEN,
    StatementCounter,
    compose_worker_command,
    emit,
    migrate,
    paid_order,
    setup_django,
    start_sandbox_process,
)
from devtools.processes import start_logged_process, stop_process, wait_for

# Payment webhooks reaching the web processes at once during the burst.
PAYING_THREADS = 8


def bench_sync(figures: dict) -> None:
    from django.conf import settings
    from django.db import connection

    from bench.budgets import SUPPLIER_SYNC_LATENCY, SYNC_PRODUCTS, SYNC_VARIANTS
    from catalog.models import Variant
    from catalog.services import sync_catalog
    from isipay.sandbox import SandboxServer, generated_catalog
    from storefront.supplier import isipay_client

    catalog = generated_catalog(SYNC_PRODUCTS, SYNC_VARIANTS)
    with SandboxServer(token=SANDBOX_TOKEN, catalog=catalog, latency=SUPPLIER_SYNC_LATENCY) as sb:
        settings.ISIPAY_BASE_URL = sb.url
        started = time.perf_counter()
        run = sync_catalog(client=isipay_client())
        figures["sync_seconds"] = time.perf_counter() - started
        figures["sync_status"] = run.status
        figures["variants_in_db"] = Variant.objects.count()
        counter = StatementCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            run = sync_catalog(client=isipay_client())
            figures["resync_seconds"] = time.perf_counter() - started
        figures["resync_status"] = run.status
        figures["resync_catalog_rows_written"] = counter.catalog_rows_written
        figures["sync_max_in_flight"] = sb.max_in_flight
    figures["concurrency"] = settings.CATALOG_SYNC_CONCURRENCY


def bench_poll(figures: dict, workdir: Path) -> None:
    from django.conf import settings
    from django.utils import timezone

    from bench.budgets import SUPPLIER_POLL_LATENCY, SUPPLIER_POLL_ORDERS
    from catalog.models import Variant
    from catalog.services import sync_catalog
    from orders import services
    from orders.models import Order
    from storefront.call_limit import isipay_call_limit
    from storefront.supplier import isipay_client

    sandbox, url = start_sandbox_process(
        workdir / "sandbox-poll.log", "--pending-seconds", "0", "--complete-seconds", "0",
        "--latency", f"status-order={SUPPLIER_POLL_LATENCY}",
    )  # fmt: skip
    try:
        settings.ISIPAY_BASE_URL = url
        client = isipay_client()
        sync_catalog(client=client)
        variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
        now = timezone.now()
        orders = [
            paid_order(
                variant,
                now,
                status=Order.Status.PROCESSING,
                next_poll_at=now - timedelta(seconds=1),
            )
            for _ in range(SUPPLIER_POLL_ORDERS)
        ]

        def place(order: Order) -> None:
            order.invoice_number = client.order(
                variant.code, order.reference_number, order.data
            ).invoice_number

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(place, orders))
        Order.objects.bulk_create(orders, batch_size=1000)

        in_flight = InFlightSampler(isipay_call_limit()).start()
        started = time.perf_counter()
        ticks = 0
        while Order.objects.filter(status=Order.Status.PROCESSING).exists():
            services.poll_due(client=client, time_budget=50)
            ticks += 1
            if time.perf_counter() - started > 600:
                break
        figures["poll_seconds"] = time.perf_counter() - started
        figures.update(in_flight.stop())
        figures["poll_ticks"] = ticks
        figures["succeeded"] = Order.objects.filter(status=Order.Status.SUCCESS).count()
        figures["still_processing"] = Order.objects.filter(status=Order.Status.PROCESSING).count()
        figures["concurrency"] = settings.ORDER_POLL_CONCURRENCY
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=15)


class InFlightSampler:
    """isipay calls in flight under the shop-wide ceiling (its Redis leases), read every 0.1 s
    while polling: the largest count and the mean over the run."""

    def __init__(self, limit) -> None:
        self.limit = limit
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> "InFlightSampler":
        if hasattr(self.limit, "in_flight"):  # the Redis ceiling; the local one has no count
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.samples.append(self.limit.in_flight())

    def stop(self) -> dict:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if not self.samples:
            return {}
        return {
            "max_in_flight": max(self.samples),
            "mean_in_flight": round(statistics.fmean(self.samples), 1),
            "ceiling": self.limit.limit,
        }


def bench_pipeline(figures: dict, workdir: Path) -> None:
    from django.db import connection

    from bench.budgets import SUPPLIER_ORDER_LATENCY, SUPPLIER_PIPELINE_ORDERS
    from catalog.models import Variant
    from catalog.services import sync_catalog
    from isipay import IsipayClient
    from orders import services
    from orders.models import Order
    from payments import services as payments

    sandbox, url = start_sandbox_process(
        workdir / "sandbox-pipeline.log", "--pending-seconds", "0.2", "--complete-seconds",
        "0.6", "--latency", f"order={SUPPLIER_ORDER_LATENCY}",
    )  # fmt: skip
    command = compose_worker_command("worker-isipay")
    figures["worker"] = " ".join(command[3:])
    env = {**os.environ, "ISIPAY_BASE_URL": url, "LOG_LEVEL": "WARNING"}
    worker = None
    try:
        sync_catalog(client=IsipayClient(base_url=url, token=SANDBOX_TOKEN))
        variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
        attempts = []
        for _ in range(SUPPLIER_PIPELINE_ORDERS):
            order = services.create_order(
                variant=variant,
                account={"user_id": "123456789", "zone_id": "2345"},
                contact_email="bench@example.com",
            )
            attempts.append(payments.start_payment(order=order))
        ids = [attempt.order_id for attempt in attempts]
        worker = start_logged_process(
            command, env, workdir / "worker-isipay.log", started="ready.", timeout=60
        )

        def pay(attempt) -> None:  # as the gateway's webhooks arrive: side by side
            try:
                payments.confirm_paid(payment=attempt)
            finally:
                connection.close()

        started = time.perf_counter()
        with ThreadPoolExecutor(PAYING_THREADS) as pool:
            list(pool.map(pay, attempts))
        figures["paying_seconds"] = time.perf_counter() - started

        def submitted() -> bool:
            return not Order.objects.filter(pk__in=ids, submitted_at__isnull=True).exists()

        wait_for(submitted, timeout=600, what="the burst to be submitted", every=0.5)
        rows = list(Order.objects.filter(pk__in=ids).values_list("paid_at", "submitted_at"))
        waits = [(s - p).total_seconds() for p, s in rows]
        figures["median_paid_to_submitted"] = statistics.median(waits)
        figures["p90_paid_to_submitted"] = statistics.quantiles(waits, n=10)[-1]
        figures["span_seconds"] = (
            max(s for _, s in rows) - min(p for p, _ in rows)
        ).total_seconds()
        figures["submitted"] = len(rows)
        figures["placed_at_isipay"] = Order.objects.filter(
            pk__in=ids, invoice_number__gt=""
        ).count()
    finally:
        if worker is not None:
            stop_process(worker, grace=30)
        sandbox.terminate()
        sandbox.wait(timeout=15)


def bench_scaleout(figures: dict, workdir: Path) -> None:
    """Two worker-isipay containers on one PostgreSQL and one Redis, every order offered to
    both: each order's submit task is queued twice, as a payment's nudge and a sweeper's
    re-nudge can both be. Only the claim (a conditional UPDATE) decides who places it."""
    import json

    from django.utils import timezone

    from bench.budgets import SCALEOUT_ORDER_LATENCY, SCALEOUT_ORDERS, SCALEOUT_THREADS
    from catalog.models import Variant
    from catalog.services import sync_catalog
    from isipay import IsipayClient
    from orders.models import Order
    from orders.tasks import submit_order

    calls_file = workdir / "sandbox-calls.json"
    sandbox, url = start_sandbox_process(
        workdir / "sandbox-scaleout.log", "--pending-seconds", "0.2", "--complete-seconds",
        "0.6", "--latency", f"order={SCALEOUT_ORDER_LATENCY}", "--calls-file", str(calls_file),
    )  # fmt: skip
    # Compose's command, with ISIPAY_WORKER_THREADS as .env would set it (see budgets.py).
    env = {
        **os.environ,
        "ISIPAY_BASE_URL": url,
        "LOG_LEVEL": "INFO",
        "ISIPAY_WORKER_THREADS": str(SCALEOUT_THREADS),
    }
    command = compose_worker_command("worker-isipay", env)
    figures["worker"] = " ".join(command[3:])
    workers: list = []
    try:
        sync_catalog(client=IsipayClient(base_url=url, token=SANDBOX_TOKEN))
        variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
        now = timezone.now()
        waiting = dict(status=Order.Status.PAID, next_submit_at=now, submitted_at=None)
        orders = [paid_order(variant, now, **waiting) for _ in range(SCALEOUT_ORDERS)]
        Order.objects.bulk_create(orders, batch_size=1000)
        ids = list(Order.objects.values_list("pk", flat=True))
        for name in ("a", "b"):
            log = workdir / f"worker-isipay-{name}.log"
            workers.append(start_logged_process(command, env, log, started="ready.", timeout=60))
        started = time.perf_counter()
        with submit_order.app.producer_or_acquire() as producer:  # one connection for all
            for order_id in ids + ids:  # every order offered twice
                submit_order.apply_async(args=(order_id,), producer=producer)
        figures["queued_seconds"] = time.perf_counter() - started

        def settled() -> bool:
            return not Order.objects.filter(
                status__in=(Order.Status.PAID, Order.Status.SUBMITTING)
            ).exists()

        wait_for(settled, timeout=600, what="every order to be placed", every=0.5)
        figures["seconds"] = time.perf_counter() - started
        figures["orders"] = len(ids)
        figures["placed"] = Order.objects.exclude(invoice_number="").count()
    finally:
        for worker in workers:
            stop_process(worker, grace=30)
        stop_process(sandbox, grace=15)
    order_calls = json.loads(calls_file.read_text())["order_calls"]
    references = set(Order.objects.values_list("reference_number", flat=True))
    figures["references_placed"] = sum(1 for ref in references if order_calls.get(ref))
    figures["references_sent_twice"] = sum(1 for n in order_calls.values() if n > 1)
    figures["unknown_references"] = len(set(order_calls) - references)
    # Both containers did the work: each one's claims, from its log.
    figures["claims_per_worker"] = [
        (workdir / f"worker-isipay-{name}.log").read_text().count("paid -> submitting")
        for name in ("a", "b")
    ]


def main() -> None:
    mode = sys.argv[1]
    setup_django()
    migrate()
    workdir = Path(os.environ["CELERY_BROKER_FOLDER"]).parent
    figures: dict = {"mode": mode}
    {
        "sync": lambda: bench_sync(figures),
        "poll": lambda: bench_poll(figures, workdir),
        "pipeline": lambda: bench_pipeline(figures, workdir),
        "scaleout": lambda: bench_scaleout(figures, workdir),
    }[mode]()
    emit(figures)


if __name__ == "__main__":
    main()
