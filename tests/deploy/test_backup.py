"""`make backup` runs pg_dump inside the compose postgres container into backups/."""

import os
import re
import shutil
import stat
import subprocess

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="needs make")

FAKE_DOCKER = """#!/bin/sh
echo "$@" > "$(dirname "$0")/args"
[ -n "$FAIL" ] && { echo "partial"; exit 1; }
printf 'PGDMP-fake-dump'
"""


def make_backup(tmp_path, **env: str) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(docker.stat().st_mode | stat.S_IEXEC)
    work = tmp_path / "work"
    work.mkdir()
    return subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), "-C", str(work), "backup"],  # noqa: S607
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_backup_writes_a_timestamped_pg_dump(tmp_path):
    result = make_backup(tmp_path)
    assert result.returncode == 0, result.stderr
    dumps = list((tmp_path / "work" / "backups").iterdir())
    assert len(dumps) == 1
    assert re.fullmatch(r"gerai-\d{8}-\d{6}\.dump", dumps[0].name)
    assert dumps[0].read_text() == "PGDMP-fake-dump"
    args = (tmp_path / "bin" / "args").read_text()
    assert args.startswith("compose exec -T postgres sh -c pg_dump")
    assert '-U "$POSTGRES_USER" -d "$POSTGRES_DB" --format=custom' in args


def test_a_failed_backup_leaves_no_file_behind(tmp_path):
    result = make_backup(tmp_path, FAIL="1")
    assert result.returncode != 0
    assert "Backup failed" in result.stderr
    assert list((tmp_path / "work" / "backups").iterdir()) == []
