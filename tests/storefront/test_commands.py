"""Operator commands: isipay_check, resume_submissions, healthcheck, run_demo's stop."""

import contextlib
import os
import signal
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from isipay.sandbox import SandboxServer
from orders import services as order_services
from orders.models import Order, SubmissionQueue
from tests.oncommit import queued_tasks

from ..conftest import SANDBOX_TOKEN
from ..factories import VariantFactory
from .helpers import closed_port

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_isipay_check_reports_token_whitelist_and_balance(sandbox):
    output = run("isipay_check")
    assert "token" in output and "IP whitelist" in output
    assert "Rp 5.000.000" in output
    assert SANDBOX_TOKEN not in output


def test_isipay_check_names_a_wrong_token(sandbox, settings):
    settings.ISIPAY_API_TOKEN = "wrong-token-31415926"
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("isipay_check", stdout=out)
    assert failed.value.returncode == 2
    assert "ISIPAY_API_TOKEN" in str(failed.value)
    assert "wrong-token-31415926" not in out.getvalue() + str(failed.value)


def test_isipay_check_names_the_ip_whitelist(settings):
    server = SandboxServer(token=SANDBOX_TOKEN, whitelist={"203.0.113.50"}).start()
    settings.ISIPAY_BASE_URL, settings.ISIPAY_API_TOKEN = server.url, SANDBOX_TOKEN
    out = StringIO()
    try:
        with pytest.raises(CommandError) as failed:
            call_command("isipay_check", stdout=out)
    finally:
        server.stop()
    assert failed.value.returncode == 3
    assert "whitelist" in str(failed.value)
    assert "127.0.0.1" in out.getvalue()  # the address isipay saw, to give its administrator


def test_isipay_check_says_when_isipay_is_unreachable(settings):
    settings.ISIPAY_BASE_URL = f"http://127.0.0.1:{closed_port()}"
    settings.ISIPAY_CONNECT_TIMEOUT = 1
    with pytest.raises(CommandError) as failed:
        call_command("isipay_check", stdout=StringIO())
    assert failed.value.returncode == 4
    assert "cannot be reached" in str(failed.value)


def test_resume_submissions_unpauses_and_resends_waiting_orders(
    django_capture_on_commit_callbacks,
):
    variant = VariantFactory()
    orders = [
        order_services.create_order(variant=variant, account={"user_id": "1"}) for _ in range(2)
    ]
    order_services.pause_submissions(reason="isipay balance too low")
    with django_capture_on_commit_callbacks(execute=False):
        for order in orders:
            order_services.mark_paid(order_id=order.pk)
    assert Order.objects.filter(status=Order.Status.PAID).count() == 2

    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        output = run("resume_submissions")
    assert "isipay balance too low" in output
    assert "2 paid order(s)" in output
    # Two submissions, and the owner's "resumed" notice (notifications' outbox).
    assert queued_tasks(enqueued) == ["orders.submit_order"] * 2 + ["notifications.send_message"]
    assert not SubmissionQueue.get().is_paused


def test_healthcheck_beat_follows_the_last_recorded_run():
    every = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.SECONDS)
    task = PeriodicTask.objects.create(name="poll", task="orders.poll_due_orders", interval=every)
    with pytest.raises(CommandError, match="not recorded"):
        run("healthcheck", "beat")
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(CommandError, match="is beat running"):
        run("healthcheck", "beat")
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now())
    assert "beat ok" in run("healthcheck", "beat")


def test_healthcheck_ready_prints_the_readiness_report():
    assert '"status": "ok"' in run("healthcheck", "ready")


# run_demo's stop: a child that, once told to stop, makes the second SIGTERM arrive (as make
# forwards it after the group kill) while run_demo waits for it; it leaves a grandchild behind.
DEMO_CHILD = """
import os, signal, subprocess, sys, time
from pathlib import Path
folder = Path(sys.argv[1])
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def stop(signum, frame):
    os.kill(os.getppid(), signal.SIGTERM)
    (folder / "second-signal-sent").touch()
    time.sleep(0.5)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
(folder / "grandchild").write_text(str(grandchild.pid))
while True:
    time.sleep(1)
"""

DEMO_STOP = """
import signal, sys, time
from pathlib import Path
import django
django.setup()
from storefront.management.commands import run_demo
folder = Path(sys.argv[1])
command = run_demo.Command()
command.children = []
signal.signal(signal.SIGTERM, run_demo._interrupt)
command._start("child", [sys.executable, "-c", sys.argv[2], str(folder)])
while not (folder / "grandchild").exists():
    time.sleep(0.01)
command._stop_all()
print("stopped")
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_run_demo_stops_everything_quietly_when_sigterm_comes_twice(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "storefront.settings"}
    try:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", DEMO_STOP, str(tmp_path), DEMO_CHILD],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        grandchild = int((tmp_path / "grandchild").read_text())
        killed_by_run_demo = not _alive(grandchild)
    finally:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            os.kill(int((tmp_path / "grandchild").read_text()), signal.SIGKILL)
    assert (tmp_path / "second-signal-sent").exists()
    assert "KeyboardInterrupt" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0 and done.stdout.strip() == "stopped"
    assert killed_by_run_demo  # the final sweep killed what was left in the group


def test_run_demo_refuses_a_web_port_its_own_sandbox_takes_before_starting_anything(settings):
    """`make run ADDR=127.0.0.1:8765` (the sandbox's port) says so, instead of starting the
    sandbox there and then failing with the web's bare "port already in use"."""
    settings.DEBUG = True
    settings.ISIPAY_BASE_URL = "http://127.0.0.1:8765"
    with pytest.raises(CommandError, match=r"8765 is the demo's port for the isipay sandbox"):
        call_command("run_demo", addr="127.0.0.1:8765")
