"""Gerai settings: one module, every difference between environments comes from the environment.

Each variable is documented in .env.example. The defaults are the embedded demo: SQLite, a
broker that needs no server, and the local isipay sandbox.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = BASE_DIR / ".run"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_or(name: str, default: str) -> str:
    """The variable's value, or the default when it is unset or empty (as in .env.example)."""
    return env.str(name, default="") or default


DEBUG = env.bool("DEBUG", default=True)

# The demo values below are only accepted with DEBUG on.
DEMO_SECRET_KEY = "django-insecure-gerai-demo-key-not-for-production"  # noqa: S105
SANDBOX_TOKEN = "sandbox-token"  # noqa: S105

SECRET_KEY = env_or("SECRET_KEY", DEMO_SECRET_KEY)
ISIPAY_API_TOKEN = env_or("ISIPAY_API_TOKEN", SANDBOX_TOKEN if DEBUG else "")

if not DEBUG:
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or too short: set a random value of at least 32 characters "
            "when DEBUG is off."
        )
    if not ISIPAY_API_TOKEN:
        raise ImproperlyConfigured(
            "ISIPAY_API_TOKEN is missing: set the token from the isipay.top administrator "
            "when DEBUG is off."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "django_htmx",
    "storefront",
    "catalog",
    "orders",
    "payments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "storefront.urls"
WSGI_APPLICATION = "storefront.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url_config(env_or("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in the demo: WAL lets readers run beside the
    # writer, the busy timeout makes a writer wait instead of failing with "database is locked",
    # and IMMEDIATE transactions take the write lock up front so waits happen where it is safe.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file, not memory, so that the integration tests' Celery worker processes can share it.
    # One file per test run, so that two runs side by side never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(RUN_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_or("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # A folder, not process memory: web, worker and beat must see the same page cache and
    # catalog version, or a sync on the worker would leave the web showing old prices.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_or("CACHE_FOLDER", str(RUN_DIR / "cache")),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Gerai <noreply@gerai.local>")

# --- isipay -------------------------------------------------------------------------------
ISIPAY_BASE_URL = env_or("ISIPAY_BASE_URL", "http://127.0.0.1:8765")
ISIPAY_TIMEOUT = env.float("ISIPAY_TIMEOUT", default=15.0)
ISIPAY_CONNECT_TIMEOUT = env.float("ISIPAY_CONNECT_TIMEOUT", default=5.0)
# Extra status words, e.g. "menunggu=pending,dibatalkan=failed".
ISIPAY_EXTRA_STATUS_WORDS = dict(
    pair.split("=", 1) for pair in env.list("ISIPAY_EXTRA_STATUS_WORDS", default=[]) if "=" in pair
)

# --- catalog ------------------------------------------------------------------------------
CATALOG_SYNC_INTERVAL = env.int("CATALOG_SYNC_INTERVAL", default=900)

# --- Celery -------------------------------------------------------------------------------
# Without a broker URL the demo uses kombu's filesystem transport: no server to run.
CELERY_BROKER_URL = env_or("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_FOLDER = Path(env_or("CELERY_BROKER_FOLDER", str(RUN_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        # The transport polls the folder; at the default 1 s a worker at its prefetch limit
        # takes about one message per second per process, and a paid order waits in line.
        "polling_interval": 0.1,
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "sync", "submit", "poll")]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Three queues so that a slow sync never delays a paid order.
CELERY_TASK_ROUTES = {
    "catalog.tasks.*": {"queue": "sync"},
    "orders.tasks.submit_order": {"queue": "submit"},
    "orders.tasks.sweep_submissions": {"queue": "submit"},
    "orders.tasks.check_supplier_balance": {"queue": "submit"},
    "orders.tasks.poll_*": {"queue": "poll"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Never let the HTTP stack log request headers (they carry the supplier token).
        "urllib3": {"level": "WARNING"},
        # One line per beat tick and per task is noise; problems still show.
        "celery.beat": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
    },
}

LOGIN_URL = "admin:login"

# Beat's database scheduler copies these into django-celery-beat's tables on start, where the
# admin shows them (Periodic tasks).
CELERY_BEAT_SCHEDULE = {
    "sync-catalog": {"task": "catalog.tasks.sync_catalog", "schedule": CATALOG_SYNC_INTERVAL},
}

# --- Order fulfilment (seconds unless said otherwise) ---------------------------------------
ORDER_SUBMIT_MAX_ATTEMPTS = env.int("ORDER_SUBMIT_MAX_ATTEMPTS", default=6)
ORDER_SUBMIT_RETRY_BASE = env.float("ORDER_SUBMIT_RETRY_BASE", default=10)
ORDER_SUBMIT_STUCK_AFTER = env.float("ORDER_SUBMIT_STUCK_AFTER", default=180)
ORDER_SWEEP_INTERVAL = env.float("ORDER_SWEEP_INTERVAL", default=60)
ORDER_POLL_INTERVAL = env.float("ORDER_POLL_INTERVAL", default=5)
ORDER_POLL_FIRST_MIN = env.float("ORDER_POLL_FIRST_MIN", default=3)
ORDER_POLL_BACKOFF_BASE = env.float("ORDER_POLL_BACKOFF_BASE", default=5)
ORDER_POLL_BACKOFF_CAP = env.float("ORDER_POLL_BACKOFF_CAP", default=300)
ORDER_POLL_BATCH = env.int("ORDER_POLL_BATCH", default=100)
ORDER_POLL_LEASE = env.float("ORDER_POLL_LEASE", default=120)
ORDER_UNKNOWN_STATUS_REVIEW_AFTER = env.float("ORDER_UNKNOWN_STATUS_REVIEW_AFTER", default=1800)
ORDER_PROCESSING_MAX_AGE = env.float("ORDER_PROCESSING_MAX_AGE", default=86400)
ORDER_BALANCE_CHECK_INTERVAL = env.float("ORDER_BALANCE_CHECK_INTERVAL", default=60)
SITE_URL = env_or("SITE_URL", "http://127.0.0.1:8000")

CELERY_BEAT_SCHEDULE |= {
    "poll-due-orders": {"task": "orders.tasks.poll_due_orders", "schedule": ORDER_POLL_INTERVAL},
    "sweep-submissions": {
        "task": "orders.tasks.sweep_submissions",
        "schedule": ORDER_SWEEP_INTERVAL,
    },
    "check-supplier-balance": {
        "task": "orders.tasks.check_supplier_balance",
        "schedule": ORDER_BALANCE_CHECK_INTERVAL,
    },
}

# --- Payments -------------------------------------------------------------------------------
# Providers offered at checkout, in order: "sandbox" (local test page) and/or "midtrans".
PAYMENT_PROVIDERS = env.list("PAYMENT_PROVIDERS", default=["sandbox"])
# Unpaid orders expire after this many seconds.
PAYMENT_TIMEOUT = env.int("PAYMENT_TIMEOUT", default=1800)
MIDTRANS_SERVER_KEY = env_or("MIDTRANS_SERVER_KEY", "")
MIDTRANS_CLIENT_KEY = env_or("MIDTRANS_CLIENT_KEY", "")
MIDTRANS_IS_PRODUCTION = env.bool("MIDTRANS_IS_PRODUCTION", default=False)
if "midtrans" in PAYMENT_PROVIDERS and not MIDTRANS_SERVER_KEY:
    raise ImproperlyConfigured("PAYMENT_PROVIDERS includes midtrans: set MIDTRANS_SERVER_KEY.")

# Rate limits (django-ratelimit syntax), per client IP.
RATELIMIT_CHECKOUT = env_or("RATELIMIT_CHECKOUT", "20/m")
RATELIMIT_LOOKUP = env_or("RATELIMIT_LOOKUP", "10/m")
RATELIMIT_WEBHOOK = env_or("RATELIMIT_WEBHOOK", "120/m")

CELERY_BEAT_SCHEDULE["expire-unpaid-orders"] = {
    "task": "orders.tasks.expire_unpaid_orders",
    "schedule": 60,
}
CELERY_TASK_ROUTES["orders.tasks.expire_unpaid_orders"] = {"queue": "submit"}
