"""The web container's command, run here: gunicorn with the project's config, DEBUG off."""

import contextlib
import json
import os
import secrets
import signal
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.production import REAL_PAYMENTS

from ..storefront.helpers import closed_port
from ..waiting import wait_for
from .conftest import ROOT, command_of
from .test_settings import SCRUB


@pytest.fixture(scope="module")
def web(services, tmp_path_factory):
    """gunicorn started with docker-compose.yml's web command, on a free local port."""
    port = closed_port()
    log = tmp_path_factory.mktemp("gunicorn") / "web.log"
    env = {
        **{k: v for k, v in os.environ.items() if k not in SCRUB},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ISIPAY_API_TOKEN": "live-token-for-gunicorn-test",
        # What else production needs to start (issue 12: no sandbox, a public https URL, mail).
        **REAL_PAYMENTS,
        "EMAIL_URL": "smtp+tls://shop:pw@smtp.example.com:587",
        "ALLOWED_HOSTS": "shop.example.com",
        "DATABASE_URL": f"sqlite:///{log.parent / 'db.sqlite3'}",
        "CELERY_BROKER_FOLDER": str(log.parent / "broker"),
        "CACHE_FOLDER": str(log.parent / "cache"),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            command_of(services["web"]),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
            return True
        return False

    try:
        wait_for(lambda: answers() or process.poll() is not None, timeout=30, every=0.2)
    except AssertionError:
        process.kill()
        raise
    if process.poll() is not None:
        raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")
    yield base, process, log
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=5)
    except urllib.error.HTTPError as error:
        return error


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_healthz_answers_like_the_compose_healthcheck(web):
    base, _, _ = web
    response = get(base + "/healthz")
    assert response.status == 200
    assert json.loads(response.read()) == {"status": "ok"}
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_plain_http_is_redirected_to_https_and_https_gets_hsts(web):
    base, _, _ = web
    response = get(base + "/", Host="shop.example.com")
    assert response.status == 301
    assert response.headers["Location"] == "https://shop.example.com/"
    secure = get(base + "/healthz", Host="shop.example.com", **{"X-Forwarded-Proto": "https"})
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
    assert get(base + "/", Host="evil.example").status == 400


def test_every_log_line_is_json_and_requests_are_logged_without_query_strings(web):
    base, process, log = web
    get(base + "/?email=someone@contoh.example", Host="shop.example.com")
    get(base + "/healthz")
    os.killpg(process.pid, signal.SIGTERM)  # graceful: finish in-flight requests, then exit
    assert process.wait(timeout=30) == 0
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert {line["logger"] for line in lines} >= {"gunicorn.error", "gunicorn.access"}
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    requests = [(line["method"], line["path"], line["status"]) for line in access]
    assert ("GET", "/", 301) in requests
    assert not [path for _, path, _ in requests if path in ("/healthz", "/readyz")]
    assert "someone@contoh.example" not in log.read_text()
    assert any("Shutting down" in line["message"] for line in lines)
