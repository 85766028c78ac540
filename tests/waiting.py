"""Waiting on a condition, never for a fixed time: the one place tests pause."""

import time
from collections.abc import Callable


def wait_for(
    condition: Callable[[], object], *, timeout: float = 60, what: str = "", every: float = 0.1
) -> object:
    """condition()'s first true answer, asked every `every` seconds; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
