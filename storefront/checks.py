"""`manage.py check --deploy` warnings for a production setup that would lose data or leak it.

Django's own deploy checks cover HTTPS, cookies and the secret key; these cover the rest of
the production shape (DESIGN.md "Run modes"): PostgreSQL, Redis, and mail that does not end
up in the logs, sandbox payments, and the admin at its default path.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_services(app_configs, **kwargs) -> list[Warning]:
    if settings.DEBUG:
        return []
    warnings = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        warnings.append(
            Warning(
                "DEBUG is off but the database is SQLite.",
                hint="Set DATABASE_URL to PostgreSQL (docker-compose.yml does).",
                id="storefront.W001",
            )
        )
    if not settings.REDIS_URL or settings.CELERY_BROKER_URL.startswith("filesystem://"):
        warnings.append(
            Warning(
                "DEBUG is off but there is no Redis: the cache and the Celery broker are "
                "folders on this machine, which several containers cannot share.",
                hint="Set REDIS_URL (docker-compose.yml does).",
                id="storefront.W002",
            )
        )
    if settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
        warnings.append(
            Warning(
                "DEBUG is off but e-mails are printed to the console: customers' addresses and "
                "order links would end up in the logs.",
                hint="Unset EMAIL_BACKEND and set EMAIL_URL to your SMTP server.",
                id="storefront.W003",
            )
        )
    if settings.PAYMENT_TEST_MODE:
        warnings.append(
            Warning(
                "DEBUG is off but no payment is real (ALLOW_SANDBOX_PAYMENTS_IN_PRODUCTION): "
                "the sandbox payment provider or Midtrans' sandbox environment is offered, "
                "anyone can have an order paid without paying, and every page says TEST MODE.",
                hint="Only for a staging shop. Set PAYMENT_PROVIDERS to "
                f"{', '.join(settings.REAL_PAYMENT_PROVIDERS)} with MIDTRANS_IS_PRODUCTION=true "
                "and unset the opt-in.",
                id="storefront.W004",
            )
        )
    if settings.ADMIN_URL == "admin/":
        warnings.append(
            Warning(
                "The admin is at /admin/, where every scanner looks for a login.",
                hint="Set ADMIN_URL to an unguessable path such as backstage-7f3a9c/.",
                id="storefront.W005",
            )
        )
    return warnings
