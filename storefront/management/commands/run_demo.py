"""Start the whole demo shop in one terminal: sandbox, fake Tripay, first sync, admin, web,
worker, beat.

Unless the environment (or .env) chooses the payment providers, the demo offers the Sandbox
and Tripay, the latter through the fake Tripay (payments/tripay/fake.py) with its demo keys.

Ctrl-C (or SIGTERM) stops every process it started, process groups included, so nothing is
left behind.
"""

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
CELERY = [sys.executable, "-m", "celery", "-A", "storefront"]


class Command(BaseCommand):
    help = "Run the demo shop: isipay sandbox, catalog sync, web, Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Web address (host:port).")

    def handle(self, *args, addr: str, **options):
        self.children: list[tuple[str, subprocess.Popen]] = []
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._run(addr)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop_all()

    def _run(self, addr: str) -> None:
        self.addr = addr
        _refuse_a_helpers_port(addr)
        sandbox = urlsplit(settings.ISIPAY_BASE_URL)
        if sandbox.hostname in ("127.0.0.1", "localhost") and settings.DEBUG:
            port = sandbox.port or 80
            self._start("sandbox", [*MANAGE, "isipay_sandbox", "--port", str(port), "--quiet"])
            _wait_for_port(sandbox.hostname, port)

        fonnte = urlsplit(settings.FONNTE_BASE_URL)
        telegram = urlsplit(settings.TELEGRAM_API_URL)
        if settings.DEBUG and {fonnte.hostname, telegram.hostname} <= {"127.0.0.1", "localhost"}:
            # The fake WhatsApp and Telegram: every message of a demo purchase prints here.
            self._start("fakes", [*MANAGE, "notify_fakes"])
            _wait_for_port(fonnte.hostname or "127.0.0.1", fonnte.port or 80)

        env = demo_environment(addr)
        tripay = urlsplit(env.get("TRIPAY_API_URL", ""))
        if "tripay" in env.get("PAYMENT_PROVIDERS", "") and _is_local(tripay) and tripay.port:
            self._start("tripay", [*MANAGE, "fake_tripay", "--port", str(tripay.port), "--quiet"])
            _wait_for_port(tripay.hostname, tripay.port)
            # The picker's channels and fees, from the fake's channel list (then hourly).
            subprocess.run(  # noqa: S603
                [*MANAGE, "shell", "-c", REFRESH_CHANNELS], env=env, check=False
            )

        call_command("sync_catalog", stdout=self.stdout, stderr=self.stderr)
        call_command("load_demo_content", stdout=self.stdout)
        call_command("ensure_admin", stdout=self.stdout)
        call_command("ensure_demo_customer", stdout=self.stdout)
        call_command("load_demo_promotions", stdout=self.stdout)

        self._start("web", [*MANAGE, "runserver", "--noreload", addr])
        self._start(
            "worker",
            [*CELERY, "worker", "-Q", "default,sync,submit,poll,notify", "-c", "2", "-l", "INFO"],
        )
        self._start("beat", [*CELERY, "beat", "-l", "INFO", "--pidfile="])
        self.stdout.write(
            self.style.SUCCESS(
                f"\nGerai is running: shop http://{addr}/  "
                f"admin http://{addr}/{settings.ADMIN_URL}  "
                f"customer login http://{addr}/accounts/login/\n"
                "Press Ctrl-C to stop everything.\n"
            )
        )
        while True:
            for name, process in self.children:
                if process.poll() is not None:
                    raise CommandError(f"{name} exited with code {process.returncode}")
            time.sleep(0.5)

    def _start(self, name: str, command: list[str]) -> None:
        # A session of its own, so that stopping kills the process and all its children.
        process = subprocess.Popen(  # noqa: S603
            command, start_new_session=True, env=demo_environment(getattr(self, "addr", None))
        )
        self.children.append((name, process))

    def _stop_all(self) -> None:
        # SIGTERM to each main process only: Celery then does a warm shutdown, finishing the
        # task in hand; whatever is left in a group after the grace period is killed.
        # A stop signal often comes twice (make's process group is killed, and make forwards
        # it too): once stopping, more of them must not cut the grace wait or the final sweep.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for _, process in reversed(self.children):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 15
        for _, process in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for _, process in self.children:
            _signal_group(process, signal.SIGKILL)  # any grandchild left in the group


def demo_timings() -> dict[str, str]:
    """The sweeper's timings for the demo: a killed worker's orders move on within seconds.

    The demo's filesystem broker deletes a message when a worker takes it, so what a killed
    worker held comes back only through the sweeper. Production's defaults (an order stuck in
    submitting for 180 s, a sweep every 60 s) make that about four minutes. Here an order is
    stuck once it has been submitting longer than the longest possible isipay call (connect
    and read timeouts) plus a margin, and the sweeper looks every 2 s.
    """
    longest_call = settings.ISIPAY_CONNECT_TIMEOUT + settings.ISIPAY_TIMEOUT
    return {
        "ORDER_SUBMIT_STUCK_AFTER": str(math.ceil(longest_call) + 2),
        "ORDER_SWEEP_INTERVAL": "2",
    }


REFRESH_CHANNELS = (
    "from payments.services import refresh_tripay_channels; refresh_tripay_channels()"
)


def demo_tripay() -> dict[str, str]:
    """The demo's Tripay: the fake one, with its demo keys, beside the sandbox, unless the
    payment providers or Tripay's URL are chosen (environment or .env)."""
    from payments.tripay import fake

    if os.environ.get("PAYMENT_PROVIDERS") or os.environ.get("TRIPAY_API_URL"):
        return {}
    if not settings.DEBUG or settings.PAYMENT_PROVIDERS != ["sandbox"]:
        return {}  # .env chose the providers
    return {
        "PAYMENT_PROVIDERS": "sandbox,tripay",
        "TRIPAY_API_URL": f"http://127.0.0.1:{FAKE_TRIPAY_PORT}/api-sandbox",
        "TRIPAY_API_KEY": fake.API_KEY,
        "TRIPAY_PRIVATE_KEY": fake.PRIVATE_KEY,
        "TRIPAY_MERCHANT_CODE": fake.MERCHANT_CODE,
    }


FAKE_TRIPAY_PORT = 8768


def demo_environment(addr: str | None = None) -> dict[str, str]:
    """The children's environment: the demo timings and Tripay, unless set (environment or
    .env), and SITE_URL following the web address `addr` unless set: the payment pages' return
    links and the fake Tripay's callbacks then reach this demo's web server, whatever port."""
    env = {**demo_timings(), **demo_tripay(), **os.environ}
    if addr and not env.get("SITE_URL"):  # settings read .env into the environment
        env["SITE_URL"] = demo_site_url(addr)
    return env


def demo_site_url(addr: str) -> str:
    """runserver's address ("8001", "0.0.0.0:8001", "127.0.0.1:8001") as a URL to reach it."""
    host, _sep, port = addr.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104  (every interface: reach it locally)
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def _is_local(url) -> bool:
    return url.hostname in ("127.0.0.1", "localhost")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _refuse_a_helpers_port(addr: str) -> None:
    """The web address on a port the demo's own sandbox or fakes take would fail later with a
    bare "port already in use": say which one, and what to do, before anything starts."""
    if not settings.DEBUG:
        return
    web_port = addr.rpartition(":")[2]
    taken = {
        "the isipay sandbox (ISIPAY_BASE_URL)": urlsplit(settings.ISIPAY_BASE_URL).port,
        "the fake WhatsApp (FONNTE_BASE_URL)": urlsplit(settings.FONNTE_BASE_URL).port,
        "the fake Telegram (TELEGRAM_API_URL)": urlsplit(settings.TELEGRAM_API_URL).port,
        "the fake Tripay": FAKE_TRIPAY_PORT,
    }
    for name, port in taken.items():
        if port is not None and str(port) == web_port:
            raise CommandError(
                f"Port {web_port} is the demo's port for {name}: give the web another one, "
                "e.g. make run ADDR=127.0.0.1:8000."
            )


def _wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise CommandError(f"Nothing started listening on {host}:{port}")
