import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_EMAIL = "pelanggan@gerai.local"


class Command(BaseCommand):
    help = "Create a demo customer (email verified) with a random password, only once."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEMO_EMAIL)

    def handle(self, *args, email: str, **options):
        User = get_user_model()
        if User.objects.filter(email__iexact=email).exists():
            self.stdout.write(
                f"Demo customer exists: {email} (its password was printed when it was created; "
                "reset it at /accounts/password/reset/, the mail is printed here)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=email.split("@")[0], email=email, password=password
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        self.stdout.write(
            self.style.SUCCESS(f"Demo customer created: {email} / {password}  (shown only once)")
        )
