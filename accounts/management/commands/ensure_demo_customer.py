import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from storefront.templatetags.money import rupiah
from wallet import selectors as wallet_selectors
from wallet import services as wallet_services

DEMO_EMAIL = "pelanggan@gerai.local"
DEMO_BALANCE = 100_000


def give_demo_balance(user) -> int:
    """Rp 100.000 to try "pay with balance" with, once per demo customer; the balance now."""
    wallet_services.adjust(
        user=user,
        amount=DEMO_BALANCE,
        reason="demo balance",
        actor="ensure_demo_customer",
        cause=f"demo-balance:{user.pk}",
    )
    return wallet_selectors.balance_of(user)


class Command(BaseCommand):
    help = "Create a demo customer (email verified) with a random password, only once."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEMO_EMAIL)

    def handle(self, *args, email: str, **options):
        User = get_user_model()
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            balance = give_demo_balance(existing)
            self.stdout.write(
                f"Demo customer exists: {email}, balance {rupiah(balance)} (its password was "
                "printed when it was created; reset it at /accounts/password/reset/, the mail "
                "is printed here)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=email.split("@")[0], email=email, password=password
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        balance = give_demo_balance(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo customer created: {email} / {password}  (shown only once), "
                f"balance {rupiah(balance)}"
            )
        )
