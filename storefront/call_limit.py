"""A ceiling on isipay calls in flight, so that many worker threads never flood the supplier.

ISIPAY_MAX_CONCURRENT_CALLS holds for the whole shop: with Redis (REDIS_URL) the slots are
leases in one sorted set that every process and container shares; without it (the embedded
demo runs one worker) a semaphore in the process. A lease outlives no call by more than the
client's timeouts, so a killed process frees its slots on its own. A call that gets no slot in
ISIPAY_SLOT_WAIT seconds was never sent: the client raises Unavailable(may_have_reached_supplier
=False), which every caller already retries.
"""

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import redis
from django.conf import settings

from isipay.errors import Unavailable

# Drops the expired leases, then takes one if fewer than the limit are held. Atomic in Redis.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""
_POLL_SECONDS = 0.02


class LocalCallLimit:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def slot(self, endpoint: str, *, wait: float) -> Iterator[None]:
        if not self._slots.acquire(timeout=wait):
            raise _no_slot(endpoint, self.limit)
        try:
            yield
        finally:
            self._slots.release()


class RedisCallLimit:
    def __init__(self, url: str, key: str, limit: int, lease_seconds: float) -> None:
        self.limit = limit
        self.key = key
        self._lease_ms = int(lease_seconds * 1000)
        self._redis = redis.Redis.from_url(url)
        self._take = self._redis.register_script(_TAKE)

    @contextmanager
    def slot(self, endpoint: str, *, wait: float) -> Iterator[None]:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while not self._try_take(token):
            if time.monotonic() >= deadline:
                raise _no_slot(endpoint, self.limit)
            time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            self._redis.zrem(self.key, token)

    def in_flight(self) -> int:
        return int(self._redis.zcard(self.key))

    def _try_take(self, token: str) -> bool:
        now_ms = int(time.time() * 1000)
        expires = now_ms + self._lease_ms
        args = [now_ms, self.limit, expires, token, self._lease_ms]
        return bool(self._take(keys=[self.key], args=args))


def _no_slot(endpoint: str, limit: int) -> Unavailable:
    return Unavailable(
        f"isipay {endpoint}: all {limit} call slots busy (ISIPAY_MAX_CONCURRENT_CALLS)",
        may_have_reached_supplier=False,
        endpoint=endpoint,
    )


def isipay_call_limit() -> LocalCallLimit | RedisCallLimit:
    """The shop's limit as the settings say now (one object per configuration and process)."""
    return _limit(
        settings.REDIS_URL,
        settings.ISIPAY_MAX_CONCURRENT_CALLS,
        settings.ISIPAY_CONNECT_TIMEOUT + settings.ISIPAY_TIMEOUT + 5,
        settings.CACHES["default"].get("KEY_PREFIX", ""),
    )


@cache
def _limit(url: str, limit: int, lease_seconds: float, prefix: str):
    if url:
        return RedisCallLimit(url, f"{prefix}gerai:isipay-calls", limit, lease_seconds)
    return LocalCallLimit(limit)
