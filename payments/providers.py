"""Payment providers behind one interface. The sandbox pays and refunds instantly, locally."""

import secrets
from dataclasses import dataclass
from typing import Protocol

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Started:
    reference: str
    redirect_url: str
    token: str = ""


@dataclass(frozen=True)
class Refunded:
    ok: bool
    reference: str = ""
    message: str = ""


class Provider(Protocol):
    name: str

    def start(self, *, number: str, amount: int, item: str) -> Started: ...

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded: ...


class SandboxProvider:
    """No gateway: a local page (or a test) says paid; refunds always succeed."""

    name = "sandbox"

    def start(self, *, number: str, amount: int, item: str) -> Started:
        reference = f"SBX-{number}-{secrets.token_hex(3).upper()}"
        try:
            url = reverse("payments:sandbox", args=[reference])
        except NoReverseMatch:
            url = ""
        return Started(reference=reference, redirect_url=url)

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded:
        return Refunded(ok=True, reference=f"SBX-REFUND-{secrets.token_hex(4).upper()}")


PROVIDERS: dict[str, Provider] = {"sandbox": SandboxProvider()}


def get_provider(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown payment provider {name!r}") from None
