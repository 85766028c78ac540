"""Tripay closed payments as a shop payment provider (payments.providers.PROVIDERS["tripay"]).

Our attempt reference is Tripay's merchant_ref; Tripay's own reference (needed by its detail
API) is kept as the attempt's provider_token. Tripay has no API to cancel a closed transaction
or to refund one: a transaction stops being payable at its expired_time (the order's expiry),
and a payment that must go back is refund due, by hand, with the reason.

Each channel has a minimum and maximum expiry in Tripay's channel table (e.g. BRIVA at least 60
minutes, QRIS at most 60) that its channel list API does not give: the shop cannot leave out a
channel the order's remaining time does not suit, and a transaction Tripay refuses for it is a
refused payment like any other (README, "Payment time per channel").
"""

import logging
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..errors import PaymentRefused, PaymentUnavailable
from ..providers import Refunded, RemoteStatus, Started
from .client import TripayClient, TripayRefused, TripayUnavailable

logger = logging.getLogger(__name__)

STATES = {
    "PAID": "paid",
    "UNPAID": "pending",
    "EXPIRED": "expired",
    "FAILED": "failed",
    "REFUND": "refunded",
}


def client() -> TripayClient:
    return TripayClient(
        base_url=settings.TRIPAY_API_URL,
        api_key=settings.TRIPAY_API_KEY,
        private_key=settings.TRIPAY_PRIVATE_KEY,
        merchant_code=settings.TRIPAY_MERCHANT_CODE,
        connect_timeout=settings.TRIPAY_CONNECT_TIMEOUT,
        read_timeout=settings.TRIPAY_READ_TIMEOUT,
    )


def callback_url() -> str:
    """The URL to give Tripay (its dashboard, and every transaction) for callbacks."""
    return settings.SITE_URL.rstrip("/") + reverse("payments:tripay-callback")


def paid_amount(answer: dict, total_field: str) -> int | None:
    """What the customer paid, to be exactly the amount we asked for; None (never equal to it)
    when unreadable, or when Tripay charged the customer its own fee on top (fee_customer, a
    channel set so at Tripay): the customer then paid more than our pages showed, which is
    not accepted silently: logged, and handled as an amount mismatch."""
    try:
        total, fee_customer = int(answer[total_field]), int(answer.get("fee_customer") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    if fee_customer:
        logger.warning(
            "Tripay transaction %s charged the customer Tripay's fee Rp %s on top (total Rp %s):"
            " not accepted; set the channel's fee to the merchant at Tripay",
            answer.get("merchant_ref"),
            fee_customer,
            total,
        )
        return None
    return total


class TripayProvider:
    name = "tripay"
    label = "QRIS, e-wallet, virtual account, minimarket (Tripay)"

    def __init__(self) -> None:
        self.client = client()

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
        expires = int(opened_at.timestamp()) + settings.PAYMENT_TIMEOUT
        try:
            answer = self.client.create_transaction(
                method=method or settings.TRIPAY_DEFAULT_METHOD,
                merchant_ref=reference,
                amount=amount,
                customer_name=settings.TRIPAY_CUSTOMER_NAME,
                customer_email=settings.TRIPAY_CUSTOMER_EMAIL,
                items=[{"sku": reference[:50], "name": item[:100], "price": amount, "quantity": 1}],
                callback_url=callback_url(),
                return_url=finish_url,
                expired_time=expires,
            )
        except TripayUnavailable as exc:
            raise PaymentUnavailable(str(exc)) from exc
        except TripayRefused as exc:
            raise PaymentRefused(str(exc), status=exc.status) from exc
        if paid_amount(answer, "amount") != amount:
            # Tripay would have the customer pay another total than ours (its own customer fee
            # on top, set at Tripay since the last channel refresh): never shown to anyone.
            raise PaymentRefused(
                f"Tripay payment of {reference}: Tripay asks the customer for "
                f"{answer.get('amount')!r}, not {amount}"
            )
        pay_code, qr_string = str(answer.get("pay_code") or ""), str(answer.get("qr_string") or "")
        if method and (pay_code or qr_string):
            # A DIRECT channel the customer picked: paid from the order's own page. Without a
            # picked channel (a wallet deposit), Tripay's checkout page, which has every one.
            return Started(
                redirect_url=urlsplit(finish_url).path + "#pay",
                token=str(answer["reference"]),
                pay_code=pay_code[:64],
                qr_string=qr_string,
            )
        if not answer.get("checkout_url"):
            raise PaymentUnavailable(f"Tripay payment of {reference}: no checkout_url")
        return Started(redirect_url=str(answer["checkout_url"]), token=str(answer["reference"]))

    def status(self, *, reference: str) -> RemoteStatus:
        from ..models import Payment

        tripay_reference = (
            Payment.objects.filter(reference=reference, provider=self.name)
            .values_list("provider_token", flat=True)
            .first()
        )
        if not tripay_reference:
            return RemoteStatus(state="unknown", amount=None, raw_status="no Tripay reference")
        return self.status_of(tripay_reference)

    def status_of(self, tripay_reference: str) -> RemoteStatus:
        try:
            answer = self.client.transaction_detail(tripay_reference)
        except TripayUnavailable as exc:
            raise PaymentUnavailable(str(exc)) from exc
        except TripayRefused as exc:
            raise PaymentRefused(str(exc), status=exc.status) from exc
        raw = str(answer.get("status", ""))
        return RemoteStatus(
            state=STATES.get(raw, "unknown"), amount=paid_amount(answer, "amount"), raw_status=raw
        )

    def cancel(self, *, reference: str) -> None:
        """No cancel API for closed payments: the transaction expires at its expired_time."""
        return None

    def refund(self, *, reference: str, amount: int, reason: str) -> Refunded:
        return Refunded(
            ok=False,
            message="Tripay has no refund API for closed payments: refund the customer by hand "
            "(Tripay dashboard or a bank transfer)",
        )
