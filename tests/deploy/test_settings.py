"""Production settings pass `check --deploy`; the demo keeps plain HTTP and its defaults."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.production import REAL_PAYMENTS

from .conftest import ROOT

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "shop.example.com",
    "ISIPAY_API_TOKEN": "live-token-from-isipay",
    "DATABASE_URL": "postgres://gerai:pw@127.0.0.1:5432/gerai",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://shop:pw@smtp.example.com:587",
    **REAL_PAYMENTS,
    "ADMIN_URL": "backstage-7f3a9c/",
}
# Variables of this process that must not leak into the checked configuration.
# (pytest-playwright sets DJANGO_ALLOW_ASYNC_UNSAFE for its live server tests.)
SCRUB = {
    "SECRET_KEY",
    "ISIPAY_API_TOKEN",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DEBUG",
    "EMAIL_BACKEND",
    "EMAIL_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SITE_URL",
    "PAYMENT_PROVIDERS",
    "MIDTRANS_SERVER_KEY",
    "MIDTRANS_IS_PRODUCTION",
    "ADMIN_URL",
    "READINESS_TOKEN",
    "ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION",
    "ALLOW_LOCALHOST_EMAIL",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SCRUB}
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


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
        (
            {"EMAIL_URL": "", "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
            "storefront.W003",
        ),
    ],
)
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
    live = settings_of(**production(EMAIL_URL="", ALLOW_LOCALHOST_EMAIL="true"))
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
    result = run(
        ["-c", ADMIN_PATHS],
        DJANGO_SETTINGS_MODULE="storefront.settings",
        ADMIN_URL="backstage-7f3/",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/backstage-7f3/login/", "200", "404"]


# --- issue 12: what production refuses to start with ----------------------------------------


def refused(**overrides: str) -> str:
    """The start-up error of production settings with these values (fails if they start)."""
    result = run(["manage.py", "check"], **production(**overrides))
    assert result.returncode != 0, f"started with {overrides}"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


def test_sandbox_payments_are_refused_in_production_naming_the_real_provider():
    error = refused(PAYMENT_PROVIDERS="sandbox")
    assert "midtrans" in error and "ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION" in error
    error = refused(PAYMENT_PROVIDERS="midtrans,sandbox")
    assert "sandbox" in error
    # With no provider at all (the old default was sandbox) it names the real one too.
    assert "midtrans" in refused(PAYMENT_PROVIDERS="")
    assert "PAYMENT_PROVIDERS" in refused(PAYMENT_PROVIDERS="paypal")


MIDTRANS_SANDBOX = {"MIDTRANS_IS_PRODUCTION": "false", "MIDTRANS_SERVER_KEY": "SB-Mid-server-abc"}


def test_midtrans_sandbox_is_refused_in_production():
    # Midtrans' sandbox confirms payments made with its public simulator: free top-ups.
    error = refused(**MIDTRANS_SANDBOX)
    assert "MIDTRANS_IS_PRODUCTION=true" in error and "simulator" in error
    assert "SB-Mid-server-abc" not in error  # no key in the message


@pytest.mark.parametrize(
    "keys",
    [
        {"MIDTRANS_IS_PRODUCTION": "true", "MIDTRANS_SERVER_KEY": "SB-Mid-server-abc"},
        {
            **MIDTRANS_SANDBOX,
            "MIDTRANS_SERVER_KEY": "Mid-server-abc",
            "ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION": "true",
        },
    ],
)
def test_a_midtrans_key_for_the_other_environment_is_refused(keys):
    assert "MIDTRANS_IS_PRODUCTION" in refused(**keys)


def test_a_staging_shop_may_opt_in_to_sandbox_payments_and_is_warned():
    staging = production(PAYMENT_PROVIDERS="sandbox", ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION="true")
    assert run(["manage.py", "check"], **staging).returncode == 0
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **staging)
    assert result.returncode != 0
    assert "storefront.W004" in result.stderr


TEST_MODE_PAGE = """
import django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
plain = {**settings.STORAGES, "staticfiles": {  # no collected manifest in a checkout
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    response = Client().get("/orders/lookup/", secure=True, HTTP_HOST="shop.example.com")
print(response.status_code, "TEST MODE" in response.content.decode())
"""


@pytest.mark.parametrize(
    ("overrides", "banner"),
    [
        ({"PAYMENT_PROVIDERS": "sandbox", "ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION": "true"}, True),
        ({**MIDTRANS_SANDBOX, "ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION": "true"}, True),
        ({}, False),
    ],
)
def test_a_staging_shop_says_test_mode_on_its_pages(overrides, banner):
    result = run(
        ["-c", TEST_MODE_PAGE],
        DJANGO_SETTINGS_MODULE="storefront.settings",
        **production(**overrides),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", str(banner)]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": "a1b2c3d4e5" * 4}, "SECRET_KEY"),  # 40 characters
        ({"SECRET_KEY": "abcd" * 20}, "SECRET_KEY"),  # 80 characters, 4 distinct
        ({"ISIPAY_API_TOKEN": "sandbox-token"}, "ISIPAY_API_TOKEN"),
        ({"ISIPAY_API_TOKEN": "live-token-from-isipay "}, "ISIPAY_API_TOKEN"),
        ({"ISIPAY_API_TOKEN": "live token from isipay"}, "ISIPAY_API_TOKEN"),
        ({"ISIPAY_API_TOKEN": "tok-123"}, "ISIPAY_API_TOKEN"),
        ({"SITE_URL": ""}, "SITE_URL"),
        ({"SITE_URL": "http://shop.example.com"}, "SITE_URL"),
        ({"SITE_URL": "https://localhost"}, "SITE_URL"),
        ({"SITE_URL": "https://127.0.0.1:8000"}, "SITE_URL"),
        ({"SITE_URL": "https://shop.localhost/"}, "SITE_URL"),
        ({"EMAIL_URL": ""}, "EMAIL_URL"),
        ({"EMAIL_URL": "smtp://localhost:25"}, "EMAIL_URL"),
    ],
)
def test_production_refuses_to_start_on_an_implausible_value(overrides, named):
    error = refused(**overrides)
    assert named in error
    for value in overrides.values():
        if value and named in ("SECRET_KEY", "ISIPAY_API_TOKEN"):
            assert value not in error  # a secret is never echoed


def test_mail_to_a_local_relay_needs_an_explicit_opt_in():
    result = run(["manage.py", "check"], **production(EMAIL_URL="", ALLOW_LOCALHOST_EMAIL="true"))
    assert result.returncode == 0, result.stderr


def test_the_admin_at_its_default_path_is_a_deploy_warning():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production(ADMIN_URL="admin/"),
    )
    assert result.returncode != 0
    assert "storefront.W005" in result.stderr
    empty = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production(ADMIN_URL="")
    )
    assert "storefront.W005" in empty.stderr  # empty means the default, admin/


HSTS = """
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/healthz", secure=True)
print(settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD)
print(response["Strict-Transport-Security"])
"""


def test_hsts_has_no_preload_or_subdomains_unless_asked():
    """Preload binds the whole domain to HTTPS for a long time: an operator's choice."""
    default = run(["-c", HSTS], DJANGO_SETTINGS_MODULE="storefront.settings", **production())
    assert default.returncode == 0, default.stderr
    assert default.stdout.splitlines()[-2:] == ["False False", "max-age=3600"]

    chosen = run(
        ["-c", HSTS],
        DJANGO_SETTINGS_MODULE="storefront.settings",
        **production(
            SECURE_HSTS_SECONDS="31536000",
            SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
            SECURE_HSTS_PRELOAD="true",
        ),
    )
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.splitlines()[-2:] == [
        "True True",
        "max-age=31536000; includeSubDomains; preload",
    ]
    # Off by choice is not a warning that keeps compose from starting.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production())
    assert "security.W005" not in result.stderr and "security.W021" not in result.stderr
