"""Starting, waiting on and stopping the shop's processes: one copy for the tests and the bench.

Every process started here runs in a session (process group) of its own, from the project
root, with its stdout and stderr appended to a log file, so a stop takes all of it
(a gunicorn master and its workers, a Celery worker and its pool and beat).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def wait_for(
    condition: Callable[[], T], *, timeout: float = 60, what: str = "", every: float = 0.1
) -> T:
    """condition()'s first true answer, asked every `every` seconds; TimeoutError after
    `timeout`. The one way the tests and the bench pause: on a condition, never a fixed time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what or condition}")


def celery_worker_command(
    *, concurrency: int, schedule: Path, log_level: str = "INFO"
) -> list[str]:
    """`celery worker -B` on every queue, as docker-compose's worker and beat together."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "storefront",
        "worker",
        "-Q",
        "default,sync,submit,poll,notify",
        "-c",
        str(concurrency),
        "-l",
        log_level,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-B",
        "--scheduler",
        "celery.beat:PersistentScheduler",
        "-s",
        str(schedule),
    ]


def start_logged_process(
    command: list[str],
    env: dict[str, str],
    log: Path,
    *,
    started: str | None = None,
    timeout: float = 60,
) -> subprocess.Popen:
    """Start `command` in a session of its own, its output appended to `log`. With `started`,
    return once that text is in what it logged; if it dies (or says nothing in `timeout`
    seconds) first, stop what is left of it and raise with the end of its log."""
    offset = log.stat().st_size if log.exists() else 0
    with log.open("a") as out:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    if started is None:
        return process
    try:
        wait_for(
            lambda: started in log.read_text()[offset:] or process.poll() is not None,
            timeout=timeout,
            what=f"{started!r} in {log}",
        )
    except TimeoutError:
        stop_process(process, grace=0)
        raise
    if process.poll() is not None:
        stop_process(process, grace=0)
        tail = log.read_text()[offset:][-3000:]
        raise RuntimeError(f"{' '.join(command)} died on start:\n{tail}")
    return process


def stop_process(process: subprocess.Popen, *, grace: float = 20) -> None:
    """Ask a process (its own process group) to stop, wait up to `grace` seconds, then kill the
    whole group, so nothing it started is left behind."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
