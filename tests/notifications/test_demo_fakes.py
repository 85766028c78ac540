"""The demo's fake gateways (`manage.py notify_fakes`, started by `make run`): a purchase's
WhatsApp and Telegram messages show in its console and on its pages."""

import os
import socket
import sys
import urllib.request

import pytest

from devtools.processes import ROOT, start_logged_process, stop_process
from notifications.gateways import FonnteGateway, TelegramGateway

from ..waiting import wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fakes(tmp_path):
    fonnte_port, telegram_port = free_port(), free_port()
    env = {
        **os.environ,
        "DEBUG": "true",
        "FONNTE_BASE_URL": f"http://127.0.0.1:{fonnte_port}",
        "TELEGRAM_API_URL": f"http://127.0.0.1:{telegram_port}",
    }
    log = tmp_path / "fakes.log"
    process = start_logged_process(
        [sys.executable, str(ROOT / "manage.py"), "notify_fakes"],
        env,
        log,
        started="Fake WhatsApp",
    )
    yield fonnte_port, telegram_port, log
    stop_process(process, grace=5)


def test_the_demo_fakes_print_each_message_and_show_them_on_a_page(fakes):
    fonnte_port, telegram_port, log = fakes
    FonnteGateway(base_url=f"http://127.0.0.1:{fonnte_port}", token="fake-fonnte-token").send(
        to="+6281377775432", text="Pembayaran GR-TEST diterima"
    )
    TelegramGateway(
        api_url=f"http://127.0.0.1:{telegram_port}", token="123456:fake-telegram-token"
    ).send(to="100200300", text="<b>⚠️ Pesanan GR-TEST perlu ditinjau</b>")
    wait_for(lambda: "perlu ditinjau" in log.read_text(), timeout=10)
    console = log.read_text()
    assert "Pembayaran GR-TEST diterima" in console and "62813•••••432" in console
    assert "6281377775432" not in console  # masked, even on the fake phone's console
    assert "⚠️ Pesanan GR-TEST perlu ditinjau" in console and "<b>" not in console
    page = urllib.request.urlopen(f"http://127.0.0.1:{fonnte_port}/").read().decode()
    assert "Pembayaran GR-TEST diterima" in page


def test_run_demo_starts_the_fakes_and_the_notify_queue():
    source = (ROOT / "storefront/management/commands/run_demo.py").read_text()
    assert '"notify_fakes"' in source and "default,sync,submit,poll,notify" in source
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "- default,sync,notify\n" in compose  # the process worker; worker-isipay: submit,poll
