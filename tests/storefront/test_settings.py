"""Production settings refuse to start on demo secrets, and say which variable is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def check(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ISIPAY_API_TOKEN"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ISIPAY_API_TOKEN": "live-token"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "ISIPAY_API_TOKEN"),
    ],
)
def test_debug_off_refuses_to_start_without_a_real_value(env, missing):
    result = check(**env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "live-token" not in result.stderr


def test_debug_off_starts_with_both_set():
    result = check(SECRET_KEY="k" * 50, ISIPAY_API_TOKEN="live-token")
    assert result.returncode == 0, result.stderr
