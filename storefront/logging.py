"""Structured logs: one line per event, JSON in production, readable in the demo.

settings.LOGGING picks the formatter (LOG_FORMAT: "json" with DEBUG off, "text" with it on).
Both carry the context a caller passes as `extra` — the order number and isipay reference:

    logger.info("order %s: paid -> submitting", order.pk, extra=order_context(order))

Every line also goes through RedactFilter, a last line of defence: the isipay token and other
secrets from settings, and anything shaped like an e-mail address or a phone number in any
format checkout accepts, are replaced before a line is written, tracebacks included. Code must
still never log them (a test runs the whole pipeline and greps the raw records); the filter
only keeps a mistake out of the logs.

Nothing here imports Django at module level, so gunicorn can use these formatters before
Django is set up (storefront/gunicorn_conf.py).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
# Context keys shown by the text formatter too, in this order.
CONTEXT_KEYS = ("order", "reference", "invoice", "task_id")
# Django's request logging passes the request object: only its method and path are kept (a
# query string or a header may carry customer data).
_REQUEST_KEYS = ("request",)

# Any address Django's EmailValidator accepts: dotted or quoted local part, a domain with
# Unicode letters or a [literal]. Found inside reprs and SMTP errors too.
EMAIL = re.compile(
    r"""(?:"[^"\n]+"|[\w.!#$%&'*+?^`~-]+)@(?:[\w-]+(?:\.[\w-]+)*\.\w{2,}|\[[^\]\s]+\])"""
)
# Phone-shaped: an optional +, then digits with spaces, dashes, dots or brackets between them,
# as checkout's phonenumbers accepts them (+60123456789, +1 202 555 0143, 0812-7777-3456,
# (0812) 7777 3456, 812.7777.3456). Not a run glued to a word or another number (order
# references, invoices, UUIDs: "GRR081234567890AB", "INV-2026…"); _phone() then checks the
# count of digits and leaves dates and IPv4 addresses alone.
PHONE = re.compile(r"(?<![\w.+-])\+?\(?\d(?:[ ().-]{0,3}\d){6,14}(?!\w)")
_NOT_A_PHONE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|(?:19|20)\d\d-[01]\d-[0-3]\d(?: [0-2]\d)?")


# Without a "+", a number checkout accepts (region ID) starts as an Indonesian one does: 0 (a
# national number), 8 (a mobile without its 0) or 62 (the country code). Any other long run is
# an amount, an invoice or an id, and stays readable: "balance 1250000000".
_NATIONAL_STARTS = ("0", "8", "62")


def _phone(match: re.Match) -> str:
    text = match.group()
    digits = "".join(str(int(char)) for char in text if char.isdigit())  # full-width too
    international = text.startswith("+")
    fewest = 7 if international else 9  # "+" and a country code, or a national number
    if len(digits) < fewest or _NOT_A_PHONE.fullmatch(text):
        return text
    if not international and not digits.startswith(_NATIONAL_STARTS):
        return text
    return "[phone]"


SECRET_SETTINGS = (
    "ISIPAY_API_TOKEN",
    "SECRET_KEY",
    "MIDTRANS_SERVER_KEY",
    "TRIPAY_API_KEY",
    "TRIPAY_PRIVATE_KEY",
    "FONNTE_TOKEN",
    "FONNTE_WEBHOOK_SECRET",
    "TELEGRAM_BOT_TOKEN",
)
REDACTED = "[redacted]"


def order_context(order: Any) -> dict[str, str]:
    """`extra` for a log line about an order: its number and isipay reference."""
    return {"order": order.number, "reference": order.reference_number}


def _task_context() -> dict[str, str]:
    try:
        from celery._state import get_current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return {}
    task = get_current_task()
    if task is None or task.request.id is None:
        return {}
    return {"task": task.name, "task_id": task.request.id}


def _request_summary(request: Any) -> str:
    method = getattr(request, "method", None) or "-"
    path = getattr(request, "path", None) or "-"
    return f"{method} {path}"


def record_extras(record: logging.LogRecord) -> dict[str, Any]:
    """What the caller passed in `extra`, plus the Celery task, made JSON-safe."""
    extras: dict[str, Any] = {}
    for key, value in vars(record).items():
        if key in _STANDARD or key.startswith("_"):
            continue
        if key in _REQUEST_KEYS:
            extras[key] = _request_summary(value)
        elif isinstance(value, str | int | float | bool) or value is None:
            extras[key] = value
        else:
            extras[key] = str(value)
    for key, value in _task_context().items():
        extras.setdefault(key, value)
    return extras


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, context, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            line.update(_access_fields(record.args))
        line.update(
            {k: v for k, v in record_extras(record).items() if k not in line and k != "args"}
        )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The usual one-line format, with the order context appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extras = record_extras(record)
        context = " ".join(f"{key}={extras[key]}" for key in CONTEXT_KEYS if extras.get(key))
        if not context:
            return text
        first, newline, rest = text.partition("\n")
        return f"{first} [{context}]{newline}{rest}"


def _access_fields(atoms: Any) -> dict[str, Any]:
    """gunicorn's access-log atoms as fields; the path without its query string."""

    def atom(key: str) -> Any:
        value = atoms.get(key)
        return None if value in (None, "-") else value

    return {
        "method": atom("m"),
        "path": atom("U"),
        "status": _int_or_none(atom("s")),
        "duration_ms": _int_or_none(atom("M")),
        "bytes": _int_or_none(atom("B")),
        "remote_addr": atom("h"),
    }


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RedactFilter(logging.Filter):
    """Replaces secrets from settings, e-mail addresses and mobile numbers in every record."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self._secrets: list[str] | None = None

    def secrets(self) -> list[str]:
        if self._secrets is None:
            try:
                from django.conf import settings

                values = [getattr(settings, name, "") for name in SECRET_SETTINGS]
            except Exception:  # settings not configured (gunicorn's master before Django)
                return []
            # Longest first, so that a secret containing another is replaced whole.
            self._secrets = sorted(
                {value for value in values if isinstance(value, str) and len(value) >= 8},
                key=len,
                reverse=True,
            )
        return self._secrets

    def redact(self, text: str) -> str:
        for secret in self.secrets():
            text = text.replace(secret, REDACTED)
        text = EMAIL.sub("[email]", text)
        return PHONE.sub(_phone, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it as usual
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class SkipHealthProbes(logging.Filter):
    """Keeps the container health probes (every few seconds) out of the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args if isinstance(record.args, dict) else {}
        return atoms.get("U") not in ("/healthz", "/readyz")
