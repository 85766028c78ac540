"""Check the connection to isipay.top: the API token, this server's IP whitelist, the balance.

One balance call tells all three apart: HTTP 401 means the token is wrong, 403 that this
server's IP is not on isipay's whitelist, no answer that isipay cannot be reached. The token
itself is never printed.

Exit codes: 0 all good, 2 token refused, 3 IP not whitelisted, 4 unreachable, 1 anything else.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import isipay
from backoffice.services import read_supplier_balance
from storefront.supplier import isipay_client

TOKEN, WHITELIST, UNREACHABLE, OTHER = 2, 3, 4, 1


class Command(BaseCommand):
    help = "Check the isipay token, IP whitelist and balance; non-zero exit on failure."

    def handle(self, *args, **options):
        client = isipay_client()
        self.stdout.write(f"isipay at {client.base_url}")
        try:
            balance = read_supplier_balance(client=client)
        except isipay.AuthError as exc:
            self._auth_failed(exc)
        except isipay.Unavailable as exc:
            self._line("reachable", False, exc.message)
            raise CommandError(
                "isipay cannot be reached: check ISIPAY_BASE_URL and this server's outgoing "
                "network.",
                returncode=UNREACHABLE,
            ) from exc
        except isipay.IsipayError as exc:
            self._line("reachable", True)
            raise CommandError(f"isipay answered with an error: {exc}", returncode=OTHER) from exc
        self._line("reachable", True)
        self._line("token", True)
        self._line("IP whitelist", True)
        rupiah = f"Rp {balance.balance:,}".replace(",", ".")
        self._line("balance", True, f"{rupiah} ({balance.name}, {balance.membership})")
        self.stdout.write(self.style.SUCCESS("isipay connection OK."))

    def _auth_failed(self, exc: isipay.AuthError) -> None:
        self._line("reachable", True)
        if exc.code == 401:
            self._line("token", False, exc.supplier_message)
            raise CommandError(
                "isipay refused the API token (HTTP 401): check ISIPAY_API_TOKEN.",
                returncode=TOKEN,
            ) from exc
        if exc.code == 403:
            self._line("token", None, "not checked: isipay stopped at the IP whitelist")
            self._line("IP whitelist", False, exc.supplier_message)
            raise CommandError(
                "isipay refused this server's IP address (HTTP 403): ask the isipay.top "
                "administrator to whitelist this server's public IP.",
                returncode=WHITELIST,
            ) from exc
        self._line("token / IP whitelist", False, exc.supplier_message)
        raise CommandError(
            f"isipay refused access: {exc}. ISIPAY_BASE_URL is {settings.ISIPAY_BASE_URL}.",
            returncode=OTHER,
        ) from exc

    def _line(self, what: str, ok: bool | None, detail: str = "") -> None:
        mark = (
            self.style.SUCCESS("ok")
            if ok
            else self.style.WARNING("?")
            if ok is None
            else self.style.ERROR("FAILED")
        )
        self.stdout.write(f"  {what:<22} {mark}" + (f"  {detail}" if detail else ""))
