"""gunicorn settings for the web container: `gunicorn -c python:storefront.gunicorn_conf`.

gunicorn also reads WEB_CONCURRENCY (number of worker processes) and GUNICORN_CMD_ARGS from
the environment by itself. Logs go to stdout in the same format as the shop's (JSON unless
LOG_FORMAT=text), one line per request, without query strings and without the health probes.
"""

import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY") or 3)
# A request that takes longer than this is a bug: no page waits on isipay (Celery does).
timeout = 30
# SIGTERM: stop accepting, finish requests in flight for up to this long (compose's
# stop_grace_period for web is longer).
graceful_timeout = 25
keepalive = 5
# Heartbeat files in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Runtime control socket (gunicornc) not needed; it would need a writable home directory.
control_socket_disable = True

_format = os.environ.get("LOG_FORMAT") or (
    "text" if os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes", "on") else "json"
)
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "storefront.logging.RedactFilter"},
        "no_probes": {"()": "storefront.logging.SkipHealthProbes"},
    },
    "formatters": {
        "json": {"()": "storefront.logging.JsonFormatter"},
        "text": {
            "()": "storefront.logging.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["redact", "no_probes"],
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}
