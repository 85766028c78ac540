"""The worker and beat containers' commands, run here with DEBUG off: every line they write,
from start to a SIGTERM stop, is a JSON log line (Celery's own shutdown notice included)."""

import json
import re
import secrets
import signal
import sys

import pytest

from devtools.processes import start_logged_process, stop_process
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


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_every_line_of_a_production_service_is_json_through_its_stop(
    services, production_env, tmp_path, service
):
    started = "ready." if service == "worker" else "Schedule changed"
    text = run_until_sigterm(
        compose_command(services[service]),
        production_env,
        tmp_path / f"{service}.log",
        started=started,
    )
    assert text.strip(), "the service logged nothing"
    assert not_json(text) == [], text
    messages = [json.loads(line)["message"] for line in text.splitlines()]
    if service == "worker":
        assert any("Warm shutdown" in message for message in messages), messages
