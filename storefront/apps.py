import logging

from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "storefront"
    verbose_name = "Gerai"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)

        # Python warnings become log lines too (logger "py.warnings"), so that in production
        # every line on stderr is one JSON object.
        logging.captureWarnings(True)

        # Every admin in the back office's look, third-party apps' included (admin_base.py).
        from django.contrib import admin

        from .admin_base import adopt, translate_generated_labels

        adopt(admin.site)
        translate_generated_labels(admin.site)
