"""The real pipeline: a live sandbox, Celery worker + beat subprocesses, the test database.

With DATABASE_URL/REDIS_URL set (CI) the worker uses PostgreSQL and Redis; otherwise the
SQLite test file and kombu's filesystem broker in a temporary folder.
"""

import os
import signal
import subprocess
from pathlib import Path

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection

from catalog import services as catalog_services
from catalog.models import Variant
from devtools.processes import celery_worker_command, start_logged_process, stop_process
from isipay import IsipayClient
from isipay.sandbox import SandboxServer
from notifications.fakes import FakeFonnte, FakeTelegram
from orders import services
from orders.models import Order
from payments import services as payments
from storefront.broker import transport_options
from storefront.celery import app as celery_app

from ..conftest import SANDBOX_TOKEN
from ..waiting import wait_for

# Fast timings for the worker and beat; each one a documented setting.
WORKER_SETTINGS = {
    "ORDER_POLL_INTERVAL": "1",
    "ORDER_POLL_FIRST_MIN": "0.2",
    "ORDER_POLL_BACKOFF_BASE": "0.2",
    "ORDER_POLL_BACKOFF_CAP": "1",
    "ORDER_POLL_LEASE": "10",
    "ORDER_SUBMIT_RETRY_BASE": "0.3",
    "ORDER_SUBMIT_STUCK_AFTER": "4",
    "ORDER_SWEEP_INTERVAL": "1",
    "ORDER_BALANCE_CHECK_INTERVAL": "1",
    "ORDER_UNKNOWN_STATUS_REVIEW_AFTER": "2",
    "ISIPAY_TIMEOUT": "5",
    "CATALOG_SYNC_INTERVAL": "3600",
}


class Worker:
    """A `celery worker -B` subprocess (its own process group, so a kill takes all of it)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        command = celery_worker_command(concurrency=2, schedule=self.log.with_suffix(".schedule"))
        self.process = start_logged_process(command, self.env, self.log, started="ready.")
        return self

    def kill(self) -> None:
        """SIGKILL, as when a machine dies: no warm shutdown, no ack, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process:
            stop_process(self.process, grace=15)  # warm shutdown, then the group is killed


@pytest.fixture(scope="module")
def live_sandbox():
    with SandboxServer(token=SANDBOX_TOKEN, port=0, pending_seconds=0.2, complete_seconds=0.6) as s:
        yield s


@pytest.fixture(scope="module")
def live_gateways():
    """The fake Fonnte and Telegram the worker sends the outbox to."""
    with FakeFonnte() as fonnte, FakeTelegram() as telegram:
        yield fonnte, telegram


@pytest.fixture(scope="module")
def worker_env(django_db_setup, live_sandbox, live_gateways, tmp_path_factory):
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    env = {
        **os.environ,
        **WORKER_SETTINGS,
        "DJANGO_SETTINGS_MODULE": "storefront.settings",
        "DATABASE_URL": database_url,
        "ISIPAY_BASE_URL": live_sandbox.url,
        "ISIPAY_API_TOKEN": SANDBOX_TOKEN,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "FONNTE_BASE_URL": live_gateways[0].url,
        "TELEGRAM_API_URL": live_gateways[1].url,
        "WHATSAPP_SEND_INTERVAL": "0.2",
        "NOTIFY_RETRY_BASE": "0.5",
        "NOTIFY_RETRY_CAP": "1",
        "NOTIFY_SWEEP_INTERVAL": "1",
    }
    if celery_app.conf.broker_url.startswith("filesystem"):
        folder = tmp_path_factory.mktemp("broker")
        for sub in ("processed", "control"):
            (folder / sub).mkdir()
        celery_app.conf.broker_transport_options = transport_options(folder)
        env["CELERY_BROKER_FOLDER"] = str(folder)
    # kombu pools connections by URL, not by folder: without a reset this module's messages
    # would go to the previous module's folder, where no worker listens any more.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    with celery_app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            queue.bind(conn.default_channel).purge()  # nothing left over from earlier runs
    return env


@pytest.fixture(scope="module")
def worker(worker_env, tmp_path_factory):
    running = Worker(worker_env, tmp_path_factory.mktemp("worker") / "worker.log").start()
    yield running
    running.stop()


@pytest.fixture
def sandbox(live_sandbox, settings):
    """The module's live sandbox, fresh for each test."""
    live_sandbox.reset()
    settings.ISIPAY_BASE_URL = live_sandbox.url
    settings.ISIPAY_API_TOKEN = SANDBOX_TOKEN
    yield live_sandbox
    live_sandbox.clear_faults()


@pytest.fixture
def gateways(live_gateways):
    for fake in live_gateways:
        fake.reset()
    yield live_gateways
    for fake in live_gateways:
        fake.clear_faults()


@pytest.fixture
def catalog(sandbox):
    client = IsipayClient(base_url=sandbox.url, token=SANDBOX_TOKEN)
    catalog_services.sync_catalog(client=client)


def pay(code="MLBB_ID_5", user_id="123456789") -> Order:
    variant = Variant.objects.select_related("product").get(code=code)
    account = (
        {"user_id": user_id, "zone_id": "2345"} if code.startswith("MLBB") else {"user_id": user_id}
    )
    order = services.create_order(variant=variant, account=account, contact_email="a@b.example")
    payments.confirm_paid(payment=payments.start_payment(order=order))
    return order


def status_of(order: Order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def wait_status(order, *statuses, timeout=60) -> str:
    return wait_for(
        lambda: status_of(order) in statuses and status_of(order),
        timeout=timeout,
        what=f"order {order.number} to reach {statuses} (is {status_of(order)})",
    )
