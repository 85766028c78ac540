from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Shop content")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
