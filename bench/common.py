"""Shared by the benchmark runner and its parts: scratch databases, environment, helpers.

Each benchmark part runs as `python -m bench.<part>` in a subprocess with its own scratch
database (an SQLite file in the run folder, or a `bench_<pid>_<part>` PostgreSQL database when
DATABASE_URL points at PostgreSQL) and prints one JSON line of figures as its last line.
"""

import json
import os
import re
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The bench's ISIPAY_API_TOKEN, given to its sandbox: production settings refuse the demo token.
SANDBOX_TOKEN = "bench-isipay-token-0123456789abcdef"
BENCH_SECRET_KEY = "bench-secret-key-not-for-production-0123456789abcdef"


def base_database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def is_postgres() -> bool:
    return base_database_url().startswith(("postgres://", "postgresql://", "pgsql://"))


def broker_kind() -> str:
    return "Redis (own key prefix)" if os.environ.get("REDIS_URL") else "filesystem (own folder)"


def database_kind() -> str:
    cache = "Redis" if os.environ.get("REDIS_URL") else "file cache"
    return f"PostgreSQL + {cache}" if is_postgres() else f"SQLite (WAL) + {cache}"


def create_scratch_database(workdir: Path, name: str) -> str:
    """A fresh, empty database for one part; returns its DATABASE_URL."""
    if not is_postgres():
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    import psycopg

    db_name = f"bench_{os.getpid()}_{name}"
    parts = urlsplit(base_database_url())
    with psycopg.connect(_libpq(parts), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    return urlunsplit(parts._replace(path=f"/{db_name}"))


def drop_scratch_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return
    import psycopg

    parts = urlsplit(url)
    db_name = parts.path.lstrip("/")
    if not db_name.startswith("bench_"):
        return  # never drop anything the bench did not create
    with psycopg.connect(_libpq(urlsplit(base_database_url())), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def _libpq(parts) -> str:
    """The server's maintenance database: CREATE/DROP DATABASE never touch a shared one."""
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def part_env(workdir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """Production shape: DEBUG off, bench secrets, only 127.0.0.1 allowed."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ISIPAY_API_TOKEN": SANDBOX_TOKEN,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "CACHE_FOLDER": str(workdir / "cache"),
        "BENCH_CACHE_PREFIX": f"bench{os.getpid()}",
        # Redis when REDIS_URL is set, under this run's own key prefix (never a shared
        # queue); otherwise a private filesystem broker folder.
        "CELERY_BROKER_URL": os.environ.get("REDIS_URL") or "filesystem://",
        "BENCH_BROKER_PREFIX": f"bench{os.getpid()}_",
        "CELERY_BROKER_FOLDER": str(workdir / "broker"),
        "LOG_LEVEL": "WARNING",
        # No mail server here: receipts go nowhere (production sends them by SMTP).
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        # Production refuses a local SITE_URL and sandbox payments; the bench is a staging shop.
        "SITE_URL": "https://shop.example",
        "PAYMENT_PROVIDERS": "sandbox",
        "ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION": "true",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def emit(figures: dict) -> None:
    """The part's result: the last line of its stdout."""
    sys.stdout.write("\nBENCH-RESULT " + json.dumps(figures, default=str) + "\n")
    sys.stdout.flush()


def setup_django() -> None:
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    for sub in ("processed", "control"):
        (Path(os.environ["CELERY_BROKER_FOLDER"]) / sub).mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)


class StatementCounter:
    """Counts every SQL statement on a connection, and the rows written to catalog tables."""

    WRITES = ("INSERT", "UPDATE", "DELETE")

    def __init__(self) -> None:
        self.statements = 0
        self.catalog_rows_written = 0
        self.catalog_write_statements = 0

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.statements += 1
        head = sql.lstrip().upper()
        if head.startswith(self.WRITES) and (
            '"CATALOG_PRODUCT"' in head or '"CATALOG_VARIANT"' in head
        ):
            self.catalog_write_statements += 1
            rowcount = getattr(context["cursor"], "rowcount", 0) or 0
            self.catalog_rows_written += max(rowcount, 0)
        return result


def start_sandbox_process(log: Path, *extra: str):
    """isipay's sandbox in a process of its own, as the real supplier is (`manage.py
    isipay_sandbox` with `extra` arguments); returns (process, its URL) once it listens."""
    from devtools.processes import start_logged_process

    port = free_port()
    command = [
        sys.executable, "manage.py", "isipay_sandbox", "--port", str(port), "--token",
        SANDBOX_TOKEN, "--balance", str(10**15), "--quiet", *extra,
    ]  # fmt: skip
    process = start_logged_process(command, dict(os.environ), log, started="listening", timeout=30)
    return process, f"http://127.0.0.1:{port}"


def paid_order(variant, now, **fields):
    """An unsaved order for `variant`, paid and placed at `now` (for bulk_create); `fields`
    override any of it (submitted_at=None: paid, waiting to be placed)."""
    from orders.models import Order

    return Order(
        variant=variant,
        product_code=variant.product.code,
        product_name=variant.product.title,
        variant_code=variant.code,
        variant_name=variant.name,
        price=variant.sell_price,
        cost=variant.cost_price,
        account={"user_id": "123456789", "zone_id": "2345"},
        data="123456789(2345)",
        contact_email="bench@example.com",
        **{"paid_at": now, "submitted_at": now, **fields},
    )


def compose_worker_command(service: str, env: dict[str, str] | None = None) -> list[str]:
    """docker-compose.yml's command for `service`, ${VAR:-default} replaced by the default, or
    as compose does by VAR's value in `env` when it is set there and not empty."""
    import yaml

    env = env or {}
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"][service]["command"]
    words = [
        re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m[1]) or m[2], word) for word in command
    ]
    assert words[0] == "celery"
    return [sys.executable, "-m", "celery", *words[1:]]


def clear_broker_keys() -> None:
    """A Redis broker's keys under this run's own prefix (BENCH_BROKER_PREFIX), never a
    shared queue's; nothing with the filesystem broker."""
    prefix = os.environ.get("BENCH_BROKER_PREFIX", "")
    if prefix and os.environ["CELERY_BROKER_URL"].startswith("redis"):
        import redis

        r = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
        for key in r.scan_iter(match=f"{prefix}*"):
            r.delete(key)
