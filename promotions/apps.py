from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = _("Promotions and member prices")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
