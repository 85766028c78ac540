from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GameStatusConfig(AppConfig):
    name = "gamestatus"
    verbose_name = _("Game status")
