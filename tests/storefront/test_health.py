"""/healthz and /readyz: what they check, what they answer, and that they leak nothing."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from catalog.models import SyncRun
from orders import services as order_services

from ..factories import SyncRunFactory
from .helpers import closed_port

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_probes_pass_host_validation_and_the_https_redirect(client, settings):
    """Docker and load balancers probe over plain HTTP with a container address as Host."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    for path in ("/healthz", "/readyz", "/healthz/"):
        assert client.get(path, HTTP_HOST="172.18.0.4:8000").status_code == 200, path
    assert client.get("/", HTTP_HOST="shop.example.com").status_code == 301
    assert client.get("/", HTTP_HOST="172.18.0.4:8000").status_code == 400


def test_probes_answer_get_and_head_only(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_readyz_reports_every_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "cache",
        "broker",
    }
    assert body["submissions"] == {
        "paused": False,
        "paused_since": None,
        "waiting": 0,
        "needs_review": 0,
    }


def test_readyz_reports_catalog_age_and_staleness_without_failing(client, settings):
    settings.CATALOG_SYNC_INTERVAL = 900
    body = client.get("/readyz").json()
    assert body["catalog"] == {"last_sync": None, "age_seconds": None, "stale": True}
    assert "catalog sync is overdue" in body["warnings"]

    now = timezone.now()
    SyncRunFactory(
        status=SyncRun.Status.SUCCEEDED,
        started_at=now - timedelta(minutes=11),
        finished_at=now - timedelta(minutes=10),
    )
    SyncRunFactory(
        status=SyncRun.Status.FAILED, started_at=now - timedelta(minutes=2), finished_at=now
    )
    response = client.get("/readyz")
    assert response.status_code == 200
    catalog = response.json()["catalog"]
    assert catalog["stale"] is False
    assert 590 <= catalog["age_seconds"] <= 610  # the failed run does not count

    SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).update(
        finished_at=now - timedelta(hours=1)
    )
    response = client.get("/readyz")
    assert response.status_code == 200  # a stale catalog is a warning, not "unavailable"
    assert response.json()["catalog"]["stale"] is True


def test_readyz_shows_a_paused_submission_queue(client):
    order_services.pause_submissions(reason="isipay balance too low")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["submissions"]["paused"] is True
    assert body["submissions"]["paused_since"]
    assert "order submission is paused" in body["warnings"]


def test_readyz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = f"redis://:broker-pass-9z@127.0.0.1:{closed_port()}/1"
    settings.CELERY_BROKER_TRANSPORT = settings.CELERY_BROKER_TRANSPORT_OPTIONS = None
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ms"] < 3000
    text = response.content.decode()
    assert "broker-pass-9z" not in text
    assert "127.0.0.1" not in text


def test_readyz_is_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://:cache-pass-7q@127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False
    assert "cache-pass-7q" not in response.content.decode()


READYZ_SCRIPT = """
import django
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(response.status_code)
print(response.content.decode())
"""


def test_readyz_is_503_when_the_database_is_unreachable():
    """A real process pointed at a PostgreSQL port where nothing listens."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "storefront.settings",
        "DATABASE_URL": f"postgres://gerai:db-pass-5x@127.0.0.1:{closed_port()}/gerai",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", READYZ_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.split("\n", 1)
    assert status == "503"
    report = json.loads(body)
    assert report["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError",
        "ms": report["checks"]["database"]["ms"],
    }
    assert report["checks"]["cache"]["ok"] is True
    assert "catalog" not in report  # nothing read from a database that is not there
    assert "db-pass-5x" not in result.stdout + result.stderr


# --- issue 12 item 18: through the proxy, /readyz says ok or not and nothing more -----------

PUBLIC = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.mark.parametrize(
    "request_from",
    [
        PUBLIC,  # through Caddy, which always adds X-Forwarded-For
        {"HTTP_X_FORWARDED_FOR": "10.0.0.5"},  # a forged "internal" address changes nothing
        {"REMOTE_ADDR": "203.0.113.9"},  # straight to gunicorn from the internet
        # A proxy that adds no forwarding header (nginx's plain proxy_pass): every public
        # request arrives from the proxy's private address.
        {"REMOTE_ADDR": "172.18.0.7"},
        {**PUBLIC, "HTTP_X_READINESS_TOKEN": "not-the-token"},
    ],
)
def test_readyz_from_outside_gives_the_status_code_only(client, settings, request_from):
    settings.READINESS_TOKEN = "readiness-token-4f9a2c"
    order_services.pause_submissions(reason="isipay balance too low")
    response = client.get("/readyz", **request_from)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    for secret in ("paused", "needs_review", "last_sync", "waiting", "catalog", "warnings"):
        assert secret not in response.content.decode()


def test_readyz_from_outside_still_fails_with_503(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/1"
    settings.CELERY_BROKER_TRANSPORT = settings.CELERY_BROKER_TRANSPORT_OPTIONS = None
    response = client.get("/readyz", **PUBLIC)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.parametrize(
    "request_from",
    [
        {**PUBLIC, "HTTP_X_READINESS_TOKEN": "readiness-token-4f9a2c"},  # an operator's probe
        {"REMOTE_ADDR": "172.18.0.7", "HTTP_X_READINESS_TOKEN": "readiness-token-4f9a2c"},
        {"REMOTE_ADDR": "127.0.0.1"},  # docker's healthcheck inside the container
    ],
)
def test_readyz_details_from_inside_or_with_the_token(client, settings, request_from):
    settings.READINESS_TOKEN = "readiness-token-4f9a2c"
    order_services.pause_submissions(reason="isipay balance too low")
    body = client.get("/readyz", **request_from).json()
    assert body["submissions"]["paused"] is True
    assert "order submission is paused" in body["warnings"]


def test_no_token_is_accepted_while_none_is_set(client, settings):
    settings.READINESS_TOKEN = ""
    response = client.get("/readyz", **PUBLIC, HTTP_X_READINESS_TOKEN="")
    assert response.json() == {"status": "ok"}
