"""Production settings refuse to start on demo secrets, and say which variable is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.production import REAL_PAYMENTS

ROOT = Path(__file__).resolve().parents[2]


GOOD_SECRET_KEY = "k3Y-" + "0123456789abcdefghij" * 3
# What else production needs to start (SITE_URL, mail, a real payment provider).
REST_OF_PRODUCTION = {**REAL_PAYMENTS, "EMAIL_URL": "smtp+tls://shop:pw@smtp.example.com:587"}


def check(**env: str) -> subprocess.CompletedProcess:
    scrub = {"SECRET_KEY", "ISIPAY_API_TOKEN", *REST_OF_PRODUCTION}
    clean = {k: v for k, v in os.environ.items() if k not in scrub}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DEBUG": "false", **REST_OF_PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ISIPAY_API_TOKEN": "live-token-from-isipay"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_SECRET_KEY}, "ISIPAY_API_TOKEN"),
    ],
)
def test_debug_off_refuses_to_start_without_a_real_value(env, missing):
    result = check(**env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "live-token" not in result.stderr


def test_debug_off_starts_with_both_set():
    result = check(SECRET_KEY=GOOD_SECRET_KEY, ISIPAY_API_TOKEN="live-token-from-isipay")
    assert result.returncode == 0, result.stderr
