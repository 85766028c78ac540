"""Run the fake Fonnte and fake Telegram servers (notifications/fakes) in the foreground.

They listen where FONNTE_BASE_URL and TELEGRAM_API_URL point (the demo's defaults), accept the
configured tokens and chat id, print every message they receive to the console, and show them
at GET / (the fake phone and chat screens). Ctrl-C or SIGTERM stops them.
"""

import signal
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notifications.fakes import FakeFonnte, FakeTelegram
from storefront.management.serving import stop_like_ctrl_c


class Command(BaseCommand):
    help = "Run the fake Fonnte (WhatsApp) and fake Telegram servers until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print each message.")

    def handle(self, *args, quiet: bool, **options):
        fonnte_url = urlsplit(settings.FONNTE_BASE_URL)
        telegram_url = urlsplit(settings.TELEGRAM_API_URL)
        fonnte = FakeFonnte(
            token=settings.FONNTE_TOKEN,
            host=fonnte_url.hostname or "127.0.0.1",
            port=fonnte_url.port or 8766,
            echo=not quiet,
        )
        telegram = FakeTelegram(
            token=settings.TELEGRAM_BOT_TOKEN,
            host=telegram_url.hostname or "127.0.0.1",
            port=telegram_url.port or 8767,
            echo=not quiet,
        )
        telegram.chats = {settings.TELEGRAM_CHAT_ID}
        signal.signal(signal.SIGTERM, stop_like_ctrl_c)
        try:
            fonnte.start()
            telegram.start()
        except OSError as exc:
            fonnte.stop()
            raise CommandError(f"Cannot start the fake gateways: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS("Fake WhatsApp (Fonnte) ")
            + f"{fonnte.url}/  "
            + self.style.SUCCESS("fake Telegram ")
            + f"{telegram.url}/  (messages print here too)"
        )
        self.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            fonnte.stop()
            telegram.stop()
