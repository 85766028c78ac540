"""Memory over a long run (issue 19): web workers over 100,000 requests, Celery workers over
10,000 orders.

python -m bench.memory_bench web|worker

- web: `gunicorn storefront.wsgi -w 2` as bench/run.py starts it, on the 200 x 50 catalog
  with 500 orders; wrk (-t1 -c8) sends requests round the home page, 50 game pages and the
  500 orders' status fragments, so that whatever a process keeps per page or per order would
  pile up. The RSS of each gunicorn worker is read from /proc after 1,000
  requests and again after 100,000.
- worker: docker-compose.yml's two workers (as bench.worker_bench starts them, beat in the
  process worker) and the isipay sandbox in a process of its own answering at once. Orders
  are created in bulk as paid and their submit tasks queued (what the payment webhook
  queues), so the time goes to the workers: a warm-up of 1,000 orders placed and polled to
  success, then the RSS of each worker's process tree; 10,000 more, then the RSS again.
"""

import os
import re
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import (
    SANDBOX_TOKEN,
    clear_broker_keys,
    compose_worker_command,
    emit,
    free_port,
    migrate,
    paid_order,
    setup_django,
)
from devtools.processes import start_logged_process, stop_process, wait_for

WRK_CONNECTIONS = 8
# Distinct pages the requests go round: whatever a process keeps per game or per order shows,
# and the first 1,000 requests see each at least once (the early reading is of a warm process).
WEB_GAMES, WEB_ORDERS = 50, 500
# Stops wrk's one thread after the number of answers given as its argument.
WRK_SCRIPT = """
local paths, n, i, limit = {}, 0, 0, 0
function init(args)
  limit = tonumber(args[1])
  for line in io.lines(args[2]) do paths[#paths + 1] = line end
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["X-Forwarded-Proto"] = "https"})
end
function response(status, headers, body)
  n = n + 1
  if n >= limit then wrk.thread:stop() end
end
"""


def rss_bytes(pid: int) -> int:
    """0 when the process is gone (gunicorn replaced a worker: the row then fails)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def bench_web(figures: dict, workdir: Path) -> None:
    import subprocess

    from django.core.management import call_command
    from django.utils import timezone

    from bench.budgets import (
        MEMORY_WEB_REQUESTS_EARLY,
        MEMORY_WEB_REQUESTS_LATE,
        SYNC_PRODUCTS,
        SYNC_VARIANTS,
    )
    from bench.run import WRK, start_gunicorn
    from catalog.models import Variant
    from catalog.selectors import products_for_sale
    from catalog.services import sync_catalog
    from isipay import IsipayClient
    from isipay.sandbox import SandboxServer, generated_catalog
    from orders.models import Order

    call_command("collectstatic", "--no-input", verbosity=0)  # pages name hashed files
    catalog = generated_catalog(SYNC_PRODUCTS, SYNC_VARIANTS)
    with SandboxServer(token=SANDBOX_TOKEN, catalog=catalog) as sandbox:
        sync_catalog(client=IsipayClient(base_url=sandbox.url, token=SANDBOX_TOKEN))
    variants = list(Variant.objects.select_related("product").order_by("pk"))[::250]
    now = timezone.now()
    Order.objects.bulk_create(
        [
            paid_order(variants[n % len(variants)], now, status=Order.Status.PROCESSING)
            for n in range(WEB_ORDERS)
        ],
        batch_size=1000,
    )
    paths = ["/"]
    games = products_for_sale().values_list("slug", flat=True)[:WEB_GAMES]
    paths += [f"/games/{slug}/" for slug in games]
    paths += [f"/orders/{n}/status/" for n in Order.objects.values_list("number", flat=True)]
    paths_file = workdir / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / "count.lua"
    script.write_text(WRK_SCRIPT)
    figures["distinct_paths"] = len(paths)

    port = free_port()
    gunicorn = start_gunicorn(dict(os.environ), port, workdir / "gunicorn-memory.log")
    try:
        workers = children(gunicorn.pid)
        for path in (paths[0], paths[1], paths[-1]):  # each kind answers, before counting
            started = time.perf_counter()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                assert answer.status == 200, (path, answer.status)
            figures.setdefault("first_answers", {})[path] = time.perf_counter() - started

        def send(requests: int) -> float:
            started = time.perf_counter()
            out = subprocess.run(  # noqa: S603
                [WRK, "-t1", f"-c{WRK_CONNECTIONS}", "-d600s", "--timeout", "30s", "-s",
                 str(script), f"http://127.0.0.1:{port}/", "--", str(requests), str(paths_file)],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
            figures["non_2xx"] = figures.get("non_2xx", 0) + (int(bad.group(1)) if bad else 0)
            return time.perf_counter() - started

        send(MEMORY_WEB_REQUESTS_EARLY)
        figures["rss_early"] = [rss_bytes(pid) for pid in workers]
        figures["late_seconds"] = send(MEMORY_WEB_REQUESTS_LATE - MEMORY_WEB_REQUESTS_EARLY)
        figures["rss_late"] = [rss_bytes(pid) for pid in workers]
        figures["same_workers"] = children(gunicorn.pid) == workers
    finally:
        stop_process(gunicorn, grace=15)
    figures["requests"] = MEMORY_WEB_REQUESTS_LATE
    pairs = zip(figures["rss_early"], figures["rss_late"], strict=True)
    figures["growth"] = max(late / early if early else float("inf") for early, late in pairs)


def bench_worker(figures: dict, workdir: Path) -> None:
    from django.db.models import Count
    from django.utils import timezone

    from bench.budgets import MEMORY_WORKER_ORDERS, MEMORY_WORKER_WARMUP_ORDERS
    from bench.worker_bench import WORKER_SETTINGS, start_sandbox, tree_rss_bytes
    from catalog.models import Variant
    from catalog.services import sync_catalog
    from isipay import IsipayClient
    from orders.models import Order
    from orders.tasks import submit_order

    sandbox = start_sandbox(workdir / "sandbox-memory.log")
    env = {**os.environ, **WORKER_SETTINGS, "ISIPAY_BASE_URL": sandbox.url}
    beat = ["-B", "--scheduler", "celery.beat:PersistentScheduler"]
    commands = {
        "worker": [*compose_worker_command("worker"), *beat, "-s", str(workdir / "beat-schedule")],
        "worker-isipay": compose_worker_command("worker-isipay"),
    }
    figures["worker"] = "; ".join(" ".join(c[3:]) for c in commands.values())
    workers: dict = {}
    try:
        sync_catalog(client=IsipayClient(base_url=sandbox.url, token=SANDBOX_TOKEN))
        variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
        for service, command in commands.items():
            log = workdir / f"{service}.log"
            workers[service] = start_logged_process(command, env, log, started="ready.")

        def run(n: int) -> float:
            """n orders paid now, placed and polled to success by the workers."""
            now = timezone.now()
            waiting = dict(status=Order.Status.PAID, next_submit_at=now, submitted_at=None)
            orders = [paid_order(variant, now, **waiting) for _ in range(n)]
            first = Order.objects.bulk_create(orders, batch_size=1000)
            ids = [o.pk for o in first] if first[0].pk else None
            if ids is None:  # a backend that returns no keys: the newest n rows
                ids = list(Order.objects.order_by("-pk").values_list("pk", flat=True)[:n])
            started = time.perf_counter()
            with submit_order.app.producer_or_acquire() as producer:  # one connection for all
                for order_id in ids:
                    submit_order.apply_async(args=(order_id,), producer=producer)

            def done() -> bool:
                states = dict(
                    Order.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("pk"))
                )
                return states.get(Order.Status.SUCCESS, 0) == n

            wait_for(done, timeout=900, what=f"{n} orders to succeed", every=1)
            return time.perf_counter() - started

        def rss() -> dict[str, int]:
            time.sleep(2)  # the last tasks' acknowledgements and messages settle
            return {name: tree_rss_bytes(w.pid) for name, w in workers.items()}

        figures["warmup_seconds"] = run(MEMORY_WORKER_WARMUP_ORDERS)
        figures["rss_early"] = rss()
        figures["orders_seconds"] = run(MEMORY_WORKER_ORDERS)
        figures["rss_late"] = rss()
        figures["orders"] = MEMORY_WORKER_ORDERS
        figures["succeeded"] = Order.objects.filter(status=Order.Status.SUCCESS).count()
    finally:
        for worker in workers.values():
            stop_process(worker, grace=15)
        sandbox.terminate()
        sandbox.wait(timeout=15)
        clear_broker_keys()
    early, late = figures["rss_early"], figures["rss_late"]
    figures["growth"] = {name: late[name] / early[name] - 1 for name in early}
    figures["growth_total"] = sum(late.values()) / sum(early.values()) - 1


def main() -> None:
    mode = sys.argv[1]
    setup_django()
    migrate()
    workdir = Path(os.environ["CELERY_BROKER_FOLDER"]).parent
    figures: dict = {"mode": mode}
    {"web": lambda: bench_web(figures, workdir), "worker": lambda: bench_worker(figures, workdir)}[
        mode
    ]()
    emit(figures)


if __name__ == "__main__":
    main()
