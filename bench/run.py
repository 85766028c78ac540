"""`make bench`: every benchmark, one table, written to bench/results.md.

Each part runs in its own subprocess against its own scratch database (see bench/common.py), in
production shape: DEBUG off, bench SECRET_KEY and ISIPAY_API_TOKEN, ALLOWED_HOSTS=127.0.0.1,
gunicorn for pages, PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, SQLite otherwise.
Budgets are in bench/budgets.py.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

from bench import budgets as B
from bench.common import (
    ROOT,
    broker_kind,
    create_scratch_database,
    database_kind,
    drop_scratch_database,
    free_port,
    is_postgres,
    part_env,
)
from devtools.processes import start_logged_process, stop_process, wait_for

RESULTS = ROOT / "bench" / "results.md"
WRK = shutil.which("wrk") or "/usr/bin/wrk"  # Debian's wrk (make bench installs it)
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "5"))
WRK_ROUNDS = int(os.environ.get("BENCH_WRK_ROUNDS", "3"))
WRK_CONNECTIONS = 8
# A crowd polling at once (a flash sale): the status fragment and the bare anchor at this many.
CROWD_CONNECTIONS = B.CROWD_CONNECTIONS
# wrk counts an answer slower than this as a timeout error, and leaves it out of the p99: at
# 256 connections on 2 busy cores, its default 2 s would cut the tail off (a browser's poll
# waits far longer), so the crowd's p99 is measured up to here.
CROWD_TIMEOUT = "10s"
# Parts to run: everything, or "pages" (the 200-product catalog and the pages only).
ONLY = os.environ.get("BENCH_ONLY", "")
# Every request as it arrives from the TLS proxy in production (SECURE_SSL_REDIRECT stays on).
PROXY_HEADER = ("X-Forwarded-Proto", "https")


class Row:
    def __init__(self, name: str, figure: str, budget: str, ok: bool | None) -> None:
        self.name, self.figure, self.budget, self.ok = name, figure, budget, ok

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "ERROR"}[self.ok]


def run_part(module: str, args: list[str], env: dict[str, str], log: Path) -> dict:
    """Run `python -m bench.<module>`; its figures are the JSON on its BENCH-RESULT line."""
    with log.open("w") as out:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", f"bench.{module}", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    text = log.read_text()
    for line in reversed(text.splitlines()):
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    raise RuntimeError(f"bench.{module} failed (exit {done.returncode}):\n{text[-2500:]}")


# --- pages (budgets 1, 2) ------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "storefront.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        "2",
        # Two masters at once must not share ~/.gunicorn/gunicorn.ctl.
        "--no-control-socket",
    ]
    process = start_logged_process(command, env, log)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=dict([PROXY_HEADER]))

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn died:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310
                return True
        except OSError:
            return False

    try:
        wait_for(answers, timeout=30, what="gunicorn to answer", every=0.2)
    except TimeoutError:
        stop_process(process, grace=0)
        raise RuntimeError(f"gunicorn did not answer:\n{log.read_text()[-2000:]}") from None
    return process


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str,
    seconds: int,
    headers: dict[str, str] | None = None,
    connections: int = WRK_CONNECTIONS,
) -> dict:
    sent = {PROXY_HEADER[0]: PROXY_HEADER[1], **(headers or {})}
    crowd = ["--timeout", CROWD_TIMEOUT] if connections == CROWD_CONNECTIONS else []
    out = subprocess.run(  # noqa: S603
        [
            WRK,
            "-t1",
            f"-c{connections}",
            *crowd,
            f"-d{seconds}s",
            "--latency",
            *[arg for name, value in sent.items() for arg in ("-H", f"{name}: {value}")],
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p99_ms": float(value) * _UNITS[unit],
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def as_browser(url: str, headers: dict[str, str]) -> dict[str, str]:
    """`headers` with the cookies the page's first answer sets added to its Cookie header, as
    a browser sends them on its next requests (a member's remembered tier, the CSRF cookie)."""
    request = urllib.request.Request(url, headers={**dict([PROXY_HEADER]), **headers})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        jar = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
    sent = SimpleCookie(headers.get("Cookie", ""))
    for name, morsel in jar.items():
        sent[name] = morsel.value
    cookie = "; ".join(f"{name}={morsel.coded_value}" for name, morsel in sent.items())
    return {**headers, "Cookie": cookie} if cookie else dict(headers)


def bench_pages(
    workdir: Path,
    database_url: str,
    pages: dict[str, str],
    headers: dict[str, dict[str, str]] | None = None,
    crowd: tuple[str, ...] = (),
) -> dict:
    """Hello-world, the bare-Django anchor and the shop's pages, each served by
    `gunicorn -w 2`, runs alternating (hello, bare, page, hello, bare, next page, ...).
    `headers`: a page's own request headers (a member's session cookie), or a callable given
    the page's URL once the shop answers (a poll's If-None-Match, etag_of). `crowd`: pages
    also measured with CROWD_CONNECTIONS connections, alternating with the bare anchor at as
    many.
    Figures are named after the page, "hello", "bare", and "<name>@<connections>"."""
    headers = headers or {}
    env = part_env(workdir, database_url)
    hello_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_hello"}
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_bare"}
    app_port, hello_port, bare_port = free_port(), free_port(), free_port()
    servers = []
    try:
        servers.append(start_gunicorn(env, app_port, workdir / "gunicorn-app.log"))
        servers.append(start_gunicorn(hello_env, hello_port, workdir / "gunicorn-hello.log"))
        servers.append(start_gunicorn(bare_env, bare_port, workdir / "gunicorn-bare.log"))
        anchors = {
            "hello": f"http://127.0.0.1:{hello_port}/",
            "bare": f"http://127.0.0.1:{bare_port}/",
        }
        urls = {**anchors}
        urls |= {name: f"http://127.0.0.1:{app_port}{path}" for name, path in pages.items()}
        sent = {
            name: h(urls[name]) if callable(h) else as_browser(urls[name], h)
            for name, h in headers.items()
        }
        for name, url in urls.items():  # warm caches and imports
            wrk(url, 2, sent.get(name))
        crowded = {f"{name}@{CROWD_CONNECTIONS}": name for name in ("bare", *crowd)}
        runs: dict[str, list[dict]] = {name: [] for name in [*urls, *crowded]}
        for _ in range(WRK_ROUNDS):
            for name in pages:
                for anchor in anchors:
                    runs[anchor].append(wrk(urls[anchor], WRK_SECONDS))
                runs[name].append(wrk(urls[name], WRK_SECONDS, sent.get(name)))
            for name in crowd:
                bare = f"bare@{CROWD_CONNECTIONS}"
                runs[bare].append(wrk(urls["bare"], WRK_SECONDS, connections=CROWD_CONNECTIONS))
                runs[f"{name}@{CROWD_CONNECTIONS}"].append(
                    wrk(urls[name], WRK_SECONDS, sent.get(name), connections=CROWD_CONNECTIONS)
                )
    finally:
        for server in reversed(servers):
            stop_process(server, grace=15)
    return {
        name: {
            "rps": statistics.median(r["rps"] for r in results),
            "p99_ms": statistics.median(r["p99_ms"] for r in results),
            "non_2xx": sum(r["non_2xx"] for r in results),
            "socket_errors": [r["socket_errors"] for r in results if r["socket_errors"]],
        }
        for name, results in runs.items()
        if results
    }


def etag_of(url: str) -> dict[str, str]:
    """The If-None-Match a browser sends when it polls `url` again (nothing without an ETag)."""
    request = urllib.request.Request(url, headers=dict([PROXY_HEADER]))  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        etag = response.headers.get("ETag")
    return {"If-None-Match": etag} if etag else {}


def plan_summary(plan: str) -> str:
    """The plan's line about orders_order (the scan or search the budget is about)."""
    for line in plan.splitlines():
        if "orders_order" in line:
            return line.strip().removeprefix("->").strip()
    return plan.splitlines()[0]


# --- the table ------------------------------------------------------------------------------


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="gerai-bench-"))
    (workdir / "broker").mkdir()
    started = datetime.now(UTC)
    rows: list[Row] = []
    notes: list[str] = []
    databases: list[str] = []

    def scratch(name: str) -> str:
        url = create_scratch_database(workdir, name)
        databases.append(url)
        return url

    def part(module: str, args: list[str], name: str, **extra: str) -> dict:
        sub = workdir / name
        (sub / "broker").mkdir(parents=True)
        env = part_env(workdir, scratch(name), **extra)
        env["CELERY_BROKER_FOLDER"] = str(sub / "broker")
        print(f"… {module} {' '.join(args)}", flush=True)
        figures = run_part(module, args, env, sub / "part.log")
        figures["_database_url"] = env["DATABASE_URL"]
        return figures

    try:
        print(f"bench: working in {workdir}; {database_kind()}", flush=True)
        static_env = part_env(workdir, scratch("static"))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=static_env,
            check=True,
        )

        # 3 and 4: sync and queries per request, at 10 and 200 products.
        small_n, big_n = B.QUERY_COUNT_CATALOG_SIZES
        catalogs = {}
        for n in (big_n,) if ONLY == "pages" else (small_n, big_n):
            try:
                args = [str(n)] + (["--resync"] if n == B.SYNC_PRODUCTS else [])
                catalogs[n] = part("catalog_bench", args, f"catalog{n}", BENCH_LOCMEM_CACHE="1")
            except Exception as exc:
                notes.append(f"catalog_bench {n}: {exc}")
        big = catalogs.get(B.SYNC_PRODUCTS)
        if len(catalogs) == 2:
            for page in ("home", "game", "order", "order_status"):
                a, b = catalogs[small_n]["queries"][page], catalogs[big_n]["queries"][page]
                rows.append(
                    Row(
                        f"3. queries/request, {page} (uncached)",
                        f"{a} at {small_n} products, {b} at {big_n}",
                        "constant",
                        a == b,
                    )
                )
        elif ONLY != "pages":
            rows.append(Row("3. queries/request", "-", "constant", None))
        if big:
            rows.append(
                Row(
                    f"4. first sync {B.SYNC_PRODUCTS}x{B.SYNC_VARIANTS}",
                    f"{big['first_sync_seconds']:.2f} s ({big['first_sync_statements']} "
                    f"statements, {big['variants_in_db']} variants)",
                    f"< {B.SYNC_FIRST_MAX_SECONDS:g} s",
                    big["first_sync_seconds"] < B.SYNC_FIRST_MAX_SECONDS
                    and big["first_sync_status"] == "succeeded",
                )
            )
            rows.append(
                Row(
                    "4. unchanged re-sync",
                    f"{big['resync_seconds']:.2f} s, "
                    f"{big['resync_catalog_rows_written']} rows written",
                    f"< {B.SYNC_UNCHANGED_MAX_SECONDS:g} s, "
                    f"{B.SYNC_UNCHANGED_MAX_ROWS_WRITTEN} rows",
                    big["resync_seconds"] < B.SYNC_UNCHANGED_MAX_SECONDS
                    and big["resync_catalog_rows_written"] <= B.SYNC_UNCHANGED_MAX_ROWS_WRITTEN
                    and big["resync_catalog_write_statements"] == 0,
                )
            )
        if len(catalogs) == 2:
            spp = {
                n: (c["statements_per_product_min"], c["statements_per_product_max"])
                for n, c in catalogs.items()
            }
            constant = len({v for pair in spp.values() for v in pair}) == 1
            rows.append(
                Row(
                    "4. statements per product (variant write)",
                    ", ".join(f"{lo}..{hi} at {n} products" for n, (lo, hi) in spp.items()),
                    "constant",
                    constant,
                )
            )
        elif ONLY != "pages":
            rows.append(Row("4. catalog sync", "-", "see notes", None))

        # 1 and 2: pages, on the 200-product database.
        if big:
            page_rows(big, workdir, rows, notes)
        else:
            rows.append(Row("1./2. pages", "-", "needs the 200-product catalog", None))
        if ONLY == "pages":
            return finish(rows, notes, started, workdir, databases)

        # 5: polling and the due-order index.
        try:
            poll = part("poll_bench", [], "poll", BENCH_LOCMEM_CACHE="1")
            rows.append(
                Row(
                    f"5. poll {B.POLL_ORDERS} due orders, one worker",
                    f"{poll['poll_seconds']:.1f} s ({poll['polled']} polled, "
                    f"{poll['succeeded']} succeeded)",
                    f"< {B.POLL_MAX_SECONDS:g} s",
                    poll["poll_seconds"] < B.POLL_MAX_SECONDS
                    and poll["polled"] == B.POLL_ORDERS
                    and poll["still_processing"] == 0,
                )
            )
            rows.append(
                Row(
                    f"5. due-order SELECT, {poll['orders_in_table']:,} orders",
                    plan_summary(poll["plan"]),
                    "uses an index (order_due_poll / no Seq Scan)",
                    poll["uses_index"],
                )
            )
            notes.append(
                f"5. bulk insert of {B.POLL_FINISHED_ORDERS:,} finished orders: "
                f"{poll['bulk_insert_seconds']:.1f} s"
            )
        except Exception as exc:
            notes.append(f"poll_bench: {exc}")
            rows.append(Row("5. polling", "-", "see notes", None))

        # 6 and 7: compose's two Celery workers.
        try:
            w = part("worker_bench", [], "worker")
            rows.append(
                Row(
                    f"6. pipeline {B.PIPELINE_ORDERS} paid -> submitted",
                    f"median {w['pipeline_median_paid_to_submitted']:.2f} s, "
                    f"p90 {w['pipeline_p90_paid_to_submitted']:.2f} s; "
                    f"{w['pipeline_throughput_per_second']:.1f} orders/s",
                    f"median < {B.PIPELINE_MEDIAN_PAID_TO_SUBMITTED_MAX_SECONDS:g} s",
                    w["pipeline_median_paid_to_submitted"]
                    < B.PIPELINE_MEDIAN_PAID_TO_SUBMITTED_MAX_SECONDS,
                )
            )
            rows.append(
                Row(
                    f"6b. pipeline {B.WALLET_PIPELINE_ORDERS} paid from balance -> submitted",
                    f"median {w['wallet_pipeline_median_paid_to_submitted']:.2f} s, "
                    f"p90 {w['wallet_pipeline_p90_paid_to_submitted']:.2f} s; "
                    f"{w['wallet_pipeline_throughput_per_second']:.1f} orders/s",
                    f"median < {B.PIPELINE_MEDIAN_PAID_TO_SUBMITTED_MAX_SECONDS:g} s",
                    w["wallet_pipeline_median_paid_to_submitted"]
                    < B.PIPELINE_MEDIAN_PAID_TO_SUBMITTED_MAX_SECONDS
                    and w["wallet_balance_left"] == 0,
                )
            )
            notes.append(
                f"6b. paying the {B.WALLET_PIPELINE_ORDERS} orders from one balance (create + "
                f"pay_with_wallet, one at a time) took {w['wallet_paying_seconds']:.1f} s; "
                f"balance left {w['wallet_balance_left']} (funded for exactly that many)."
            )
            notes.append(
                f"6. paying the {B.PIPELINE_ORDERS} orders (create + pay, one at a "
                f"time, in the bench process) took "
                f"{w['pipeline_paying_seconds']:.1f} s; all submitted "
                f"{w['pipeline_span_seconds']:.1f} s after the first payment."
            )
            mb = 1024 * 1024
            rows.append(
                Row(
                    "7. workers' RSS growth",
                    f"{w['rss_after_early'] / mb:.0f} MB after "
                    f"{B.MEMORY_ORDERS_EARLY}, {w['rss_after_late'] / mb:.0f} MB after "
                    f"{w['orders_total']} = {w['rss_growth']:+.1%}",
                    f"< {B.MEMORY_MAX_GROWTH:.0%}",
                    w["rss_growth"] < B.MEMORY_MAX_GROWTH
                    and w["orders_total"] >= B.MEMORY_ORDERS_LATE,
                )
            )
        except Exception as exc:
            notes.append(f"worker_bench: {exc}")
            rows.append(Row("6./7. worker", "-", "see notes", None))
        # 8: a supplier that takes time.
        supplier_parts(part, rows, notes)
        # 9 and 10: two worker containers; memory over a long run.
        scaling_parts(part, rows, notes)
    except BaseException:
        cleanup(databases, notes)
        raise
    return finish(rows, notes, started, workdir, databases)


def cleanup(databases: list[str], notes: list[str]) -> None:
    clear_cache_keys()
    for url in databases:
        try:
            drop_scratch_database(url)
        except Exception as exc:  # a leftover bench_ database is not worth a crash
            notes.append(f"could not drop {url.rsplit('/', 1)[-1]}: {exc}")
    databases.clear()


def finish(
    rows: list[Row], notes: list[str], started: datetime, workdir: Path, databases: list[str]
) -> int:
    cleanup(databases, notes)
    report = render(rows, notes, started)
    print("\n" + report)
    if not ONLY:  # results.md holds whole runs only
        RESULTS.write_text(report)
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(row.ok for row in rows) else 1


def page_rows(big: dict, workdir: Path, rows: list[Row], notes: list[str]) -> None:
    """Budgets 1 and 2: each page against hello-world (the shop's own middleware) and against
    the bare-Django anchor (Django's default middleware only), and the status fragment under
    a crowd of CROWD_CONNECTIONS against the anchor at as many."""
    status_path = f"/orders/{big['order_number']}/status/"
    pages = {
        "game": f"/games/{big['game_slug']}/",
        "home": "/",
        "order_status": status_path,
        # What a waiting customer's browser sends from the second poll on: the ETag it got.
        "order_status_poll": status_path,
        # Issue 15: a logged-in member's page (their browser sends back the cookies its first
        # answer set: the remembered tier); a guest's during a running flash sale.
        "game_member": f"/games/{big['game_slug']}/",
        "game_sale": f"/games/{big['sale_game_slug']}/",
    }
    headers = {"game_member": {"Cookie": big["member_cookie"]}, "order_status_poll": etag_of}
    print("… pages (gunicorn + wrk)", flush=True)
    try:
        web = bench_pages(
            workdir, big["_database_url"], pages, headers=headers, crowd=("order_status_poll",)
        )
    except Exception as exc:
        notes.append(f"pages: {exc}")
        rows.append(Row("1./2. pages", "-", "see notes", None))
        return
    hello, bare = web["hello"], web["bare"]
    for label, anchor in (("hello-world reference", hello), ("bare-Django anchor", bare)):
        rows.append(
            Row(label, f"{anchor['rps']:.0f} req/s, p99 {anchor['p99_ms']:.1f} ms", "-", True)
        )
    checks = [
        ("1. game page (200x50), anonymous", "game", B.GAME_PAGE_MIN_RPS_RATIO),
        ("1. game page (200x50), logged-in member", "game_member", B.GAME_PAGE_MIN_RPS_RATIO),
        (
            "1. game page (200x50), guest during a flash sale",
            "game_sale",
            B.GAME_PAGE_MIN_RPS_RATIO,
        ),
        ("2. home page", "home", B.HOME_PAGE_MIN_RPS_RATIO),
        ("2. order status fragment", "order_status", B.ORDER_STATUS_FRAGMENT_MIN_RPS_RATIO),
        (
            "2. order status fragment, unchanged poll (If-None-Match)",
            "order_status_poll",
            B.ORDER_STATUS_FRAGMENT_MIN_RPS_RATIO,
        ),
    ]
    for label, name, ratio in checks:
        r = web[name]
        share = r["rps"] / hello["rps"]
        p99 = r["p99_ms"] / hello["p99_ms"]
        ok = share >= ratio and r["non_2xx"] == 0
        budget = f">= {ratio:.0%} of hello req/s"
        if name.startswith("game"):
            ok = ok and p99 <= B.GAME_PAGE_MAX_P99_RATIO
            budget += f", p99 <= {B.GAME_PAGE_MAX_P99_RATIO:g}x hello"
        rows.append(Row(label, _against(r, hello), budget, ok))
    # Against bare Django (issue 19).
    bare_checks = [
        ("1b. game page (200x50), anonymous, vs bare Django", "game", B.BARE_GAME_MIN_RPS_RATIO),
        ("2b. home page, vs bare Django", "home", B.BARE_HOME_MIN_RPS_RATIO),
        (
            "2b. order status fragment, vs bare Django",
            "order_status",
            B.BARE_STATUS_MIN_RPS_RATIO,
        ),
        (
            "2b. order status, unchanged poll, vs bare Django",
            "order_status_poll",
            B.BARE_STATUS_MIN_RPS_RATIO,
        ),
    ]
    for label, name, ratio in bare_checks:
        r = web[name]
        ok = (
            r["rps"] / bare["rps"] >= ratio
            and r["p99_ms"] / bare["p99_ms"] <= B.BARE_MAX_P99_RATIO
            and r["non_2xx"] == 0
        )
        budget = f">= {ratio:.0%} of bare req/s, p99 <= {B.BARE_MAX_P99_RATIO:g}x"
        rows.append(Row(label, _against(r, bare), budget, ok))
    crowd_bare = web[f"bare@{CROWD_CONNECTIONS}"]
    rows.append(
        Row(
            f"bare-Django anchor, {CROWD_CONNECTIONS} connections",
            f"{crowd_bare['rps']:.0f} req/s, p99 {crowd_bare['p99_ms']:.1f} ms"
            + _errors(crowd_bare),
            "-",
            True,
        )
    )
    r = web[f"order_status_poll@{CROWD_CONNECTIONS}"]
    rows.append(
        Row(
            f"2c. order status polls, {CROWD_CONNECTIONS} connections, vs bare Django",
            _against(r, crowd_bare) + _errors(r),
            f"no errors, p99 <= {B.CROWD_MAX_P99_RATIO:g}x bare's at {CROWD_CONNECTIONS}",
            r["non_2xx"] == 0
            and not r["socket_errors"]
            and r["p99_ms"] / crowd_bare["p99_ms"] <= B.CROWD_MAX_P99_RATIO,
        )
    )


def _against(r: dict, anchor: dict) -> str:
    figure = (
        f"{r['rps']:.0f} req/s = {r['rps'] / anchor['rps']:.0%}; "
        f"p99 {r['p99_ms']:.1f} ms = {r['p99_ms'] / anchor['p99_ms']:.1f}x"
    )
    if r["non_2xx"]:
        figure += f"; {r['non_2xx']} non-2xx"
    return figure


def _errors(r: dict) -> str:
    """Every run's socket errors (connect, read, write, timeout), added up."""
    if not r["socket_errors"]:
        return ""
    totals: dict[str, int] = {}
    for line in r["socket_errors"]:
        for kind, count in re.findall(r"(\w+) (\d+)", line):
            totals[kind] = totals.get(kind, 0) + int(count)
    return "; socket errors: " + ", ".join(f"{k} {n}" for k, n in totals.items() if n)


def supplier_parts(part, rows: list[Row], notes: list[str]) -> None:
    """Sync, polling and the pipeline with the sandbox answering as slowly as a real supplier."""
    try:
        sync = part("supplier_bench", ["sync"], "supplier_sync", BENCH_LOCMEM_CACHE="1")
        rows.append(
            Row(
                f"8. sync {B.SYNC_PRODUCTS}x{B.SYNC_VARIANTS}, isipay "
                f"{float(B.SUPPLIER_SYNC_LATENCY) * 1000:.0f} ms/call",
                f"{sync['sync_seconds']:.1f} s; unchanged {sync['resync_seconds']:.1f} s, "
                f"{sync['resync_catalog_rows_written']} rows written "
                f"({sync['concurrency']} calls at once)",
                f"< {B.SUPPLIER_SYNC_MAX_SECONDS:g} s, 0 rows",
                sync["sync_seconds"] < B.SUPPLIER_SYNC_MAX_SECONDS
                and sync["sync_status"] == "succeeded"
                and sync["resync_catalog_rows_written"] == 0,
            )
        )
    except Exception as exc:
        notes.append(f"supplier_bench sync: {exc}")
        rows.append(Row("8. sync at supplier speed", "-", "see notes", None))
    try:
        poll = part("supplier_bench", ["poll"], "supplier_poll", BENCH_LOCMEM_CACHE="1")
        rows.append(
            Row(
                f"8. poll {B.SUPPLIER_POLL_ORDERS:,} due, isipay "
                f"{B.SUPPLIER_POLL_LATENCY * 1000:.0f} ms/call",
                f"{poll['poll_seconds']:.1f} s ({poll['succeeded']:,} succeeded, "
                f"{poll['poll_ticks']} ticks, {poll['concurrency']} calls at once)",
                f"< {B.SUPPLIER_POLL_MAX_SECONDS:g} s",
                poll["poll_seconds"] < B.SUPPLIER_POLL_MAX_SECONDS
                and poll["still_processing"] == 0,
            )
        )
    except Exception as exc:
        notes.append(f"supplier_bench poll: {exc}")
        rows.append(Row("8. polling at supplier speed", "-", "see notes", None))
    try:
        p = part("supplier_bench", ["pipeline"], "supplier_pipeline")
        rows.append(
            Row(
                f"8. {B.SUPPLIER_PIPELINE_ORDERS:,} paid -> placed, isipay "
                f"{B.SUPPLIER_ORDER_LATENCY * 1000:.0f} ms/order",
                f"all in {p['span_seconds']:.1f} s; median {p['median_paid_to_submitted']:.1f} s,"
                f" p90 {p['p90_paid_to_submitted']:.1f} s",
                f"<= {B.SUPPLIER_PIPELINE_MAX_SECONDS:g} s, median <= "
                f"{B.SUPPLIER_PIPELINE_MEDIAN_MAX_SECONDS:g} s",
                p["span_seconds"] <= B.SUPPLIER_PIPELINE_MAX_SECONDS
                and p["median_paid_to_submitted"] <= B.SUPPLIER_PIPELINE_MEDIAN_MAX_SECONDS
                and p["placed_at_isipay"] == B.SUPPLIER_PIPELINE_ORDERS,
            )
        )
        notes.append(
            f"8. pipeline worker: `celery {p['worker']}` (compose's worker-isipay); the "
            f"{B.SUPPLIER_PIPELINE_ORDERS:,} payments were confirmed from 8 threads in "
            f"{p['paying_seconds']:.1f} s."
        )
    except Exception as exc:
        notes.append(f"supplier_bench pipeline: {exc}")
        rows.append(Row("8. pipeline at supplier speed", "-", "see notes", None))


def scaling_parts(part, rows: list[Row], notes: list[str]) -> None:
    """Two worker-isipay containers on one database and broker; memory of web and workers."""
    mb = 1024 * 1024
    try:
        if not is_postgres():
            raise RuntimeError(
                "PostgreSQL + Redis only: more worker containers are the production shape's "
                "way to grow; the embedded SQLite mode runs one worker"
            )
        s = part("supplier_bench", ["scaleout"], "scaleout")
        a, b = s["claims_per_worker"]
        rows.append(
            Row(
                f"9. {B.SCALEOUT_ORDERS:,} orders, two worker-isipay containers",
                f"{s['references_placed']:,} placed, {s['references_sent_twice']} references "
                f"sent twice ({a} + {b} claims, {s['seconds']:.0f} s)",
                f"{B.SCALEOUT_MAX_REFERENCES_SENT_TWICE} sent twice, all placed",
                s["references_sent_twice"] <= B.SCALEOUT_MAX_REFERENCES_SENT_TWICE
                and s["references_placed"] == B.SCALEOUT_ORDERS
                and s["placed"] == B.SCALEOUT_ORDERS
                and s["unknown_references"] == 0,
            )
        )
        notes.append(
            f"9. `celery {s['worker']}` twice (compose's worker-isipay, "
            f"ISIPAY_WORKER_THREADS={B.SCALEOUT_THREADS} each); every order's submit task "
            f"queued twice; isipay {B.SCALEOUT_ORDER_LATENCY * 1000:.0f} ms per order; "
            "references counted at the sandbox."
        )
    except Exception as exc:
        notes.append(f"supplier_bench scaleout: {exc}")
        if is_postgres():
            rows.append(Row("9. two worker containers", "-", "see notes", None))
    try:
        w = part("memory_bench", ["web"], "memory_web")
        early, late = w["rss_early"], w["rss_late"]
        rows.append(
            Row(
                f"10. web workers' RSS, {B.MEMORY_WEB_REQUESTS_LATE:,} requests",
                ", ".join(
                    f"{a / mb:.0f} -> {b / mb:.0f} MB" for a, b in zip(early, late, strict=True)
                )
                + f" = {w['growth']:.2f}x at most"
                + (f"; {w['non_2xx']} non-2xx" if w["non_2xx"] else "")
                + ("" if w["same_workers"] else "; a worker was replaced"),
                f"<= {B.MEMORY_WEB_MAX_RATIO:g}x the RSS after {B.MEMORY_WEB_REQUESTS_EARLY:,}",
                w["growth"] <= B.MEMORY_WEB_MAX_RATIO and w["same_workers"] and w["non_2xx"] == 0,
            )
        )
        notes.append(
            f"10. gunicorn -w 2, wrk -t1 -c8 round {w['distinct_paths']:,} paths (home, 50 "
            f"game pages, 500 orders' status fragments); the last "
            f"{B.MEMORY_WEB_REQUESTS_LATE - B.MEMORY_WEB_REQUESTS_EARLY:,} requests took "
            f"{w['late_seconds']:.0f} s."
        )
    except Exception as exc:
        notes.append(f"memory_bench web: {exc}")
        rows.append(Row("10. web memory", "-", "see notes", None))
    try:
        w = part("memory_bench", ["worker"], "memory_worker")
        early, late, growth = w["rss_early"], w["rss_late"], w["growth"]
        rows.append(
            Row(
                f"10. Celery workers' RSS, {B.MEMORY_WORKER_ORDERS:,} orders",
                "; ".join(
                    f"{name} {early[name] / mb:.0f} -> {late[name] / mb:.0f} MB {growth[name]:+.1%}"
                    for name in early
                ),
                f"< {B.MEMORY_WORKER_MAX_GROWTH:.0%} each",
                all(g < B.MEMORY_WORKER_MAX_GROWTH for g in growth.values())
                and w["succeeded"] == B.MEMORY_WORKER_WARMUP_ORDERS + B.MEMORY_WORKER_ORDERS,
            )
        )
        notes.append(
            f"10. orders created in bulk as paid, their submit tasks queued; RSS of each "
            f"worker's process tree after a warm-up of {B.MEMORY_WORKER_WARMUP_ORDERS:,} and "
            f"after {B.MEMORY_WORKER_ORDERS:,} more placed and polled to success "
            f"({w['orders_seconds']:.0f} s)."
        )
    except Exception as exc:
        notes.append(f"memory_bench worker: {exc}")
        rows.append(Row("10. worker memory", "-", "see notes", None))


def clear_cache_keys() -> None:
    """Only this run's own page-cache keys in a shared Redis (their prefix is the run's)."""
    if not os.environ.get("REDIS_URL"):
        return
    import redis

    prefix = part_env(Path("/nonexistent"), "")["BENCH_CACHE_PREFIX"]
    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in r.scan_iter(match=f"{prefix}:*"):
        r.delete(key)


def render(rows: list[Row], notes: list[str], started: datetime) -> str:
    widths = [
        max(len(r.name) for r in rows),
        max(len(r.figure) for r in rows),
        max(len(r.budget) for r in rows),
    ]
    lines = [
        "# Benchmark results (`make bench`)",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; CPUs: {os.cpu_count()}; "
        f"Python {sys.version.split()[0]}",
        f"- Database and cache: {database_kind()}; Celery broker: {broker_kind()}",
        "- Production shape: DEBUG off, bench SECRET_KEY/ISIPAY_API_TOKEN, "
        "ALLOWED_HOSTS=127.0.0.1, `X-Forwarded-Proto: https` as from the TLS proxy; pages "
        "served by `gunicorn storefront.wsgi -w 2`, static files collected into a temp "
        "STATIC_ROOT.",
        f"- Pages: wrk -t1 -c{WRK_CONNECTIONS}, {WRK_ROUNDS} rounds of {WRK_SECONDS} s runs "
        "alternating hello-world / bare Django / page (hello, bare, game, hello, bare, home, "
        "...), so all see the same machine state; each figure is the median over its runs, each "
        "page against the median of all hello-world runs and of all bare-Django runs. "
        "Hello-world is `bench/hello_urls.py` (one HttpResponse view) under the shop's settings, "
        "middleware and gunicorn command; bare Django is `bench/settings_bare.py` + "
        "`bench/bare_urls.py` (startproject's settings and default middleware, the same view, "
        "the same gunicorn command). The unchanged poll sends the ETag its first answer "
        f"carried, as a browser does. Crowd: the unchanged poll and bare Django, -c"
        f"{CROWD_CONNECTIONS} --timeout {CROWD_TIMEOUT}, alternating, once per round.",
        "- Queries per request: Django test client + CaptureQueriesContext, cache cleared "
        "before each measured request.",
        "- Polling (5): orders.services.poll_due called in-process with a real IsipayClient "
        "against the SandboxServer over HTTP. Pipeline and memory (6, 7): docker-compose.yml's "
        "`worker` (process pool; beat in it here) and `worker-isipay` (threads on submit and "
        "poll) as subprocesses, with their commands read from the compose file, and the "
        "isipay sandbox in a process of its own; RSS of both workers' process trees from "
        "/proc.",
        "- Scaling out (9): compose's worker-isipay command as two processes on one database and "
        "broker, every order's submit task queued twice, references counted by the sandbox. "
        "Memory (10): RSS of each gunicorn worker and of each Celery worker's process tree, "
        "from /proc.",
        "",
        f"| {'benchmark':<{widths[0]}} | {'figure':<{widths[1]}} | "
        f"{'budget':<{widths[2]}} | result |",
        f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 2)}|{'-' * (widths[2] + 2)}|--------|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name:<{widths[0]}} | {r.figure:<{widths[1]}} | "
            f"{r.budget:<{widths[2]}} | {r.verdict:<6} |"
        )
    if notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
