"""Payment providers behind one interface: the local sandbox, and Midtrans Snap.

A provider starts a payment attempt (its reference is ours, unique per attempt), reports an
attempt's status, and refunds. Providers never touch orders: payments.services does.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.conf import settings
from django.urls import reverse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Started:
    redirect_url: str
    token: str = ""


@dataclass(frozen=True)
class Refunded:
    ok: bool
    reference: str = ""
    message: str = ""


@dataclass(frozen=True)
class RemoteStatus:
    """What the provider itself says about an attempt (never trusted from a notification)."""

    state: str  # "paid", "pending", "failed", "expired" or "unknown"
    amount: int | None
    raw_status: str = ""


class Provider(Protocol):
    name: str
    label: str

    def start(self, *, reference: str, amount: int, item: str, finish_url: str) -> Started: ...

    def status(self, *, reference: str) -> RemoteStatus: ...

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded: ...


class SandboxProvider:
    """No gateway: a local page with Pay / Fail / Expire; refunds always succeed."""

    name = "sandbox"
    label = "Sandbox (demo)"

    def start(self, *, reference: str, amount: int, item: str, finish_url: str) -> Started:
        return Started(redirect_url=reverse("payments:sandbox", args=[reference]))

    def status(self, *, reference: str) -> RemoteStatus:
        return RemoteStatus(state="unknown", amount=None)

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded:
        return Refunded(ok=True, reference=f"SBX-REFUND-{reference}")


class MidtransProvider:
    """Midtrans Snap through the official midtransclient; keys come from settings."""

    name = "midtrans"
    label = "QRIS, e-wallet, virtual account (Midtrans)"

    PAID = {"settlement"}
    FAILED = {"deny", "cancel", "failure"}
    EXPIRED = {"expire"}

    def __init__(self) -> None:
        import midtransclient

        options = {
            "is_production": settings.MIDTRANS_IS_PRODUCTION,
            "server_key": settings.MIDTRANS_SERVER_KEY,
            "client_key": settings.MIDTRANS_CLIENT_KEY,
        }
        self.snap = midtransclient.Snap(**options)
        self.core = midtransclient.CoreApi(**options)

    def start(self, *, reference: str, amount: int, item: str, finish_url: str) -> Started:
        transaction = self.snap.create_transaction(
            {
                "transaction_details": {"order_id": reference, "gross_amount": amount},
                "item_details": [
                    {"id": reference, "price": amount, "quantity": 1, "name": item[:50]}
                ],
                "callbacks": {"finish": finish_url},
            }
        )
        return Started(redirect_url=transaction["redirect_url"], token=transaction["token"])

    def status(self, *, reference: str) -> RemoteStatus:
        answer = self.core.transactions.status(reference)
        raw = str(answer.get("transaction_status", ""))
        fraud = str(answer.get("fraud_status", "accept"))
        if raw in self.PAID or (raw == "capture" and fraud == "accept"):
            state = "paid"
        elif raw in self.FAILED or (raw == "capture" and fraud == "deny"):
            state = "failed"
        elif raw in self.EXPIRED:
            state = "expired"
        elif raw in {"pending", "authorize"} or raw == "capture":
            state = "pending"
        else:
            state = "unknown"
        return RemoteStatus(state=state, amount=parse_amount(answer.get("gross_amount")),
                            raw_status=raw)  # fmt: skip

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded:
        try:
            answer = self.core.transactions.refund(
                reference, {"refund_key": f"{reference}-refund", "amount": amount, "reason": reason}
            )
        except Exception as exc:  # midtransclient raises its own API and HTTP errors
            logger.warning("Midtrans refund of %s refused: %s", reference, type(exc).__name__)
            return Refunded(ok=False, message=f"Midtrans refused the refund: {exc}")
        ok = str(answer.get("status_code")) in {"200", "201"}
        return Refunded(ok=ok, reference=str(answer.get("refund_key", "")),
                        message=str(answer.get("status_message", "")))  # fmt: skip


def signature_is_valid(payload: dict, server_key: str) -> bool:
    """Midtrans: signature_key = SHA512(order_id + status_code + gross_amount + server_key)."""
    try:
        text = f"{payload['order_id']}{payload['status_code']}{payload['gross_amount']}"
        given = str(payload["signature_key"])
    except KeyError:
        return False
    expected = hashlib.sha512((text + server_key).encode()).hexdigest()
    return hmac.compare_digest(expected, given)


def parse_amount(value) -> int | None:
    """Midtrans sends "15000.00"; rupiah have no cents."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(amount) if amount == amount.to_integral_value() else None


PROVIDERS = {"sandbox": SandboxProvider, "midtrans": MidtransProvider}


def get_provider(name: str) -> Provider:
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise ValueError(f"unknown payment provider {name!r}") from None


def enabled_providers() -> list[Provider]:
    return [get_provider(name) for name in settings.PAYMENT_PROVIDERS]
