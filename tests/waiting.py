"""Waiting on a condition, never for a fixed time: the one place tests pause.

The same helper as the bench's (devtools/processes.py); it raises TimeoutError."""

from devtools.processes import wait_for

__all__ = ["wait_for"]
