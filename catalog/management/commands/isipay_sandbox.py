"""Run the isipay sandbox (a fake isipay.top with the demo catalog) in the foreground.

The shop reaches it through ISIPAY_BASE_URL; it accepts the token in ISIPAY_API_TOKEN unless
--token is given. Ctrl-C or SIGTERM stops it.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from isipay.sandbox import SandboxServer, demo_catalog, generated_catalog, parse_latency
from storefront.management.serving import serve_until_stopped


class Command(BaseCommand):
    help = "Run the fake isipay.top server (demo catalog) until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--token", default=None, help="Default: settings.ISIPAY_API_TOKEN.")
        parser.add_argument("--balance", type=int, default=5_000_000, help="Rupiah.")
        parser.add_argument("--pending-seconds", type=float, default=1.0)
        parser.add_argument("--complete-seconds", type=float, default=3.0)
        parser.add_argument(
            "--catalog",
            choices=["demo", "generated"],
            default="demo",
            help="generated: 200 synthetic games with 50 variants each (benchmarks).",
        )
        parser.add_argument(
            "--slow",
            action="append",
            default=[],
            metavar="PRODUCT=SECONDS",
            help="Orders for this product take SECONDS to complete (repeatable), "
            "e.g. --slow free-fire=600 to see the game page say it is slow.",
        )
        parser.add_argument(
            "--latency",
            default=None,
            metavar="SPEC",
            help="How long answers take, like a real supplier: 0.3, 300ms, 1~0.2 (± jitter) or "
            "order=1,status-order=0.5 per endpoint. Default: settings.ISIPAY_SANDBOX_LATENCY.",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not log each request.")
        parser.add_argument(
            "--calls-file",
            default=None,
            metavar="PATH",
            help="On stop, write how many /order calls each reference got, as JSON "
            '({"order_calls": {reference: n}}): benchmarks count references sent twice.',
        )

    def handle(self, *args, **options):
        spec = options["latency"]
        if spec is None:
            spec = settings.ISIPAY_SANDBOX_LATENCY
        try:
            latency = parse_latency(spec)
        except ValueError as exc:
            raise CommandError(f"--latency / ISIPAY_SANDBOX_LATENCY: {exc}") from None
        catalog = demo_catalog() if options["catalog"] == "demo" else generated_catalog()
        server = SandboxServer(
            token=options["token"] or settings.ISIPAY_API_TOKEN,
            host=options["host"],
            port=options["port"],
            catalog=catalog,
            balance=options["balance"],
            pending_seconds=options["pending_seconds"],
            complete_seconds=options["complete_seconds"],
            quiet=options["quiet"],
            latency=latency,
        )
        for rule in options["slow"]:
            code, _, seconds = rule.partition("=")
            try:
                server.set_delivery_seconds(code.strip(), float(seconds))
            except (KeyError, ValueError) as exc:
                raise CommandError(f"--slow {rule!r}: expected PRODUCT=SECONDS ({exc})") from None

        def listening(url: str) -> str:
            # The token itself is never printed: outside the demo it may be the real one.
            balance = f"{server.balance:,}".replace(",", ".")
            return (
                self.style.SUCCESS(f"isipay sandbox listening on {url}")
                + f" ({len(catalog)} products, balance Rp {balance}"
                + (f", latency {spec}" if latency else "")
                + "). Ctrl-C to stop."
            )

        try:
            serve_until_stopped(
                self, server, listening=listening, stopped="isipay sandbox stopped."
            )
        finally:
            if options["calls_file"]:
                Path(options["calls_file"]).write_text(
                    json.dumps({"order_calls": server.order_call_counts()})
                )
