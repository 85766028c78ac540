"""`manage.py check --deploy`: Tripay switched on without its keys is refused (an error)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

TRIPAY_KEYS = ("TRIPAY_MERCHANT_CODE", "TRIPAY_API_KEY", "TRIPAY_PRIVATE_KEY")


@register(Tags.security, deploy=True)
def tripay_keys(app_configs, **kwargs) -> list[Error]:
    if "tripay" not in settings.PAYMENT_PROVIDERS:
        return []
    missing = [name for name in TRIPAY_KEYS if not getattr(settings, name, "")]
    if not missing:
        return []
    return [
        Error(
            f"Tripay is enabled but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            "not set: no payment could be created or its callback verified.",
            hint="Copy them from Tripay's merchant page (API & Integrasi) into the environment, "
            "or turn Tripay off (TRIPAY_ENABLED=false, and not in PAYMENT_PROVIDERS).",
            id="payments.E010",
        )
    ]
