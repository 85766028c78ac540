"""A small client for Tripay's closed-payment API; framework-free (no Django here).

Endpoints, as Tripay's developer documentation gives them, relative to the API base
(https://tripay.co.id/api in production, https://tripay.co.id/api-sandbox in the sandbox),
every call with `Authorization: Bearer API_KEY`:

- GET  merchant/payment-channel      the merchant's channels with their fees
- POST transaction/create            a closed transaction; `signature` is
                                     HMAC-SHA256(private key, merchant_code + merchant_ref + amount)
- GET  transaction/detail?reference= one transaction (its status: UNPAID, PAID, EXPIRED, FAILED,
                                     REFUND)

Every answer is `{"success": bool, "message": str, "data": ...}`. Callbacks are POSTed to the
merchant with `X-Callback-Event: payment_status` and `X-Callback-Signature` =
HMAC-SHA256(private key, the raw JSON body).

Errors are exceptions: TripayUnavailable (no usable answer: timeout, connection, 5xx, not JSON;
a write may have happened) and TripayRefused (Tripay answered no: 4xx or success false).
"""

import hashlib
import hmac
from typing import Any

import requests

CALLBACK_EVENT = "payment_status"
STATUSES = ("UNPAID", "PAID", "EXPIRED", "FAILED", "REFUND")


class TripayError(Exception):
    """A Tripay call did not do what was asked."""


class TripayUnavailable(TripayError):
    """No usable answer (timeout, connection error, 5xx, not JSON)."""


class TripayRefused(TripayError):
    """Tripay answered and said no (4xx, or success false)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _hmac(private_key: str, message: bytes) -> str:
    return hmac.new(private_key.encode(), message, hashlib.sha256).hexdigest()


def request_signature(
    *, private_key: str, merchant_code: str, merchant_ref: str, amount: int
) -> str:
    """The `signature` of transaction/create."""
    return _hmac(private_key, f"{merchant_code}{merchant_ref}{amount}".encode())


def callback_signature(*, private_key: str, body: bytes) -> str:
    """The X-Callback-Signature of a callback: over the raw body exactly as sent."""
    return _hmac(private_key, body)


def callback_signature_is_valid(*, private_key: str, body: bytes, given: str) -> bool:
    expected = callback_signature(private_key=private_key, body=body)
    # Bytes, not str: compare_digest refuses a str that is not ASCII.
    return hmac.compare_digest(expected.encode(), (given or "").encode(errors="surrogatepass"))


class TripayClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        private_key: str,
        merchant_code: str,
        connect_timeout: float = 3.05,
        read_timeout: float = 10,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.private_key = private_key
        self.merchant_code = merchant_code
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()

    # --- the three calls ----------------------------------------------------------------

    def channels(self) -> list[dict]:
        data = self._call("GET", "merchant/payment-channel")
        if not isinstance(data, list):
            raise TripayUnavailable("Tripay payment-channel: data is not a list")
        return [channel for channel in data if isinstance(channel, dict)]

    def create_transaction(
        self,
        *,
        method: str,
        merchant_ref: str,
        amount: int,
        customer_name: str,
        customer_email: str,
        items: list[dict],
        callback_url: str = "",
        return_url: str = "",
        expired_time: int | None = None,
    ) -> dict:
        body: dict[str, Any] = {
            "method": method,
            "merchant_ref": merchant_ref,
            "amount": amount,
            "customer_name": customer_name,
            "customer_email": customer_email,
            "order_items": items,
            "signature": request_signature(
                private_key=self.private_key,
                merchant_code=self.merchant_code,
                merchant_ref=merchant_ref,
                amount=amount,
            ),
        }
        if callback_url:
            body["callback_url"] = callback_url
        if return_url:
            body["return_url"] = return_url
        if expired_time is not None:
            body["expired_time"] = expired_time
        data = self._call("POST", "transaction/create", json=body)
        if not isinstance(data, dict) or not data.get("reference"):
            raise TripayUnavailable(f"Tripay create of {merchant_ref}: no reference in the answer")
        return data

    def transaction_detail(self, reference: str) -> dict:
        data = self._call("GET", "transaction/detail", params={"reference": reference})
        if not isinstance(data, dict):
            raise TripayUnavailable(f"Tripay detail of {reference}: data is not an object")
        return data

    # --- plumbing -------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs) -> Any:
        url = f"{self.base_url}/{path}"
        try:
            response = self.session.request(
                method,
                url,
                headers={"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"},
                timeout=self.timeout,
                **kwargs,
            )
        except requests.Timeout as exc:
            raise TripayUnavailable(f"Tripay {path}: no answer in time") from exc
        except requests.RequestException as exc:
            raise TripayUnavailable(f"Tripay {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise TripayUnavailable(f"Tripay {path}: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise TripayUnavailable(
                f"Tripay {path}: HTTP {response.status_code}, not JSON"
            ) from exc
        if not isinstance(answer, dict):
            raise TripayUnavailable(f"Tripay {path}: not a JSON object")
        message = str(answer.get("message") or "")[:200]
        if response.status_code >= 400 or answer.get("success") is not True:
            raise TripayRefused(
                f"Tripay refused {path}: HTTP {response.status_code} {message}",
                status=response.status_code,
            )
        return answer.get("data")
