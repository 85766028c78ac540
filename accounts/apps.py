from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customer accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
