"""Production settings pass `check --deploy`; the demo keeps plain HTTP and its defaults."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from .conftest import ROOT

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "shop.example.com",
    "ISIPAY_API_TOKEN": "live-token-from-isipay",
    "DATABASE_URL": "postgres://gerai:pw@127.0.0.1:5432/gerai",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://shop:pw@smtp.example.com:587",
}
# Variables of this process that must not leak into the checked configuration.
# (pytest-playwright sets DJANGO_ALLOW_ASYNC_UNSAFE for its live server tests.)
SCRUB = {"SECRET_KEY", "ISIPAY_API_TOKEN", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
         "DEBUG", "EMAIL_BACKEND", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # fmt: skip


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SCRUB}
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def production(**overrides: str) -> dict[str, str]:
    return {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), **overrides}


def test_check_deploy_is_clean_under_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production())
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DATABASE_URL": ""}, "storefront.W001"),
        ({"REDIS_URL": ""}, "storefront.W002"),
        ({"EMAIL_URL": "", "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
         "storefront.W003"),
    ],
)  # fmt: skip
def test_check_deploy_catches_a_weakened_production_setup(override, warning):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production(**override)
    )
    assert result.returncode != 0
    assert warning in result.stderr


def test_an_empty_security_variable_means_its_safe_default():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production(SECURE_SSL_REDIRECT="", SECURE_HSTS_SECONDS="", SECURE_HSTS_PRELOAD=""),
    )
    assert result.returncode == 0, result.stderr


SHOW = """
import json, django
django.setup()
from django.conf import settings as s
names = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "LOG_FORMAT", "EMAIL_BACKEND",
         "ADMIN_URL", "TRUSTED_PROXY_COUNT"]
print(json.dumps({name: getattr(s, name) for name in names}))
"""


def settings_of(**env: str) -> dict:
    result = run(["-c", SHOW], DJANGO_SETTINGS_MODULE="storefront.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_demo_has_no_https_redirect_or_secure_cookies():
    demo = settings_of(SECURE_SSL_REDIRECT="true", SECURE_HSTS_SECONDS="31536000")
    assert demo == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "LOG_FORMAT": "text",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "ADMIN_URL": "admin/",
        "TRUSTED_PROXY_COUNT": 0,
    }


def test_production_defaults_are_the_safe_ones():
    live = settings_of(**production(EMAIL_URL=""))
    assert live["SECURE_SSL_REDIRECT"] is True
    assert live["SECURE_HSTS_SECONDS"] >= 3600
    assert live["SESSION_COOKIE_SECURE"] is live["CSRF_COOKIE_SECURE"] is True
    assert live["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert live["LOG_FORMAT"] == "json"
    assert live["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize("value", ["/admin/", "admin"])
def test_a_malformed_admin_url_is_refused(value):
    result = run(["manage.py", "check"], ADMIN_URL=value)
    assert result.returncode != 0
    assert "ADMIN_URL" in result.stderr


ADMIN_PATHS = """
import django
django.setup()
from django.test import Client
from django.urls import reverse
client = Client()
print(reverse("admin:login"), client.get("/backstage-7f3/login/").status_code,
      client.get("/admin/login/").status_code)
"""


def test_the_admin_moves_to_admin_url(tmp_path):
    result = run(["-c", ADMIN_PATHS], DJANGO_SETTINGS_MODULE="storefront.settings",
                 ADMIN_URL="backstage-7f3/", ALLOWED_HOSTS="testserver",
                 DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/backstage-7f3/login/", "200", "404"]
