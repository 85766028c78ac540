"""The worker and beat containers' commands, run here with DEBUG off: every line they write,
from start to a SIGTERM stop, is a JSON log line (Celery's own shutdown notice included)."""

import json
import re
import secrets
import signal
import sys

import pytest

from devtools.processes import start_logged_process, stop_process, wait_for
from tests.production import REAL_PAYMENTS

from ..integration.conftest import live_gateways, live_sandbox, worker_env  # noqa: F401  (fixtures)
from .conftest import command_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def compose_command(service: dict) -> list[str]:
    """The service's command with compose's ${VAR:-default} replaced by the default."""
    command = [re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", part) for part in command_of(service)]
    assert command[0] == "celery"
    return [sys.executable, "-m", "celery", *command[1:]]


@pytest.fixture
def production_env(worker_env):  # noqa: F811
    return {
        **worker_env,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ISIPAY_API_TOKEN": "live-token-for-the-worker-log-test",
        **REAL_PAYMENTS,
        "EMAIL_URL": "smtp+tls://shop:pw@smtp.example.com:587",
        "LOG_FORMAT": "",  # the production default: JSON
        "LOG_LEVEL": "INFO",
        "WORKER_CONCURRENCY": "1",
    }


def run_until_sigterm(command, env, log, *, started: str) -> str:
    process = start_logged_process(command, env, log, started=started)
    try:
        process.send_signal(signal.SIGTERM)  # what `docker compose stop` sends
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        stop_process(process, grace=0)
    return log.read_text()


def not_json(text: str) -> list[str]:
    bad = []
    for line in text.splitlines():
        try:
            assert isinstance(json.loads(line), dict)
        except (ValueError, AssertionError):
            bad.append(line)
    return bad


@pytest.mark.parametrize("service", ["worker", "worker-isipay", "beat"])
def test_every_line_of_a_production_service_is_json_through_its_stop(
    services, production_env, tmp_path, service
):
    started = "ready." if service.startswith("worker") else "Schedule changed"
    text = run_until_sigterm(
        compose_command(services[service]),
        production_env,
        tmp_path / f"{service}.log",
        started=started,
    )
    assert text.strip(), "the service logged nothing"
    assert not_json(text) == [], text
    messages = [json.loads(line)["message"] for line in text.splitlines()]
    if service.startswith("worker"):
        assert any("Warm shutdown" in message for message in messages), messages


def test_beat_stopped_while_its_query_waits_exits_at_once_and_logs_json(
    services, production_env, tmp_path, uses_postgres
):
    """`docker compose stop` can reach beat in the middle of a query. Celery's own handler then
    saved the schedule from inside the signal handler, on the connection the interrupted query
    holds, and beat hung until it was killed (storefront/beat.py). Beat's query is made to wait
    on a table lock, so the signal lands in it every time."""
    if not uses_postgres:
        pytest.skip("needs PostgreSQL's table locks (CI runs it with DATABASE_URL set)")
    from django.db import connection, transaction

    log = tmp_path / "beat.log"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE django_celery_beat_periodictask IN ACCESS EXCLUSIVE MODE")
        process = start_logged_process(compose_command(services["beat"]), production_env, log)
        try:
            wait_for(
                lambda: _waits_on_a_lock(cursor) or process.poll() is not None,
                timeout=60,
                what="beat waiting on the locked table",
            )
            assert process.poll() is None, log.read_text()
            process.send_signal(signal.SIGTERM)
            # Stopping cancels the waiting query; the old handler left it waiting forever.
            wait_for(
                lambda: not _waits_on_a_lock(cursor),
                timeout=20,
                what="beat's waiting query given up on SIGTERM",
            )
        except BaseException:
            stop_process(process, grace=0)
            raise
    try:
        assert process.wait(timeout=20) == 0, log.read_text()
    finally:
        stop_process(process, grace=0)
    assert not_json(log.read_text()) == [], log.read_text()


def _waits_on_a_lock(cursor) -> bool:
    # pg_stat_activity is read once per transaction unless the snapshot is cleared.
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        " AND pid <> pg_backend_pid()"
    )
    return cursor.fetchone()[0] > 0
