"""The sandbox can take time to answer, as a real supplier does (issue 19): every endpoint, one
endpoint, fixed or jittered; the calls wait side by side, not in a line."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core.management import CommandError, call_command

from isipay.sandbox import Latency, SandboxServer, parse_latency

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def timed_post(server: SandboxServer, path: str, body=None) -> float:
    started = time.monotonic()
    response = requests.post(server.url + path, json=body, headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return time.monotonic() - started


@pytest.mark.parametrize(
    ("spec", "default", "order"),
    [
        ("0.3", Latency(0.3), Latency(0.3)),
        ("300ms", Latency(0.3), Latency(0.3)),
        ("1~0.2", Latency(1.0, 0.2), Latency(1.0, 0.2)),
        ("1~200ms", Latency(1.0, 0.2), Latency(1.0, 0.2)),
        ("order=1, status-order=0.5~0.1", None, Latency(1.0)),
        ("0.05,order=1", Latency(0.05), Latency(1.0)),
        ("", None, None),
    ],
)
def test_spec_sets_a_default_and_per_endpoint_latency(spec, default, order):
    plan = parse_latency(spec)
    assert plan.for_endpoint("balance") == default
    assert plan.for_endpoint("order") == order


@pytest.mark.parametrize("spec", ["slow", "orders=1", "1~", "-1", "order="])
def test_a_bad_spec_is_refused_with_the_part_named(spec):
    with pytest.raises(ValueError, match=r"expected seconds|unknown endpoint"):
        parse_latency(spec)


def test_every_answer_takes_the_latency_and_calls_wait_side_by_side():
    with SandboxServer(token=TOKEN, latency="0.4") as server:
        assert timed_post(server, "/api/v1/balance") >= 0.4
        with ThreadPoolExecutor(10) as pool:
            started = time.monotonic()
            list(pool.map(lambda _: timed_post(server, "/api/v1/balance"), range(10)))
            # Ten calls in a line would take 4 s; a supplier serves them side by side.
            assert time.monotonic() - started < 2.0


def test_latency_of_one_endpoint_leaves_the_others_fast_and_can_change_at_run_time():
    with SandboxServer(token=TOKEN, latency="order=0.5") as server:
        assert timed_post(server, "/api/v1/balance") < 0.4
        body = {"code": "MLBB_ID_5", "referenceNumber": "REF-LAT", "data": "12345678(1234)"}
        assert timed_post(server, "/api/v1/order", body) >= 0.5
        server.set_latency(None)
        assert timed_post(server, "/api/v1/status-order/REF-LAT") < 0.4


def test_jitter_spreads_the_answers_within_its_bounds():
    plan = parse_latency("0.2~0.1")
    with SandboxServer(token=TOKEN, latency=plan) as server:
        samples = [server._delay("/api/v1/product") for _ in range(200)]
    assert min(samples) >= 0.1 and max(samples) <= 0.3
    assert max(samples) - min(samples) > 0.1


def test_the_command_refuses_a_bad_latency_before_listening():
    with pytest.raises(CommandError, match="ISIPAY_SANDBOX_LATENCY"):
        call_command("isipay_sandbox", "--port", "0", "--latency", "fast")


def test_the_sandbox_process_writes_each_references_order_calls_when_stopped(tmp_path):
    """What the scale-out benchmark counts duplicates with: the sandbox as its own process."""
    import json
    import os
    import sys

    from bench.common import free_port
    from devtools.processes import start_logged_process, stop_process

    port, calls = free_port(), tmp_path / "calls.json"
    command = [sys.executable, "manage.py", "isipay_sandbox", "--port", str(port), "--token",
               TOKEN, "--quiet", "--calls-file", str(calls)]  # fmt: skip
    sandbox = start_logged_process(
        command, dict(os.environ), tmp_path / "sandbox.log", started="listening", timeout=30
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/order"
        for reference in ("REF-A", "REF-B", "REF-A"):
            body = {"code": "MLBB_ID_5", "referenceNumber": reference, "data": "12345678(1234)"}
            requests.post(url, json=body, headers=AUTH, timeout=10)
    finally:
        stop_process(sandbox, grace=15)
    assert json.loads(calls.read_text()) == {"order_calls": {"REF-A": 2, "REF-B": 1}}
