"""Pipeline (budget 6) and workers' memory (budget 7), through compose's Celery workers.

python -m bench.worker_bench

docker-compose.yml's two workers as subprocesses, their commands read from it: `worker` (a
process pool on default, sync and notify, with beat in it here) and `worker-isipay` (a threads
pool on submit and poll), against this part's scratch database, a private filesystem broker
folder, and the isipay sandbox on localhost in a process of its own. Orders are created and
paid here (payments.services.confirm_paid, as the payment webhook does), which enqueues
submission; worker-isipay submits them to the sandbox and polls them to success.

Phases: 100 orders (then the RSS of both workers' process trees is read), 500 orders paid in
one burst (the pipeline figures: paid_at -> submitted_at), 200 orders paid in one burst from a
customer's balance (payments.services.pay_with_wallet: the debit and "paid" in one
transaction; the same figures, same budget), 200 more (RSS read again after 1,000 in all).
"""

import os
import statistics
import subprocess
import time
from pathlib import Path

from bench.common import (
    SANDBOX_TOKEN,
    clear_broker_keys,
    compose_worker_command,
    emit,
    migrate,
    setup_django,
    start_sandbox_process,
)
from devtools.processes import start_logged_process, stop_process, wait_for

# Fast polling so 1,000 orders finish in a bench run; everything else is the default.
WORKER_SETTINGS = {
    "ORDER_POLL_INTERVAL": "1",
    "ORDER_POLL_FIRST_MIN": "0.2",
    "ORDER_POLL_BACKOFF_BASE": "0.2",
    "ORDER_POLL_BACKOFF_CAP": "1",
    "CATALOG_SYNC_INTERVAL": "3600",
    "LOG_LEVEL": "INFO",
}


def tree_rss_bytes(root_pid: int) -> int:
    """RSS of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def start_sandbox(log: Path) -> subprocess.Popen:
    """isipay's sandbox in a process of its own, as the real supplier is: the orders paid in
    this process never compete with it for the interpreter. Its URL is set as .url."""
    sandbox, url = start_sandbox_process(
        log, "--pending-seconds", "0.2", "--complete-seconds", "0.6"
    )
    sandbox.url = url
    return sandbox


def main() -> None:
    setup_django()
    migrate()
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from bench.budgets import (
        MEMORY_ORDERS_EARLY,
        MEMORY_ORDERS_LATE,
        PIPELINE_ORDERS,
        WALLET_PIPELINE_ORDERS,
    )
    from catalog.models import Variant
    from catalog.services import sync_catalog
    from isipay import IsipayClient
    from orders import services
    from orders.models import Order
    from payments import services as payments
    from wallet import services as wallet_services
    from wallet.models import LedgerEntry, Wallet

    sandbox = start_sandbox(Path(os.environ["CELERY_BROKER_FOLDER"]).parent / "sandbox.log")
    sync_catalog(client=IsipayClient(base_url=sandbox.url, token=SANDBOX_TOKEN))
    variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")

    workdir = Path(os.environ["CELERY_BROKER_FOLDER"]).parent
    env = {**os.environ, **WORKER_SETTINGS, "ISIPAY_BASE_URL": sandbox.url}
    # Beat runs inside the process worker here, on the settings' schedule (compose runs it as
    # a service of its own with the database scheduler).
    beat = ["-B", "--scheduler", "celery.beat:PersistentScheduler"]
    commands = {
        "worker": [*compose_worker_command("worker"), *beat, "-s", str(workdir / "beat-schedule")],
        "worker-isipay": compose_worker_command("worker-isipay"),
    }
    figures: dict = {
        "worker": "; ".join(" ".join(c[3:]) for c in commands.values()),
    }
    workers: list = []

    def workers_rss() -> int:
        return sum(tree_rss_bytes(w.pid) for w in workers)

    try:
        for service, command in commands.items():
            log = workdir / f"{service}.log"
            workers.append(start_logged_process(command, env, log, started="ready."))

        def pay(n: int) -> list[int]:
            ids = []
            for _ in range(n):
                order = services.create_order(
                    variant=variant,
                    account={"user_id": "123456789", "zone_id": "2345"},
                    contact_email="bench@example.com",
                )
                payments.confirm_paid(payment=payments.start_payment(order=order))
                ids.append(order.pk)
            return ids

        buyer = get_user_model().objects.create_user("bench-wallet", "wallet@example.com")
        wallet_services.credit(
            user=buyer,
            amount=variant.sell_price * WALLET_PIPELINE_ORDERS,
            kind=LedgerEntry.Kind.DEPOSIT,
            cause="bench:deposit",
        )

        def pay_from_balance(n: int) -> list[int]:
            ids = []
            for _ in range(n):
                order = services.create_order(
                    variant=variant,
                    account={"user_id": "123456789", "zone_id": "2345"},
                    contact_email="wallet@example.com",
                    customer=buyer,
                    payment_provider="wallet",
                )
                payments.pay_with_wallet(order_id=order.pk, user=buyer)
                ids.append(order.pk)
            return ids

        def pipeline(ids: list[int], prefix: str) -> None:
            def submitted():
                return not Order.objects.filter(pk__in=ids, submitted_at__isnull=True).exists()

            wait_for(submitted, timeout=600, what="the burst to be submitted", every=0.2)
            rows = list(Order.objects.filter(pk__in=ids).values_list("paid_at", "submitted_at"))
            waits = [(s - p).total_seconds() for p, s in rows]
            span = (max(s for _, s in rows) - min(p for p, _ in rows)).total_seconds()
            figures[f"{prefix}_median_paid_to_submitted"] = statistics.median(waits)
            figures[f"{prefix}_p90_paid_to_submitted"] = statistics.quantiles(waits, n=10)[-1]
            figures[f"{prefix}_span_seconds"] = span
            figures[f"{prefix}_throughput_per_second"] = len(rows) / span
            all_final(ids, timeout=600)

        def all_final(ids: list[int], timeout: float) -> None:
            def done():
                states = dict(
                    Order.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("pk"))
                )
                return states.get(Order.Status.SUCCESS, 0) == len(ids)

            wait_for(done, timeout=timeout, what=f"{len(ids)} orders to succeed", every=0.5)

        early = pay(MEMORY_ORDERS_EARLY)
        all_final(early, timeout=300)
        time.sleep(2)
        figures["rss_after_early"] = workers_rss()

        started = time.perf_counter()
        burst = pay(PIPELINE_ORDERS)
        figures["pipeline_paying_seconds"] = time.perf_counter() - started

        pipeline(burst, "pipeline")

        started = time.perf_counter()
        wallet_burst = pay_from_balance(WALLET_PIPELINE_ORDERS)
        figures["wallet_paying_seconds"] = time.perf_counter() - started
        pipeline(wallet_burst, "wallet_pipeline")
        figures["wallet_balance_left"] = Wallet.objects.get(user=buyer).balance

        rest = pay(
            MEMORY_ORDERS_LATE - MEMORY_ORDERS_EARLY - PIPELINE_ORDERS - WALLET_PIPELINE_ORDERS
        )
        all_final(rest, timeout=600)
        time.sleep(2)
        figures["rss_after_late"] = workers_rss()
        figures["orders_total"] = Order.objects.filter(status=Order.Status.SUCCESS).count()
        figures["rss_growth"] = figures["rss_after_late"] / figures["rss_after_early"] - 1
    finally:
        for worker in workers:
            stop_process(worker, grace=15)
        sandbox.terminate()
        sandbox.wait(timeout=15)
        clear_broker_keys()
    emit(figures)


if __name__ == "__main__":
    main()
