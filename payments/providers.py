"""Payment providers behind one interface: the local sandbox, Midtrans Snap, and Tripay
(payments/tripay/).

A provider starts a payment attempt (its reference is ours, unique per attempt), reports an
attempt's status, and refunds. Providers never touch orders: payments.services does.
"""

import hashlib
import hmac
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .errors import PaymentRefused, PaymentUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Started:
    redirect_url: str
    token: str = ""
    # A DIRECT channel's pay code / virtual account number, or QRIS string, shown on our page.
    pay_code: str = ""
    qr_string: str = ""


@dataclass(frozen=True)
class Refunded:
    ok: bool
    reference: str = ""
    message: str = ""


@dataclass(frozen=True)
class RemoteStatus:
    """What the provider itself says about an attempt (never trusted from a notification)."""

    state: str  # "paid", "pending", "failed", "expired", "refunded" or "unknown"
    amount: int | None
    raw_status: str = ""


class Provider(Protocol):
    """Every method raises only payments.errors: PaymentUnavailable (no answer; a write may
    have happened) or PaymentRefused (an answer that says no)."""

    name: str
    label: str

    def start(
        self,
        *,
        reference: str,
        amount: int,
        item: str,
        finish_url: str,
        opened_at: datetime | None = None,
        method: str = "",
    ) -> Started: ...

    def status(self, *, reference: str) -> RemoteStatus: ...

    def cancel(self, *, reference: str) -> None: ...

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded: ...


class SandboxProvider:
    """No gateway: a local page with Pay / Fail / Expire; refunds always succeed."""

    name = "sandbox"
    label = "Sandbox (demo)"

    def start(
        self,
        *,
        reference: str,
        amount: int,
        item: str,
        finish_url: str,
        opened_at: datetime | None = None,
        method: str = "",
    ) -> Started:
        return Started(redirect_url=reverse("payments:sandbox", args=[reference]))

    def status(self, *, reference: str) -> RemoteStatus:
        return RemoteStatus(state="unknown", amount=None)

    def cancel(self, *, reference: str) -> None:
        return None

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded:
        return Refunded(ok=True, reference=f"SBX-REFUND-{reference}")


class TimeoutSession(requests.Session):
    """A requests Session whose calls time out unless told otherwise.

    midtransclient calls `requests` with no timeout at all; its HttpClient takes any object
    with requests' `request` method, so the provider hands it one of these.
    """

    def __init__(self, *, connect: float, read: float) -> None:
        super().__init__()
        self.timeout = (connect, read)

    def request(self, method, url, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)


class MidtransProvider:
    """Midtrans Snap through the official midtransclient; keys come from settings.

    Every call has MIDTRANS_CONNECT_TIMEOUT / MIDTRANS_READ_TIMEOUT and raises only the named
    errors of payments.errors.
    """

    name = "midtrans"
    label = "QRIS, e-wallet, virtual account (Midtrans)"

    PAID = {"settlement"}
    FAILED = {"deny", "cancel", "failure"}
    EXPIRED = {"expire"}
    REFUNDED = {"refund"}

    def __init__(self) -> None:
        import midtransclient

        options = {
            "is_production": settings.MIDTRANS_IS_PRODUCTION,
            "server_key": settings.MIDTRANS_SERVER_KEY,
            "client_key": settings.MIDTRANS_CLIENT_KEY,
        }
        self.snap = midtransclient.Snap(**options)
        self.core = midtransclient.CoreApi(**options)
        session = TimeoutSession(
            connect=settings.MIDTRANS_CONNECT_TIMEOUT, read=settings.MIDTRANS_READ_TIMEOUT
        )
        self.snap.http_client.http_client = session
        self.core.http_client.http_client = session

    @staticmethod
    @contextmanager
    def _calling(what: str, reference: str) -> Iterator[None]:
        """Translate requests' and midtransclient's exceptions into ours."""
        from midtransclient.error_midtrans import JSONDecodeError, MidtransAPIError

        try:
            yield
        except requests.Timeout as exc:
            raise PaymentUnavailable(f"Midtrans {what} of {reference}: no answer in time") from exc
        except requests.RequestException as exc:
            raise PaymentUnavailable(
                f"Midtrans {what} of {reference}: {type(exc).__name__}"
            ) from exc
        except JSONDecodeError as exc:
            raise PaymentUnavailable(f"Midtrans {what} of {reference}: not JSON") from exc
        except MidtransAPIError as exc:
            answer = exc.api_response_dict if isinstance(exc.api_response_dict, dict) else {}
            status = _int(answer.get("status_code")) or exc.http_status_code
            message = str(answer.get("status_message", ""))[:200]
            if exc.http_status_code >= 500 or (status or 0) >= 500:
                raise PaymentUnavailable(
                    f"Midtrans {what} of {reference}: {status} {message}"
                ) from exc
            raise PaymentRefused(
                f"Midtrans refused the {what} of {reference}: {status} {message}", status=status
            ) from exc
        except (AttributeError, TypeError, ValueError) as exc:
            # midtransclient reads its answer as a dict with an integer status_code; JSON of
            # another shape fails inside it with these. The block holds only the call itself.
            raise PaymentUnavailable(
                f"Midtrans {what} of {reference}: an answer of the wrong shape "
                f"({type(exc).__name__})"
            ) from exc

    def start(
        self,
        *,
        reference: str,
        amount: int,
        item: str,
        finish_url: str,
        opened_at: datetime | None = None,
        method: str = "",
    ) -> Started:
        opened_at = opened_at or timezone.now()
        payload = {
            "transaction_details": {"order_id": reference, "gross_amount": amount},
            "item_details": [{"id": reference, "price": amount, "quantity": 1, "name": item[:50]}],
            "callbacks": {"finish": finish_url},
            # Payable only until the order expires, not Midtrans' default 24 hours.
            "expiry": {
                "start_time": timezone.localtime(opened_at).strftime("%Y-%m-%d %H:%M:%S %z"),
                "unit": "minute",
                "duration": snap_expiry_minutes(),
            },
        }
        with self._calling("payment", reference):
            transaction = self.snap.create_transaction(payload)
        answer = _answer(transaction, "payment", reference)
        if not answer.get("redirect_url") or not answer.get("token"):
            raise PaymentUnavailable(f"Midtrans payment of {reference}: no redirect_url or token")
        return Started(redirect_url=str(answer["redirect_url"]), token=str(answer["token"]))

    def status(self, *, reference: str) -> RemoteStatus:
        try:
            with self._calling("status check", reference):
                answer = _answer(
                    self.core.transactions.status(reference), "status check", reference
                )
        except PaymentRefused as exc:
            if exc.status == 404:  # the customer has not chosen a method in Snap yet
                return RemoteStatus(state="pending", amount=None, raw_status="not found")
            raise
        raw = str(answer.get("transaction_status", ""))
        fraud = str(answer.get("fraud_status", "accept"))
        if raw in self.PAID or (raw == "capture" and fraud == "accept"):
            state = "paid"
        elif raw in self.FAILED or (raw == "capture" and fraud == "deny"):
            state = "failed"
        elif raw in self.EXPIRED:
            state = "expired"
        elif raw in self.REFUNDED:
            state = "refunded"
        elif raw in {"pending", "authorize"} or raw == "capture":
            state = "pending"
        else:
            state = "unknown"
        return RemoteStatus(
            state=state, amount=parse_amount(answer.get("gross_amount")), raw_status=raw
        )

    def cancel(self, *, reference: str) -> None:
        """Close a pending transaction at Midtrans (its expire endpoint)."""
        try:
            with self._calling("expiry", reference):
                self.core.transactions.expire(reference)
        except PaymentRefused as exc:
            if exc.status != 404:  # 404: never charged; Snap's own expiry closes the page
                raise

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded:
        """The same refund key on every try: Midtrans refunds a key once."""
        try:
            with self._calling("refund", reference):
                answer = self.core.transactions.refund(
                    reference,
                    {"refund_key": refund_key(reference), "amount": amount, "reason": reason[:255]},
                )
            answer = _answer(answer, "refund", reference)
        except PaymentRefused as exc:
            logger.warning("Midtrans refund of %s refused: %s", reference, exc)
            return Refunded(ok=False, message=str(exc))
        ok = str(answer.get("status_code")) in {"200", "201"}
        return Refunded(
            ok=ok,
            reference=str(answer.get("refund_key", "")),
            message=str(answer.get("status_message", "")),
        )


def _answer(answer: object, what: str, reference: str) -> dict:
    """Midtrans' parsed JSON answer, which must be an object; anything else is no usable answer."""
    if not isinstance(answer, dict):
        raise PaymentUnavailable(f"Midtrans {what} of {reference}: not a JSON object")
    return answer


def refund_key(reference: str) -> str:
    return f"{reference}-refund"


def snap_expiry_minutes() -> int:
    """PAYMENT_TIMEOUT in Snap's smallest unit, the minute (rounded up, at least one)."""
    return max(1, -(-settings.PAYMENT_TIMEOUT // 60))


def _int(value) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def signature_is_valid(payload: dict, server_key: str) -> bool:
    """Midtrans: signature_key = SHA512(order_id + status_code + gross_amount + server_key)."""
    try:
        text = f"{payload['order_id']}{payload['status_code']}{payload['gross_amount']}"
        given = str(payload["signature_key"])
    except KeyError:
        return False
    # Bytes, not str: compare_digest refuses a str that is not ASCII (a TypeError, a 500).
    expected = hashlib.sha512((text + server_key).encode(errors="surrogatepass")).hexdigest()
    return hmac.compare_digest(expected.encode(), given.encode(errors="surrogatepass"))


def parse_amount(value) -> int | None:
    """Midtrans sends "15000.00"; rupiah have no cents."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(amount) if amount == amount.to_integral_value() else None


class WalletProvider:
    """The customer's own balance (wallet app): no gateway, no real money moves.

    Never listed in PAYMENT_PROVIDERS and never part of the TEST MODE / production checks: it
    is offered at checkout to a logged-in customer only, and paid at once on the order summary
    (payments.services.pay_with_wallet). Its refund credits the balance back at once, once.
    """

    name = "wallet"
    label = "Saldo akun (account balance)"

    def start(
        self,
        *,
        reference: str,
        amount: int,
        item: str,
        finish_url: str,
        opened_at: datetime | None = None,
        method: str = "",
    ) -> Started:
        raise PaymentRefused("pay with the balance on the order summary")

    @staticmethod
    def _refund_entry(reference: str):
        from wallet.models import LedgerEntry

        from .models import Payment

        number = Payment.objects.values_list("order__number", flat=True).get(reference=reference)
        cause = wallet_refund_cause(number)
        return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND, cause=cause).first()

    def status(self, *, reference: str) -> RemoteStatus:
        if self._refund_entry(reference) is not None:
            return RemoteStatus(state="refunded", amount=None, raw_status="refunded")
        return RemoteStatus(state="paid", amount=None, raw_status="paid")

    def cancel(self, *, reference: str) -> None:
        return None

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded:
        from wallet import services as wallet_services
        from wallet.models import LedgerEntry

        from .models import Payment

        payment = Payment.objects.select_related("order__customer").get(reference=reference)
        customer = payment.order.customer
        if customer is None:
            return Refunded(ok=False, message="the order has no customer account to credit")
        entry = wallet_services.credit(
            user=customer,
            amount=amount,
            kind=LedgerEntry.Kind.REFUND,
            cause=wallet_refund_cause(payment.order.number),
            note=reason,
            actor="wallet refund",
        )
        return Refunded(ok=True, reference=f"ledger:{entry.pk}")


def wallet_purchase_cause(number: str) -> str:
    return f"order:{number}:purchase"


def wallet_refund_cause(number: str) -> str:
    return f"order:{number}:refund"


def _tripay() -> Provider:
    from .tripay.provider import TripayProvider  # it imports this module's types

    return TripayProvider()


PROVIDERS = {"sandbox": SandboxProvider, "midtrans": MidtransProvider, "tripay": _tripay}
# Not a real-money provider: never in PAYMENT_PROVIDERS, so never in the settings checks.
INTERNAL_PROVIDERS = {"wallet": WalletProvider}


def get_provider(name: str) -> Provider:
    try:
        return (PROVIDERS | INTERNAL_PROVIDERS)[name]()
    except KeyError:
        raise ValueError(f"unknown payment provider {name!r}") from None


def enabled_providers() -> list[Provider]:
    return [get_provider(name) for name in settings.PAYMENT_PROVIDERS]
