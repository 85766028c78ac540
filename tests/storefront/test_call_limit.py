"""ISIPAY_MAX_CONCURRENT_CALLS (issue 19): however many worker threads wait on isipay, the
supplier never sees more calls at once than the ceiling; a call that finds no slot is never
sent and fails as a retryable outage."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings

from isipay.errors import Unavailable
from storefront.call_limit import RedisCallLimit
from storefront.supplier import isipay_client


def test_many_threads_never_put_more_calls_in_flight_than_the_ceiling(sandbox, settings):
    settings.ISIPAY_MAX_CONCURRENT_CALLS = 3
    sandbox.set_latency("0.3")
    with ThreadPoolExecutor(12) as pool:
        balances = list(pool.map(lambda _: isipay_client().balance(), range(12)))
    assert len(balances) == 12
    assert sandbox.max_in_flight == 3


def test_a_call_that_finds_no_free_slot_is_not_sent_and_reads_as_an_outage(sandbox, settings):
    settings.ISIPAY_MAX_CONCURRENT_CALLS = 1
    settings.ISIPAY_SLOT_WAIT = 0.2
    sandbox.set_latency("balance=1")
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(lambda: isipay_client().balance())
        while sandbox.max_in_flight == 0:
            time.sleep(0.01)
        with pytest.raises(Unavailable, match="ISIPAY_MAX_CONCURRENT_CALLS") as refused:
            isipay_client().order("MLBB_ID_5", "REF-NO-SLOT", "12345678(1234)")
        slow.result()
    assert refused.value.may_have_reached_supplier is False
    assert sandbox.order_calls("REF-NO-SLOT") == 0


@pytest.fixture
def redis_url():
    if not django_settings.REDIS_URL:
        pytest.skip("needs Redis (CI sets REDIS_URL)")
    return django_settings.REDIS_URL


def test_the_ceiling_holds_across_processes_through_redis(sandbox, redis_url):
    # Two limits on one key stand for two worker containers.
    key = f"test-calls-{time.monotonic_ns()}"
    limits = [RedisCallLimit(redis_url, key, limit=2, lease_seconds=10) for _ in range(2)]
    sandbox.set_latency("0.3")

    def call(n: int) -> None:
        with limits[n % 2].slot("/api/v1/balance", wait=10):
            isipay_client().balance()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(call, range(8)))
    assert sandbox.max_in_flight == 2
    assert limits[0].in_flight() == 0


def test_a_slot_held_by_a_killed_process_frees_itself_when_its_lease_ends(redis_url):
    key = f"test-calls-{time.monotonic_ns()}"
    crashed = RedisCallLimit(redis_url, key, limit=1, lease_seconds=0.5)
    crashed._try_take("held-by-a-process-that-died")
    other = RedisCallLimit(redis_url, key, limit=1, lease_seconds=0.5)
    with pytest.raises(Unavailable), other.slot("/api/v1/order", wait=0.1):
        pass
    with other.slot("/api/v1/order", wait=2):
        assert other.in_flight() == 1
