"""Run the fake Tripay (payments/tripay/fake.py) in the foreground, for the demo.

It listens where TRIPAY_API_URL points (default 127.0.0.1:8768) and accepts the TRIPAY_* keys
of the settings (the fake's demo keys when they are unset). Paying on its checkout page calls
the shop back at its callback URL. Ctrl-C or SIGTERM stops it.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from payments.tripay import fake
from payments.tripay.provider import callback_url
from storefront.management.serving import serve_until_stopped


class Command(BaseCommand):
    help = "Run the fake Tripay server (closed payments, real signatures) until Ctrl-C."

    def add_arguments(self, parser):
        api = urlsplit(settings.TRIPAY_API_URL)
        local = api.hostname in ("127.0.0.1", "localhost")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=(api.port if local else None) or 8768)
        parser.add_argument(
            "--callback-mode",
            choices=fake.CALLBACK_MODES,
            default="normal",
            help="A fault for every callback: sent twice, never, badly signed, and so on.",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not log each request.")

    def handle(self, *args, **options):
        server = fake.FakeTripay(
            api_key=settings.TRIPAY_API_KEY or fake.API_KEY,
            private_key=settings.TRIPAY_PRIVATE_KEY or fake.PRIVATE_KEY,
            merchant_code=settings.TRIPAY_MERCHANT_CODE or fake.MERCHANT_CODE,
            host=options["host"],
            port=options["port"],
            callback_url=callback_url(),
            callback_mode=options["callback_mode"],
            quiet=options["quiet"],
        )

        def listening(url: str) -> str:
            return (
                self.style.SUCCESS(f"fake Tripay listening on {url} (API {server.api_url})")
                + f"; callbacks go to {server.callback_url}. Ctrl-C to stop."
            )

        serve_until_stopped(self, server, listening=listening, stopped="fake Tripay stopped.")
