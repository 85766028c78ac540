"""isipay's status words mapped to what they mean for an order: one place, extendable.

The document only shows "Success"; the rest is decided in DESIGN.md. Words are matched
case-insensitively after trimming.
"""

from collections.abc import Mapping
from enum import StrEnum


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    PENDING = "pending"
    UNKNOWN = "unknown"


DEFAULT_WORDS: Mapping[str, Outcome] = {
    **dict.fromkeys(["success", "sukses"], Outcome.SUCCESS),
    **dict.fromkeys(
        [
            "failed",
            "fail",
            "gagal",
            "error",
            "cancel",
            "canceled",
            "cancelled",
            "refund",
            "refunded",
            "expired",
        ],
        Outcome.FAILED,
    ),
    **dict.fromkeys(["pending", "process", "processing"], Outcome.PENDING),
}


class StatusMap:
    """Maps a supplier status word to an Outcome; extra words come from settings."""

    def __init__(self, extra: Mapping[str, str] | None = None) -> None:
        self._words = dict(DEFAULT_WORDS)
        for word, outcome in (extra or {}).items():
            self._words[word.strip().lower()] = Outcome(outcome.strip().lower())

    def outcome(self, word: str | None) -> Outcome:
        return self._words.get((word or "").strip().lower(), Outcome.UNKNOWN)
