"""Gerai settings: one module, every difference between environments comes from the environment.

Each variable is documented in .env.example. The defaults are the embedded demo: SQLite, a
broker that needs no server, and the local isipay sandbox.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.translation import gettext_lazy
from kombu import Queue

from storefront.broker import transport_options as broker_transport_options

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = BASE_DIR / ".run"

env = environ.Env()
if (BASE_DIR / ".env").exists():  # containers get their environment from compose instead
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_or(name: str, default: str) -> str:
    """The variable's value, or the default when it is unset or empty (as in .env.example)."""
    return env.str(name, default="") or default


def env_flag(name: str, default: bool) -> bool:
    """A true/false variable; unset or empty means the default (empty is not "false")."""
    return env.bool(name) if env.str(name, default="").strip() else default


def env_number(name: str, default: float) -> float:
    """A number; unset or empty means the default."""
    return env.float(name) if env.str(name, default="").strip() else default


# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)

# The demo key is only accepted with DEBUG on.
DEMO_SECRET_KEY = "django-insecure-gerai-demo-key-not-for-production"  # noqa: S105

SECRET_KEY = env_or("SECRET_KEY", DEMO_SECRET_KEY)

# Django's own measure of a weak key (check --deploy, security.W009), here a refusal.
if not DEBUG and (
    SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing, too short or too repetitive: set a random value of at least "
        "50 characters when DEBUG is off, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    # The back office's look (django-unfold), before the admin whose templates it replaces.
    "unfold",
    "unfold.contrib.simple_history",
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
    # Admin login lockout after repeated failures.
    "axes",
    "csp",
    "simple_history",
    "storefront",
    "catalog",
    "orders",
    "payments",
    "backoffice",
    # Customer accounts (django-allauth): email + password, Google when configured.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "accounts",
    # After any app that registers the user admin (wallet/admin.py adds a deletion guard to it).
    "wallet",
    # Storefront merchandising (issue 18): home content and pages, game status, complaints.
    "django.contrib.sitemaps",
    "content",
    "gamestatus",
    "support",
    "notifications",
    # Member tiers, promo codes and flash sales on one price engine (issue 15).
    "promotions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 400 for a NUL in the path, query or JSON (PostgreSQL refuses it in any string).
    "storefront.middleware.RejectNulMiddleware",
    # A guest's cached page (game, home, order status) served here, before the middleware it
    # does not need, with everything they would add to it, CSP included (earlypages.py).
    "storefront.earlypages.GuestPageMiddleware",
    # The CSP below on every page; the admin's pages get ADMIN_CSP_UPDATE on top (unfold).
    "storefront.middleware.ContentSecurityPolicyMiddleware",
    # /healthz and /readyz, before host validation and sessions (storefront/health.py).
    "storefront.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "storefront.middleware.ShopLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records which admin user made each markup change (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A view over its rate limit answers 429 (storefront.security.ratelimited), not 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
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
# With DEBUG off, Django itself serves uploads (game icons) unless a proxy or CDN does.
SERVE_MEDIA = env.str("SERVE_MEDIA", default="").strip().lower() not in ("false", "0", "no", "off")

# The shop's public address, for links in e-mails and payment pages (checked under Security).
SITE_URL = env_or("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"

# --- Database ---------------------------------------------------------------------------------
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
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # An unreachable server fails in seconds (and /readyz says so) instead of hanging.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
REDIS_URL = env_or("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Seconds: a Redis that stopped answering fails fast instead of hanging a page.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # A folder, not process memory: web, worker and beat must see the same catalog and order
    # versions, or a sync on the worker would leave the web showing old prices.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_or("CACHE_FOLDER", str(RUN_DIR / "cache")),
        }
    }
# Rendered pages, in each web process's memory (storefront/pagecache.py). Their keys carry a
# version read from the shared cache above: a page follows its order at once and the catalog
# within catalog.cache.REUSE_SECONDS; old versions just age out of the bounded cache.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

# --- isipay -----------------------------------------------------------------------------------
# The sandbox token, like the demo key, is only accepted with DEBUG on.
SANDBOX_TOKEN = "sandbox-token"  # noqa: S105
ISIPAY_API_TOKEN = env_or("ISIPAY_API_TOKEN", SANDBOX_TOKEN if DEBUG else "")
if not DEBUG:
    if not ISIPAY_API_TOKEN:
        raise ImproperlyConfigured(
            "ISIPAY_API_TOKEN is missing: set the token from the isipay.top administrator "
            "when DEBUG is off."
        )
    if (
        ISIPAY_API_TOKEN == SANDBOX_TOKEN
        or ISIPAY_API_TOKEN.strip() != ISIPAY_API_TOKEN
        or any(char.isspace() for char in ISIPAY_API_TOKEN)
        or len(ISIPAY_API_TOKEN) < 16
        or len(set(ISIPAY_API_TOKEN)) < 5
    ):
        raise ImproperlyConfigured(
            "ISIPAY_API_TOKEN does not look like a real isipay token (the sandbox token, "
            "whitespace, or fewer than 16 characters): set the token from the isipay.top "
            "administrator when DEBUG is off."
        )
ISIPAY_BASE_URL = env_or("ISIPAY_BASE_URL", "http://127.0.0.1:8765")
ISIPAY_TIMEOUT = env.float("ISIPAY_TIMEOUT", default=15.0)
ISIPAY_CONNECT_TIMEOUT = env.float("ISIPAY_CONNECT_TIMEOUT", default=5.0)
# Extra status words, e.g. "menunggu=pending,dibatalkan=failed".
ISIPAY_EXTRA_STATUS_WORDS = dict(
    pair.split("=", 1) for pair in env.list("ISIPAY_EXTRA_STATUS_WORDS", default=[]) if "=" in pair
)
# Ceiling on isipay calls in flight for the whole shop (every worker thread, process and
# container; shared through Redis when REDIS_URL is set): the shop never floods the supplier.
ISIPAY_MAX_CONCURRENT_CALLS = env.int("ISIPAY_MAX_CONCURRENT_CALLS", default=150)
# Seconds a call waits for a free slot; then it is not sent and is retried like any outage.
ISIPAY_SLOT_WAIT = env.float("ISIPAY_SLOT_WAIT", default=30.0)
# How long the built-in sandbox takes to answer (isipay/sandbox/latency.py), e.g. "0.3" or
# "order=1~0.2": a demo or benchmark against a supplier that takes time. Empty: at once.
ISIPAY_SANDBOX_LATENCY = env_or("ISIPAY_SANDBOX_LATENCY", "")

# --- Catalog ----------------------------------------------------------------------------------
CATALOG_SYNC_INTERVAL = env.int("CATALOG_SYNC_INTERVAL", default=900)
# Variant lists fetched at once during a sync (each isipay call also takes a shop-wide slot).
CATALOG_SYNC_CONCURRENCY = env.int("CATALOG_SYNC_CONCURRENCY", default=8)

# --- Game status and the Popular list (gamestatus app) ---------------------------------------
# Every GAME_STATUS_INTERVAL seconds each game is measured from its last GAME_STATUS_WINDOW_ORDERS
# paid orders of the last GAME_STATUS_WINDOW_HOURS: below GAME_STATUS_MIN_ORDERS nothing is said;
# a success rate under the percent, or a median delivery of at least the seconds, makes the game
# page say "Sedang lambat" (SLOW) or "Gangguan" (DOWN). The owner can override it in admin.
GAME_STATUS_INTERVAL = env.float("GAME_STATUS_INTERVAL", default=120)
GAME_STATUS_WINDOW_ORDERS = env.int("GAME_STATUS_WINDOW_ORDERS", default=20)
GAME_STATUS_WINDOW_HOURS = env.float("GAME_STATUS_WINDOW_HOURS", default=6)
GAME_STATUS_MIN_ORDERS = env.int("GAME_STATUS_MIN_ORDERS", default=3)
GAME_STATUS_SLOW_SECONDS = env.float("GAME_STATUS_SLOW_SECONDS", default=300)
GAME_STATUS_DOWN_SECONDS = env.float("GAME_STATUS_DOWN_SECONDS", default=1800)
GAME_STATUS_SLOW_SUCCESS_RATE = env.int("GAME_STATUS_SLOW_SUCCESS_RATE", default=90)
GAME_STATUS_DOWN_SUCCESS_RATE = env.int("GAME_STATUS_DOWN_SUCCESS_RATE", default=60)
# The home page's Popular list: pinned games first, then by delivered orders in the last days.
POPULAR_SALES_DAYS = env.int("POPULAR_SALES_DAYS", default=7)
POPULAR_GAMES = env.int("POPULAR_GAMES", default=8)

# --- Orders: fulfilment (seconds unless said otherwise) ---------------------------------------
ORDER_SUBMIT_MAX_ATTEMPTS = env.int("ORDER_SUBMIT_MAX_ATTEMPTS", default=6)
ORDER_SUBMIT_RETRY_BASE = env.float("ORDER_SUBMIT_RETRY_BASE", default=10)
ORDER_SUBMIT_STUCK_AFTER = env.float("ORDER_SUBMIT_STUCK_AFTER", default=180)
ORDER_SWEEP_INTERVAL = env.float("ORDER_SWEEP_INTERVAL", default=60)
ORDER_POLL_INTERVAL = env.float("ORDER_POLL_INTERVAL", default=5)
ORDER_POLL_FIRST_MIN = env.float("ORDER_POLL_FIRST_MIN", default=3)
ORDER_POLL_BACKOFF_BASE = env.float("ORDER_POLL_BACKOFF_BASE", default=5)
ORDER_POLL_BACKOFF_CAP = env.float("ORDER_POLL_BACKOFF_CAP", default=300)
ORDER_POLL_BATCH = env.int("ORDER_POLL_BATCH", default=500)
# Status calls one poll task keeps in flight (threads that only wait on isipay's network).
ORDER_POLL_CONCURRENCY = env.int("ORDER_POLL_CONCURRENCY", default=100)
ORDER_POLL_LEASE = env.float("ORDER_POLL_LEASE", default=120)
ORDER_UNKNOWN_STATUS_REVIEW_AFTER = env.float("ORDER_UNKNOWN_STATUS_REVIEW_AFTER", default=1800)
ORDER_PROCESSING_MAX_AGE = env.float("ORDER_PROCESSING_MAX_AGE", default=86400)
ORDER_BALANCE_CHECK_INTERVAL = env.float("ORDER_BALANCE_CHECK_INTERVAL", default=60)
# How long a lookup of a reference isipay says is used is retried (with backoff) before review.
ORDER_ADOPT_RETRY_FOR = env.float("ORDER_ADOPT_RETRY_FOR", default=300)
# A failed order with no refund outcome this long after failing is refunded by the sweeper.
ORDER_REFUND_SWEEP_AFTER = env.float("ORDER_REFUND_SWEEP_AFTER", default=120)
# Before placing, the item's cost is re-read from isipay unless the last reading is at most
# SUPPLIER_COST_MAX_AGE old; when isipay cannot be read, an order is placed on a reading at
# most SUPPLIER_COST_MAX_STALE old, else retried later.
SUPPLIER_COST_MAX_AGE = env.float("SUPPLIER_COST_MAX_AGE", default=60)
SUPPLIER_COST_MAX_STALE = env.float("SUPPLIER_COST_MAX_STALE", default=300)
# How long an order whose item cost cannot be read (nothing sent to isipay) is retried, with
# backoff and without using up ORDER_SUBMIT_MAX_ATTEMPTS, before it goes to review.
ORDER_COST_RETRY_FOR = env.float("ORDER_COST_RETRY_FOR", default=900)

# --- Notifications (e-mail) -------------------------------------------------------------------
# The demo prints mails; with DEBUG off they go out by SMTP, to the server in EMAIL_URL (e.g.
# smtp+tls://user:password@smtp.example.com:587). Never the console in production: it would
# write customers' addresses into the logs.
EMAIL_BACKEND = env_or(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
if env_or("EMAIL_URL", ""):
    vars().update(env.email_url_config(env.str("EMAIL_URL")))
EMAIL_TIMEOUT = 10  # seconds; a mail server that hangs must not hold a Celery worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Gerai <noreply@gerai.local>")

# --- Logging ----------------------------------------------------------------------------------
# One line per event: JSON in production, readable in the demo (storefront/logging.py). Every
# line passes the redact filter: no token, secret key, e-mail address or phone number.
LOG_FORMAT = env_or("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "storefront.logging.RedactFilter"}},
    "formatters": {
        "text": {
            "()": "storefront.logging.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "storefront.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Never let the HTTP stack log request headers (they carry the supplier token).
        "urllib3": {"level": "WARNING"},
        # One line per beat tick and per task is noise; problems still show.
        "celery.beat": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
        # Its version banner on every start; lockouts are still logged (axes.handlers).
        "axes.apps": {"level": "WARNING"},
    },
}

# --- Payments ---------------------------------------------------------------------------------
# Providers offered at checkout, in order: "sandbox" (local test page) and/or "midtrans".
# With DEBUG off there is no default, and the sandbox (which lets anyone "pay" with a button)
# is refused unless a staging shop opts in; every page then says TEST MODE.
REAL_PAYMENT_PROVIDERS = ["midtrans", "tripay"]
PAYMENT_PROVIDERS = [
    name.strip().lower()
    for name in env_or("PAYMENT_PROVIDERS", "sandbox" if DEBUG else "").split(",")
    if name.strip()
]
# Tripay closed payments (payments/tripay/): on when TRIPAY_ENABLED or PAYMENT_PROVIDERS has it.
TRIPAY_ENABLED = env.bool("TRIPAY_ENABLED", default="tripay" in PAYMENT_PROVIDERS)
if TRIPAY_ENABLED and "tripay" not in PAYMENT_PROVIDERS:
    PAYMENT_PROVIDERS.append("tripay")
TRIPAY_PRODUCTION = env.bool("TRIPAY_PRODUCTION", default=False)
TRIPAY_API_URL = env_or(
    "TRIPAY_API_URL",
    "https://tripay.co.id/api" if TRIPAY_PRODUCTION else "https://tripay.co.id/api-sandbox",
)
TRIPAY_MERCHANT_CODE = env_or("TRIPAY_MERCHANT_CODE", "")
TRIPAY_API_KEY = env_or("TRIPAY_API_KEY", "")
TRIPAY_PRIVATE_KEY = env_or("TRIPAY_PRIVATE_KEY", "")
TRIPAY_CONNECT_TIMEOUT = env.float("TRIPAY_CONNECT_TIMEOUT", default=3.05)
TRIPAY_READ_TIMEOUT = env.float("TRIPAY_READ_TIMEOUT", default=10)
# The channel a Tripay payment opens with, and the customer Tripay's API requires (the shop
# sends no customer's personal data to Tripay).
TRIPAY_DEFAULT_METHOD = env_or("TRIPAY_DEFAULT_METHOD", "QRIS")
TRIPAY_CUSTOMER_NAME = env_or("TRIPAY_CUSTOMER_NAME", "Pelanggan Gerai")
TRIPAY_CUSTOMER_EMAIL = env_or("TRIPAY_CUSTOMER_EMAIL", "pelanggan@gerai.local")
ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION = env.bool(
    "ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION", default=False
)
MIDTRANS_SERVER_KEY = env_or("MIDTRANS_SERVER_KEY", "")
MIDTRANS_CLIENT_KEY = env_or("MIDTRANS_CLIENT_KEY", "")
MIDTRANS_IS_PRODUCTION = env.bool("MIDTRANS_IS_PRODUCTION", default=False)
# True while no payment is real: the sandbox is offered, or Midtrans' sandbox environment
# (whose public payment simulator "pays" anything). Every page then says TEST MODE.
MIDTRANS_TEST_MODE = "midtrans" in PAYMENT_PROVIDERS and not MIDTRANS_IS_PRODUCTION
TRIPAY_TEST_MODE = "tripay" in PAYMENT_PROVIDERS and not TRIPAY_PRODUCTION
PAYMENT_TEST_MODE = "sandbox" in PAYMENT_PROVIDERS or MIDTRANS_TEST_MODE or TRIPAY_TEST_MODE
if unknown_providers := sorted(set(PAYMENT_PROVIDERS) - {"sandbox", *REAL_PAYMENT_PROVIDERS}):
    raise ImproperlyConfigured(
        f"PAYMENT_PROVIDERS has unknown providers {unknown_providers}: use "
        f"{', '.join(REAL_PAYMENT_PROVIDERS)} (or sandbox in the demo)."
    )
if not DEBUG and not PAYMENT_PROVIDERS:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDERS is empty: with DEBUG off set it to a real payment provider "
        f"({', '.join(REAL_PAYMENT_PROVIDERS)}) and its keys."
    )
if not DEBUG and "sandbox" in PAYMENT_PROVIDERS and not ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDERS offers sandbox with DEBUG off: anyone could mark an order paid "
        f"without paying. Use a real payment provider ({', '.join(REAL_PAYMENT_PROVIDERS)}); "
        "only a staging shop sets ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION=true."
    )
if not DEBUG and MIDTRANS_TEST_MODE and not ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "Midtrans is in its sandbox environment (MIDTRANS_IS_PRODUCTION is not true) with DEBUG "
        "off: anyone could pay with Midtrans' public payment simulator. Set "
        "MIDTRANS_IS_PRODUCTION=true with the production keys; only a staging shop sets "
        "ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION=true."
    )
if not DEBUG and TRIPAY_TEST_MODE and not ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "Tripay is in its sandbox (TRIPAY_PRODUCTION is not true) with DEBUG off: its "
        "simulator pays anything. Set TRIPAY_PRODUCTION=true with the production keys; only a "
        "staging shop sets ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION=true."
    )
if "midtrans" in PAYMENT_PROVIDERS and not MIDTRANS_SERVER_KEY:
    raise ImproperlyConfigured("PAYMENT_PROVIDERS includes midtrans: set MIDTRANS_SERVER_KEY.")
# Midtrans' sandbox keys start with SB-; a key for the other environment is always refused.
MIDTRANS_SANDBOX_KEY = MIDTRANS_SERVER_KEY.startswith("SB-")
if "midtrans" in PAYMENT_PROVIDERS and MIDTRANS_SANDBOX_KEY is MIDTRANS_IS_PRODUCTION:
    raise ImproperlyConfigured(
        "MIDTRANS_SERVER_KEY is a "
        + ("sandbox (SB-) key" if MIDTRANS_IS_PRODUCTION else "production key")
        + f" but MIDTRANS_IS_PRODUCTION={str(MIDTRANS_IS_PRODUCTION).lower()}: use the keys of "
        "the environment you set."
    )
# Unpaid orders expire after this many seconds.
PAYMENT_TIMEOUT = env.int("PAYMENT_TIMEOUT", default=1800)
# Seconds every Midtrans call may take to connect, and then to answer (midtransclient has none).
MIDTRANS_CONNECT_TIMEOUT = env.float("MIDTRANS_CONNECT_TIMEOUT", default=3.05)
MIDTRANS_READ_TIMEOUT = env.float("MIDTRANS_READ_TIMEOUT", default=10)
# A pending attempt not heard of for this many seconds is asked about at the provider (a lost
# notification); a refund left "refunding" this long is asked about and finished or flagged.
PAYMENT_STATUS_CHECK_AFTER = env.int("PAYMENT_STATUS_CHECK_AFTER", default=300)
PAYMENT_REFUND_STUCK_AFTER = env.int("PAYMENT_REFUND_STUCK_AFTER", default=300)
PAYMENT_STATUS_CHECK_BATCH = 100

# --- Wallet (saldo) ---------------------------------------------------------------------------
# A deposit (top-up of the balance through a payment provider) is between these amounts, in
# rupiah, and payable for PAYMENT_TIMEOUT seconds, like an order. The amount buttons offered.
WALLET_DEPOSIT_MIN = env.int("WALLET_DEPOSIT_MIN", default=10_000)
WALLET_DEPOSIT_MAX = env.int("WALLET_DEPOSIT_MAX", default=5_000_000)
WALLET_DEPOSIT_PRESETS = [
    int(amount)
    for amount in env_or("WALLET_DEPOSIT_PRESETS", "20000,50000,100000,250000,500000").split(",")
    if amount.strip()
]
if not 0 < WALLET_DEPOSIT_MIN <= WALLET_DEPOSIT_MAX:
    raise ImproperlyConfigured("WALLET_DEPOSIT_MIN must be above 0 and at most WALLET_DEPOSIT_MAX.")
# A logged-in customer's failed order paid through a gateway waits this many seconds for the
# customer to choose: the money back as balance at once, or to the original method. After it,
# the refund goes to the original method automatically (as a guest's does at once).
WALLET_REFUND_CHOICE_WINDOW = env.int("WALLET_REFUND_CHOICE_WINDOW", default=1800)

# --- Back office (admin dashboard, reports, reconciliation) -----------------------------------
# The dashboard warns when the isipay balance is below this many rupiah.
ISIPAY_LOW_BALANCE_WARNING = env.int("ISIPAY_LOW_BALANCE_WARNING", default=500_000)
# Whether isipay gives back the cost of an order that fails there. Its API document does not
# say; the reconciliation's expected balance change rests on this (and shows the other case).
ISIPAY_REFUNDS_FAILED_ORDERS = env.bool("ISIPAY_REFUNDS_FAILED_ORDERS", default=True)
# Seconds between isipay balance snapshots, the reconciliation's measuring points.
BALANCE_SNAPSHOT_INTERVAL = env.int("BALANCE_SNAPSHOT_INTERVAL", default=600)

# --- Security (storefront/security.py; README "Running with Docker Compose") ------------------
# None of the HTTPS settings is active while DEBUG is on: the demo stays plain HTTP.

# Rate limits (django-ratelimit syntax), per client IP. RATELIMIT_WEBHOOK counts only
# notifications that fail the signature check: Midtrans' own are never limited.
RATELIMIT_CHECKOUT = env_or("RATELIMIT_CHECKOUT", "20/m")
RATELIMIT_LOOKUP = env_or("RATELIMIT_LOOKUP", "10/m")
RATELIMIT_WEBHOOK = env_or("RATELIMIT_WEBHOOK", "120/m")
# "Cek status pembayaran" on an order: per order, whoever asks (the provider's status API).
RATELIMIT_PAYMENT_CHECK = env_or("RATELIMIT_PAYMENT_CHECK", "3/m")
# ... and per client IP, across orders (one visitor cycling order numbers).
RATELIMIT_PAYMENT_CHECK_IP = env_or("RATELIMIT_PAYMENT_CHECK_IP", "10/m")
# Complaints sent from an order page (no account needed: the order link is enough).
RATELIMIT_COMPLAINT = env_or("RATELIMIT_COMPLAINT", "5/h")

# The admin's path; an unguessable one keeps most scanners away from the login.
ADMIN_URL = env_or("ADMIN_URL", "admin/")
if ADMIN_URL.startswith("/") or not ADMIN_URL.endswith("/"):
    raise ImproperlyConfigured(
        f'ADMIN_URL must look like "admin/" (no leading slash), not {ADMIN_URL!r}.'
    )
# /readyz shows its details (queue, last sync) to a request with this in X-Readiness-Token,
# or from inside the container network; through the proxy, without it, only ok or not.
READINESS_TOKEN = env_or("READINESS_TOKEN", "")
# Reverse proxies in front of gunicorn that append to X-Forwarded-For; 0 trusts no header.
TRUSTED_PROXY_COUNT = int(env_number("TRUSTED_PROXY_COUNT", 0))
# The TLS proxy sets X-Forwarded-Proto: https; Django then knows the request was secure.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if not DEBUG and env_flag("TRUST_X_FORWARDED_PROTO", True)
    else None
)
SECURE_SSL_REDIRECT = not DEBUG and env_flag("SECURE_SSL_REDIRECT", True)
# Container probes come over plain HTTP from inside the network (storefront/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
# Start with an hour; raise to 31536000 (a year) once HTTPS works on every subdomain.
SECURE_HSTS_SECONDS = 0 if DEBUG else int(env_number("SECURE_HSTS_SECONDS", 3600))
# Off by default: includeSubDomains binds every subdomain to HTTPS, and preload (which also
# needs SECURE_HSTS_SECONDS=31536000 and a submission at hstspreload.org) is hard to undo for
# the whole domain. Turn them on only once HTTPS works on every subdomain (README "Security").
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG and env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = not DEBUG and env_flag("SECURE_HSTS_PRELOAD", False)
# Off on purpose (above), so Django's check --deploy reminders about them are not warnings.
SILENCED_SYSTEM_CHECKS = [
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG

# With DEBUG off, refuse what would send customers' links to nowhere or mail to nowhere.
LOCAL_HOSTS = ("localhost", "0.0.0.0", "::1", "::")  # noqa: S104 - names compared, not bound


def is_local_host(host: str) -> bool:
    host = (host or "").strip().strip("[]").lower().rstrip(".")
    return host in LOCAL_HOSTS or host.endswith(".localhost") or host.startswith("127.")


if not DEBUG:
    _site = urlsplit(SITE_URL)
    if _site.scheme != "https" or not _site.hostname or is_local_host(_site.hostname):
        raise ImproperlyConfigured(
            f"SITE_URL must be the shop's public https:// address when DEBUG is off, not "
            f"{SITE_URL!r}: it goes into the links of customers' e-mails and payment pages."
        )
    if (
        EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        and is_local_host(globals().get("EMAIL_HOST", "localhost"))
        and int(globals().get("EMAIL_PORT", 25)) == 25
        and not env_flag("ALLOW_LOCALHOST_EMAIL", False)
    ):
        raise ImproperlyConfigured(
            "E-mail would go to localhost:25 (EMAIL_URL is not set): set EMAIL_URL to your SMTP "
            "server, or ALLOW_LOCALHOST_EMAIL=true if a mail relay really listens there."
        )
# Origins allowed to POST forms besides the site itself, e.g. https://shop.example.com when
# a proxy rewrites the Host header.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): scripts and styles from this site only, no inline
# script; htmx is served from /static/ and runs with allowEval off (templates/base.html).
_MIDTRANS_SNAP = (
    ["https://app.midtrans.com" if MIDTRANS_IS_PRODUCTION else "https://app.sandbox.midtrans.com"]
    if "midtrans" in PAYMENT_PROVIDERS
    else []
)
# Tripay's checkout page (or the fake Tripay's, in the demo): where paying goes next.
_TRIPAY_CHECKOUT = (
    ["{0.scheme}://{0.netloc}".format(urlsplit(TRIPAY_API_URL))]
    if "tripay" in PAYMENT_PROVIDERS
    else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Browsers also check the redirect after a form post: paying goes on to Midtrans Snap.
        "form-action": ["'self'", *_MIDTRANS_SNAP, *_TRIPAY_CHECKOUT],
        "upgrade-insecure-requests": not DEBUG,
    },
}

# The admin only (ADMIN_URL): django-unfold's Alpine.js evaluates its expressions (eval) and
# its pages carry style attributes. Staff alone see these pages; the storefront keeps the
# policy above (storefront.middleware.ContentSecurityPolicyMiddleware).
ADMIN_CSP_UPDATE = {
    "script-src": ["'unsafe-eval'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["blob:"],
}

# Admin login: django-axes locks an IP out after AXES_FAILURE_LIMIT failed logins for
# AXES_COOLOFF_HOURS; a successful login resets the count. Failures are kept in the database
# (admin → Axes). The admin login is also rate-limited per IP (RATELIMIT_ADMIN_LOGIN).
AUTHENTICATION_BACKENDS = [
    # First: it sees every login (admin's and customers'), and allauth passes the request.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Customers log in by email (allauth); no username is ever asked for.
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = int(env_number("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(hours=env_number("AXES_COOLOFF_HOURS", 1))
# Each entry locks on its own: AXES_FAILURE_LIMIT failures from one IP (any user names), or
# for one user name (from any IPs: guessing spread over many addresses). Unlock early with
# `manage.py axes_reset_username NAME` or `axes_reset_ip IP`.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "storefront.security.client_ip"
# The username as axes records it, cut to its column's length (a longer one failed on PostgreSQL).
AXES_USERNAME_CALLABLE = "storefront.security.axes_username"
RATELIMIT_ADMIN_LOGIN = env_or("RATELIMIT_ADMIN_LOGIN", "10/m")
# django-ratelimit: client IPs behind proxies, and a 429 page instead of a 403.
RATELIMIT_IP_META_KEY = "storefront.security.client_ip"
RATELIMIT_VIEW = "storefront.security.ratelimited"

# --- Notifications: outbox, WhatsApp (Fonnte), Telegram alerts (notifications app) ------------
# Every message is an outbox row sent by the "notify" queue (its own queue, so a slow gateway
# never holds a submission). The demo talks to the fake servers that `make run` starts
# (notifications/fakes); production needs the real URLs' defaults and the tokens.
FONNTE_BASE_URL = env_or(
    "FONNTE_BASE_URL", "http://127.0.0.1:8766" if DEBUG else "https://api.fonnte.com"
)
FONNTE_TOKEN = env_or("FONNTE_TOKEN", "fake-fonnte-token" if DEBUG else "")
FONNTE_COUNTRY_CODE = env_or("FONNTE_COUNTRY_CODE", "62")
# Fonnte's incoming-message webhook (/notifications/fonnte/webhook/<secret>/): empty = off.
FONNTE_WEBHOOK_SECRET = env_or("FONNTE_WEBHOOK_SECRET", "fake-webhook-secret" if DEBUG else "")
# Words (one message, any case) that unsubscribe a number from WhatsApp messages.
WHATSAPP_UNSUBSCRIBE_WORDS = [
    w.strip().lower() for w in env_or("WHATSAPP_UNSUBSCRIBE_WORDS", "STOP,BERHENTI").split(",")
]
# Seconds between two WhatsApp sends, across every worker (unofficial gateways ban numbers
# that blast).
WHATSAPP_SEND_INTERVAL = env_number("WHATSAPP_SEND_INTERVAL", 3)
TELEGRAM_API_URL = env_or(
    "TELEGRAM_API_URL", "http://127.0.0.1:8767" if DEBUG else "https://api.telegram.org"
)
TELEGRAM_BOT_TOKEN = env_or("TELEGRAM_BOT_TOKEN", "123456:fake-telegram-token" if DEBUG else "")
TELEGRAM_CHAT_ID = env_or("TELEGRAM_CHAT_ID", "100200300" if DEBUG else "")
# The owner's alerts go by e-mail to these when Telegram is off, unset or refuses a message.
ADMINS = [
    ("Owner", address.strip())
    for address in env_or("ADMINS", "owner@gerai.local" if DEBUG else "").split(",")
    if address.strip()
]
NOTIFY_TIMEOUT = env_number("NOTIFY_TIMEOUT", 10)  # read timeout of a gateway call, seconds
NOTIFY_RETRY_BASE = env_number("NOTIFY_RETRY_BASE", 15)  # first retry; doubles each attempt
NOTIFY_RETRY_CAP = env_number("NOTIFY_RETRY_CAP", 300)  # longest wait between two attempts
# A message still not sent this long after it was written is given up (marked failed).
NOTIFY_GIVE_UP_AFTER = env_number("NOTIFY_GIVE_UP_AFTER", 86400)
NOTIFY_SWEEP_INTERVAL = env_number("NOTIFY_SWEEP_INTERVAL", 30)
ALERT_CHECK_INTERVAL = env_number("ALERT_CHECK_INTERVAL", 60)
# The spend rate behind the balance runway: balance drops over this many seconds. Default: 1 day
ALERT_RUNWAY_WINDOW = env_number("ALERT_RUNWAY_WINDOW", 86400)

# --- Celery -----------------------------------------------------------------------------------
# Without a broker URL the demo uses kombu's filesystem transport: no server to run.
CELERY_BROKER_URL = env_or("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_FOLDER = Path(env_or("CELERY_BROKER_FOLDER", str(RUN_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT = "storefront.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_FOLDER)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages each worker process holds ahead, unacknowledged. A worker that dies does not give
# them back at once: Redis redelivers them only after its visibility timeout (an hour), and the
# filesystem transport of the demo deletes a message as soon as a worker takes it. The sweeper
# (ORDER_SUBMIT_STUCK_AFTER, ORDER_SWEEP_INTERVAL) re-sends what a dead worker held; the demo
# runs it with short timings (run_demo.demo_timings).
# At 1, a process that finishes a submission waits for the broker before the next one: a burst
# of 500 paid orders waited 2.7 s each in the median on the demo broker, 0.4 s at 4. Tasks are
# short, and the prefork pool hands held messages only to free processes (Celery's default fair
# scheduling), so a long sync does not hold submissions back. With several worker containers,
# each holds up to 4 x its concurrency while the others may be idle; set it to 1 if that
# matters more than the broker round trip.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=4)
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "sync", "submit", "poll", "notify")]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Three queues so that a slow sync never delays a paid order; the isipay account calls (orders,
# payments' provider checks, balance snapshots) go with submissions.
CELERY_TASK_ROUTES = {
    "catalog.*": {"queue": "sync"},
    "orders.submit_order": {"queue": "submit"},
    "orders.sweep_submissions": {"queue": "submit"},
    "orders.check_supplier_balance": {"queue": "submit"},
    "orders.expire_unpaid_orders": {"queue": "submit"},
    "orders.sweep_refunds": {"queue": "submit"},
    "orders.poll_*": {"queue": "poll"},
    "payments.*": {"queue": "submit"},
    "backoffice.*": {"queue": "submit"},
    "gamestatus.*": {"queue": "sync"},
    "wallet.*": {"queue": "submit"},
    # Messages (WhatsApp, Telegram, e-mail) on their own queue: a slow gateway holds no order.
    "notifications.*": {"queue": "notify"},
    "promotions.*": {"queue": "sync"},
}
# --- Member tiers (promotions app) -------------------------------------------------------------
# A customer's tier by spend counts successful orders over the last TIER_SPEND_DAYS days;
# beat recomputes tiers every TIER_RECOMPUTE_INTERVAL seconds (thresholds in admin, Tiers).
TIER_SPEND_DAYS = env.int("TIER_SPEND_DAYS", default=30)
TIER_RECOMPUTE_INTERVAL = env.int("TIER_RECOMPUTE_INTERVAL", default=3600)
# A member's page tier is remembered in a signed cookie (promotions/tier_cookie.py) for at most
# this many seconds; any tier change voids it within a second anyway.
TIER_COOKIE_MAX_AGE = env.int("TIER_COOKIE_MAX_AGE", default=600)

CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat's database scheduler copies these into django-celery-beat's tables on start, where the
# admin shows them (Periodic tasks). Intervals in seconds, from the topic blocks above.
CELERY_BEAT_SCHEDULE = {
    "sync-catalog": {"task": "catalog.sync_catalog", "schedule": CATALOG_SYNC_INTERVAL},
    "poll-due-orders": {"task": "orders.poll_due_orders", "schedule": ORDER_POLL_INTERVAL},
    "sweep-submissions": {
        "task": "orders.sweep_submissions",
        "schedule": ORDER_SWEEP_INTERVAL,
    },
    "check-supplier-balance": {
        "task": "orders.check_supplier_balance",
        "schedule": ORDER_BALANCE_CHECK_INTERVAL,
    },
    "sweep-refunds": {"task": "orders.sweep_refunds", "schedule": ORDER_SWEEP_INTERVAL},
    "check-pending-payments": {"task": "payments.check_pending_payments", "schedule": 60},
    "sweep-payment-refunds": {"task": "payments.sweep_refunds", "schedule": 60},
    # Tripay's channels and fees (a no-op while Tripay is off).
    "refresh-tripay-channels": {"task": "payments.refresh_tripay_channels", "schedule": 3600},
    "expire-unpaid-orders": {"task": "orders.expire_unpaid_orders", "schedule": 60},
    "expire-deposits": {"task": "wallet.expire_deposits", "schedule": 60},
    "record-balance-snapshot": {
        "task": "backoffice.record_balance_snapshot",
        "schedule": BALANCE_SNAPSHOT_INTERVAL,
    },
    "refresh-game-status": {
        "task": "gamestatus.refresh_game_status",
        "schedule": GAME_STATUS_INTERVAL,
    },
    "sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": NOTIFY_SWEEP_INTERVAL},
    "check-alerts": {"task": "notifications.check_alerts", "schedule": ALERT_CHECK_INTERVAL},
    "recompute-tiers": {"task": "promotions.recompute_tiers", "schedule": TIER_RECOMPUTE_INTERVAL},
}

# --- Customer accounts (django-allauth; accounts app) -------------------------------------------
# Email + password only; a customer must confirm the address before logging in. Mails go out
# through EMAIL_BACKEND (printed to the console in the demo).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"  # kept on User, filled by allauth, never shown
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Gerai: "
# Failed customer logins per IP and per address (allauth's syntax); django-axes also locks out
# after AXES_FAILURE_LIMIT failures, as on the admin's login.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_or("RATELIMIT_CUSTOMER_LOGIN", "10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# Google login appears only when both are set (console.cloud.google.com → OAuth client,
# redirect URI SITE_URL/accounts/google/login/callback/).
GOOGLE_CLIENT_ID = env_or("GOOGLE_CLIENT_ID", "")
GOOGLE_CLIENT_SECRET = env_or("GOOGLE_CLIENT_SECRET", "")
SOCIALACCOUNT_PROVIDERS = (
    {
        "google": {
            "APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET, "key": ""}],
            "SCOPE": ["profile", "email"],
            "AUTH_PARAMS": {"access_type": "online"},
        }
    }
    if GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET
    else {}
)
# Google has verified the address: no second confirmation mail.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"

# --- Back office look (django-unfold; storefront/admin_base.py, storefront/admin_nav.py) ------
UNFOLD = {
    "SITE_TITLE": "Gerai",
    "SITE_HEADER": "Gerai",
    "SITE_SUBHEADER": gettext_lazy("Back office"),
    "SITE_URL": "/",
    "SITE_ICON": lambda request: static("favicon.svg"),
    "SITE_FAVICONS": [
        {"rel": "icon", "type": "image/svg+xml", "href": lambda request: static("favicon.svg")}
    ],
    # A light/dark switch in the user menu; the browser's choice until one is made.
    "THEME": None,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "SHOW_BACK_BUTTON": True,
    "DASHBOARD_CALLBACK": "storefront.admin_nav.dashboard_callback",
    "ENVIRONMENT": "storefront.admin_nav.environment_callback",
    "STYLES": [lambda request: static("backoffice/admin.css")],
    "SCRIPTS": [lambda request: static("backoffice/admin.js")],
    "SIDEBAR": {
        "show_search": True,
        # Admins the groups do not list yet (a new app's) stay reachable under "All applications".
        "show_all_applications": True,
        "navigation": "storefront.admin_nav.navigation",
    },
}
