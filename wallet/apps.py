from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "wallet"
    verbose_name = "Wallets"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
