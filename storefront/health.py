"""Health probes: /healthz (the process answers) and /readyz (it can do its work).

Both are answered by HealthCheckMiddleware, placed right after SecurityMiddleware and the CSP
middleware: a probe comes from inside the container network (Docker's healthcheck, a load
balancer) with a Host header that is not in ALLOWED_HOSTS and over plain HTTP, so it must not
meet host validation or the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT lists both paths),
and it needs no session, user or CSRF token.

/readyz answers 503 when the database, the cache or the Celery broker cannot be reached, each
tried with a short timeout. It also reports the age of the last good catalog sync and the state
of the submission queue; those are warnings for an operator, not reasons to take a web
container out of service, so they never turn it to 503. The JSON holds no URL, host, user name
or exception message: only what failed and the exception's class.

Through the public proxy /readyz says only ok or not (the status code, and {"status": ...}):
the details (last sync, orders waiting or in review, a paused queue hinting at a low supplier
balance) are for a probe from inside the container network, which comes straight to gunicorn
from a private or loopback address with no proxy header, or for a request carrying
READINESS_TOKEN in the X-Readiness-Token header. `manage.py healthcheck ready` prints them too.
"""

import hmac
import ipaddress
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from kombu import Connection

# A catalog older than this many sync intervals is reported stale.
STALE_AFTER_INTERVALS = 3
BROKER_TIMEOUT = 2.0
PATHS = {"/healthz": "healthz", "/readyz": "readyz"}


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        name = PATHS.get(request.path_info.rstrip("/"))
        if name is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return _json({"error": "method not allowed"}, status=405)
        return healthz(request) if name == "healthz" else readyz(request)


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving; touches nothing else."""
    return _json({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    report = readiness()
    status = 200 if report["status"] == "ok" else 503
    if not may_see_details(request):
        return _json({"status": report["status"]}, status=status)
    return _json(report, status=status)


# Headers a reverse proxy adds (Caddy sets X-Forwarded-For and X-Forwarded-Proto): a request
# with any of them came from outside, whatever the address it reached gunicorn from.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_HOST",
)


def may_see_details(request: HttpRequest) -> bool:
    """The readiness token, or a direct request from the same host (a container's own health
    check, an operator's curl inside it), never through a proxy.

    A private source address proves nothing: a proxy that adds no forwarding header (nginx's
    plain proxy_pass) makes every public request arrive from one.
    """
    token = settings.READINESS_TOKEN
    given = request.headers.get("X-Readiness-Token", "")
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def readiness() -> dict[str, Any]:
    """Database, cache and broker reachability, catalog age and submission queue state."""
    checks = {
        "database": _timed(_check_database),
        "cache": _timed(_check_cache),
        "broker": _timed(_check_broker),
    }
    ready = all(check["ok"] for check in checks.values())
    report: dict[str, Any] = {"status": "ok" if ready else "unavailable", "checks": checks}
    warnings: list[str] = []
    if checks["database"]["ok"]:
        report["catalog"] = _state(_catalog_state)
        report["submissions"] = _state(_submission_state)
        if report["catalog"].get("stale"):
            warnings.append("catalog sync is overdue")
        if report["submissions"].get("paused"):
            warnings.append("order submission is paused")
        if "error" in report["catalog"] or "error" in report["submissions"]:
            warnings.append("state could not be read (are migrations applied?)")
    report["warnings"] = warnings
    return report


def _json(body: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Frame-Options"] = "DENY"  # XFrameOptionsMiddleware comes after this one
    return response


def _timed(check: Callable[[], None]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # any failure means "not ready"; its text may hold a host or user
        return {"ok": False, "error": type(exc).__name__, "ms": _ms(started)}
    return {"ok": True, "ms": _ms(started)}


def _state(read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return read()
    except Exception as exc:
        return {"error": type(exc).__name__}


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _check_database() -> None:
    # PostgreSQL connections carry connect_timeout (settings.DATABASES); CONN_HEALTH_CHECKS
    # has already replaced a connection that died since the last request.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise LookupError("the cache did not return what was stored")
    finally:
        cache.delete(key)


def _check_broker() -> None:
    # The connection Celery makes (settings CELERY_BROKER_*), with a short timeout.
    with Connection(
        settings.CELERY_BROKER_URL,
        transport=getattr(settings, "CELERY_BROKER_TRANSPORT", None),
        transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None),
        connect_timeout=BROKER_TIMEOUT,
    ) as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT
        )


def _catalog_state() -> dict[str, Any]:
    from catalog.models import SyncRun

    last = (
        SyncRun.objects.filter(
            status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL],
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last is None:
        return {"last_sync": None, "age_seconds": None, "stale": True}
    age = timezone.now() - last
    limit = timedelta(seconds=settings.CATALOG_SYNC_INTERVAL * STALE_AFTER_INTERVALS)
    return {
        "last_sync": last.isoformat(),
        "age_seconds": int(age.total_seconds()),
        "stale": age > limit,
    }


def _submission_state() -> dict[str, Any]:
    from orders.models import Order, SubmissionQueue

    queue = SubmissionQueue.objects.filter(pk=1).first()  # a probe never creates the row
    paused_at = queue.paused_at if queue else None
    return {
        "paused": paused_at is not None,
        "paused_since": paused_at.isoformat() if paused_at else None,
        "waiting": Order.objects.filter(status=Order.Status.PAID).count(),
        "needs_review": Order.objects.filter(status=Order.Status.NEEDS_REVIEW).count(),
    }
