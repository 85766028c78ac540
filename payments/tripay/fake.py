"""A fake Tripay (closed payments) for the demo and the tests: the same API, real signatures.

It speaks what payments/tripay/client.py calls, under `<url>/api-sandbox/` (give that as
TRIPAY_API_URL; see `api_url`):

- GET  merchant/payment-channel, POST transaction/create (its HMAC signature is checked),
  GET transaction/detail?reference=; every call needs `Authorization: Bearer <api_key>`.
- A checkout page at `<url>/checkout/<reference>` (what `checkout_url` points at) with
  "Bayar" (pay), "Gagal" (fail) and "Kedaluwarsa" (expire) buttons; paying sends the callback
  and takes the customer back to the transaction's return_url.

A callback is POSTed to the transaction's callback_url with `X-Callback-Event: payment_status`
and `X-Callback-Signature` = HMAC-SHA256(private key, raw body). Every callback made is also
kept in `callbacks` (tests replay them through Django's test client); with `deliver=False`
nothing is sent over the network.

Faults, for the tests and for trying the demo by hand:
- `callback_mode`: "normal", "twice" (the same callback sent twice), "never" (not sent),
  "wrong_signature" (signed with another key), "wrong_amount" (total_amount 1000 less, signed),
  "out_of_order" (the PAID callback, then a stale EXPIRED one for the same transaction).
- `inject(path, kind, times=1)`: the next `times` calls whose API path starts with `path`
  answer HTTP 5xx (kind "http500", "http503", ...) or never answer in time (kind "timeout":
  the answer waits `slow_seconds`).

Framework-free: no Django here.
"""

import hmac
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from fakeserver import Handler, Served

from .client import CALLBACK_EVENT, callback_signature, request_signature

API_KEY = "DEV-fake-tripay-api-key"  # public demo values, not secrets
PRIVATE_KEY = "fake-tripay-private-key"
MERCHANT_CODE = "T0001"
API_PREFIX = "/api-sandbox/"
CALLBACK_MODES = ("normal", "twice", "never", "wrong_signature", "wrong_amount", "out_of_order")


def _channel(
    group,
    code,
    name,
    kind,
    flat,
    percent,
    *,
    customer=False,
    low=10_000,
    high=10_000_000,
    min_fee=None,
    max_fee=None,
):
    fee = {"flat": flat, "percent": percent}
    nothing = {"flat": 0, "percent": 0}
    return {
        "group": group,
        "code": code,
        "name": name,
        "type": kind,
        "fee_merchant": nothing if customer else fee,
        "fee_customer": fee if customer else nothing,
        "total_fee": {"flat": flat, "percent": f"{percent:.2f}"},
        "minimum_fee": min_fee,
        "maximum_fee": max_fee,
        "minimum_amount": low,
        "maximum_amount": high,
        "icon_url": "",
        "active": True,
    }


def default_channels() -> list[dict]:
    """Channels and standard fees as Tripay's channel list shows them."""
    return [
        _channel("QRIS", "QRIS", "QRIS", "direct", 750, 0.7, low=1_000, high=5_000_000),
        _channel("E-Wallet", "OVO", "OVO", "redirect", 0, 3.0, low=1_000),
        _channel("E-Wallet", "DANA", "DANA", "redirect", 0, 3.0, low=1_000),
        _channel("E-Wallet", "SHOPEEPAY", "ShopeePay", "redirect", 0, 3.0, low=1_000),
        _channel("Virtual Account", "BRIVA", "BRI Virtual Account", "direct", 4250, 0),
        _channel("Virtual Account", "BNIVA", "BNI Virtual Account", "direct", 4250, 0),
        _channel("Virtual Account", "MANDIRIVA", "Mandiri Virtual Account", "direct", 4250, 0),
        _channel("Virtual Account", "BCAVA", "BCA Virtual Account", "direct", 5500, 0),
        _channel("Convenience Store", "ALFAMART", "Alfamart", "direct", 3500, 0, high=2_500_000),
        _channel("Convenience Store", "INDOMARET", "Indomaret", "direct", 3500, 0, high=2_500_000),
    ]


def channel_fee(fee: dict, amount: int, *, minimum=None, maximum=None) -> int:
    """Tripay's fee of a channel part ({"flat", "percent"}) on an amount, whole rupiah up, then
    clamped to the channel's minimum_fee and maximum_fee (when not null)."""
    flat = int(fee.get("flat") or 0)
    percent = float(fee.get("percent") or 0)
    total = flat + -int(-(amount * percent) // 100) if percent else flat
    if not total:
        return 0
    if minimum is not None:
        total = max(total, int(minimum))
    if maximum is not None:
        total = min(total, int(maximum))
    return total


@dataclass
class FakeTransaction:
    reference: str
    merchant_ref: str
    method: str
    method_name: str
    amount: int  # what the merchant asked for
    fee_customer: int
    fee_merchant: int
    callback_url: str
    return_url: str
    expired_time: int
    status: str = "UNPAID"
    paid_at: int | None = None
    pay_code: str = ""
    qr_string: str = ""

    def answer(self, root: str) -> dict:
        total = self.amount + self.fee_customer
        return {
            "reference": self.reference,
            "merchant_ref": self.merchant_ref,
            "payment_selection_type": "static",
            "payment_method": self.method,
            "payment_name": self.method_name,
            "customer_name": "",
            "customer_email": "",
            "callback_url": self.callback_url or None,
            "return_url": self.return_url or None,
            "amount": total,
            "fee_merchant": self.fee_merchant,
            "fee_customer": self.fee_customer,
            "total_fee": self.fee_merchant + self.fee_customer,
            "amount_received": total - self.fee_merchant - self.fee_customer,
            "pay_code": self.pay_code or None,
            "pay_url": None,
            "checkout_url": f"{root}/checkout/{self.reference}",
            "status": self.status,
            "paid_at": self.paid_at,
            "expired_time": self.expired_time,
            "order_items": [],
            "instructions": [],
            "qr_string": self.qr_string or None,
            "qr_url": None,
        }


@dataclass
class Callback:
    url: str
    body: bytes
    headers: dict[str, str]
    delivered: int | None = None  # the HTTP status the merchant answered, when sent


@dataclass
class _Fault:
    path: str
    kind: str
    times: int


class _Handler(Handler):
    server_version = "fake-tripay"
    sys_version = ""

    def _serve(self) -> None:
        reply = self.server.fake.dispatch(
            method=self.command,
            target=self.path,
            authorization=self.headers.get("Authorization"),
            body=self.read_body(),
        )
        if reply is None:
            self.close_connection = True
            return
        status, content_type, payload = reply
        if status in (302, 303):  # a redirect's "content type" is where it goes
            self.answer(status, "text/plain", payload, location=content_type)
        else:
            self.answer(status, content_type, payload)

    do_GET = do_POST = _serve


@dataclass
class FakeTripay(Served):
    """start(), serve_forever(), stop(), `with` and `url` come from fakeserver.Served."""

    label = "fake-tripay"
    what = "the fake Tripay"
    handler = _Handler

    api_key: str = API_KEY
    private_key: str = PRIVATE_KEY
    merchant_code: str = MERCHANT_CODE
    host: str = "127.0.0.1"
    port: int = 0
    deliver: bool = True
    callback_url: str = ""  # the merchant's default callback URL (Tripay's dashboard setting)
    callback_mode: str = "normal"
    slow_seconds: float = 15.0
    quiet: bool = True
    channels: list[dict] = field(default_factory=default_channels)

    def __post_init__(self) -> None:
        self.transactions: dict[str, FakeTransaction] = {}
        self.callbacks: list[Callback] = []
        self.calls: list[str] = []
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX.rstrip("/")

    # --- what tests and the checkout page do --------------------------------------------

    def inject(self, path: str, kind: str, times: int = 1) -> None:
        with self._lock:
            self._faults.append(_Fault(path.lstrip("/"), kind, times))

    def by_merchant_ref(self, merchant_ref: str) -> FakeTransaction:
        with self._lock:
            for transaction in self.transactions.values():
                if transaction.merchant_ref == merchant_ref:
                    return transaction
        raise KeyError(merchant_ref)

    def pay(self, reference: str) -> list[Callback]:
        """The customer pays: PAID, and the callback(s) per callback_mode."""
        return self._settle(reference, "PAID")

    def fail(self, reference: str) -> list[Callback]:
        return self._settle(reference, "FAILED")

    def expire(self, reference: str) -> list[Callback]:
        return self._settle(reference, "EXPIRED")

    def refund(self, reference: str) -> list[Callback]:
        """Tripay gives a paid transaction's money back: REFUND, and its callback."""
        return self._settle(reference, "REFUND", from_="PAID")

    def _settle(self, reference: str, status: str, *, from_: str = "UNPAID") -> list[Callback]:
        with self._lock:
            transaction = self.transactions[reference]
            if transaction.status != from_:
                return []
            transaction.status = status
            if status == "PAID":
                transaction.paid_at = int(time.time())
            made = self._callbacks_for(transaction)
            self.callbacks.extend(made)
        if self.deliver:
            for callback in made:
                self._send(callback)
        return made

    def callback_body(
        self, transaction: FakeTransaction, *, status: str | None = None, amount: int | None = None
    ) -> bytes:
        total = transaction.amount + transaction.fee_customer if amount is None else amount
        payload = {
            "reference": transaction.reference,
            "merchant_ref": transaction.merchant_ref,
            "payment_method": transaction.method_name,
            "payment_method_code": transaction.method,
            "total_amount": total,
            "fee_merchant": transaction.fee_merchant,
            "fee_customer": transaction.fee_customer,
            "total_fee": transaction.fee_merchant + transaction.fee_customer,
            "amount_received": total - transaction.fee_merchant - transaction.fee_customer,
            "is_closed_payment": 1,
            "status": status or transaction.status,
            "paid_at": transaction.paid_at,
            "note": None,
        }
        return json.dumps(payload, separators=(",", ":")).encode()

    def signed(self, url: str, body: bytes, *, key: str | None = None) -> Callback:
        signature = callback_signature(private_key=key or self.private_key, body=body)
        headers = {
            "Content-Type": "application/json",
            "X-Callback-Event": CALLBACK_EVENT,
            "X-Callback-Signature": signature,
        }
        return Callback(url=url, body=body, headers=headers)

    def _callbacks_for(self, transaction: FakeTransaction) -> list[Callback]:
        url = transaction.callback_url or self.callback_url
        mode = self.callback_mode
        if mode == "never" or not url:
            return []
        if mode == "wrong_signature":
            return [self.signed(url, self.callback_body(transaction), key="not-the-private-key")]
        if mode == "wrong_amount":
            body = self.callback_body(transaction, amount=transaction.amount - 1000)
            return [self.signed(url, body)]
        callback = self.signed(url, self.callback_body(transaction))
        if mode == "twice":
            return [callback, self.signed(url, callback.body)]
        if mode == "out_of_order":
            stale = self.signed(url, self.callback_body(transaction, status="EXPIRED"))
            return [callback, stale]
        return [callback]

    def _send(self, callback: Callback) -> None:
        try:
            response = requests.post(
                callback.url, data=callback.body, headers=callback.headers, timeout=10
            )
            callback.delivered = response.status_code
        except requests.RequestException as exc:
            self._log(f"callback to {callback.url} failed: {exc}")

    # --- the API --------------------------------------------------------------------------

    def dispatch(
        self, *, method: str, target: str, authorization: str | None, body: bytes
    ) -> tuple[int, str, bytes] | None:
        """(status, content type, body); None: no answer in time (a timeout fault)."""
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/favicon.ico":  # a browser on the checkout page asks for it
            return 204, "image/x-icon", b""
        if path.startswith("/checkout/"):
            return self._checkout(method, path.removeprefix("/checkout/"), body)
        if not path.startswith(API_PREFIX):
            return _json(404, {"success": False, "message": "Not found"})
        api_path = path.removeprefix(API_PREFIX)
        with self._lock:
            self.calls.append(f"{method} {api_path}")
            fault = next((f for f in self._faults if api_path.startswith(f.path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
        if fault is not None:
            if fault.kind == "timeout":
                time.sleep(self.slow_seconds)
                return None
            status = int(fault.kind.removeprefix("http"))
            return status, "text/html", b"<h1>Server Error</h1>"
        if not hmac.compare_digest(authorization or "", f"Bearer {self.api_key}"):
            return _json(401, {"success": False, "message": "Invalid API Key"})
        if method == "GET" and api_path == "merchant/payment-channel":
            return _json(200, {"success": True, "message": "Success", "data": self.channels})
        if method == "POST" and api_path == "transaction/create":
            return self._create(body)
        if method == "GET" and api_path == "transaction/detail":
            reference = (query.get("reference") or [""])[0]
            with self._lock:
                transaction = self.transactions.get(reference)
                if transaction is None:
                    return _json(404, {"success": False, "message": "Transaksi tidak ditemukan"})
                data = transaction.answer(self.url)
            return _json(200, {"success": True, "message": "Transaction found", "data": data})
        return _json(404, {"success": False, "message": "Endpoint not found"})

    def _create(self, raw: bytes) -> tuple[int, str, bytes]:
        try:
            body = json.loads(raw)
            merchant_ref = str(body["merchant_ref"])
            amount = int(body["amount"])
            method = str(body["method"])
        except (ValueError, KeyError, TypeError):
            return _json(400, {"success": False, "message": "Invalid request"})
        expected = request_signature(
            private_key=self.private_key,
            merchant_code=self.merchant_code,
            merchant_ref=merchant_ref,
            amount=amount,
        )
        if not hmac.compare_digest(expected, str(body.get("signature", ""))):
            return _json(400, {"success": False, "message": "Invalid signature"})
        channel = next((c for c in self.channels if c["code"] == method and c["active"]), None)
        if channel is None:
            return _json(400, {"success": False, "message": "Payment channel is not enabled"})
        if not channel["minimum_amount"] <= amount <= channel["maximum_amount"]:
            return _json(400, {"success": False, "message": "Amount is out of range"})
        reference = f"DEV-{self.merchant_code}{secrets.token_hex(6).upper()}"
        limits = {"minimum": channel.get("minimum_fee"), "maximum": channel.get("maximum_fee")}
        transaction = FakeTransaction(
            reference=reference,
            merchant_ref=merchant_ref,
            method=method,
            method_name=channel["name"],
            amount=amount,
            fee_customer=channel_fee(channel["fee_customer"], amount, **limits),
            fee_merchant=channel_fee(channel["fee_merchant"], amount, **limits),
            callback_url=str(body.get("callback_url") or ""),
            return_url=str(body.get("return_url") or ""),
            expired_time=int(body.get("expired_time") or time.time() + 86400),
        )
        if channel["group"] == "QRIS":
            transaction.qr_string = f"00020101021226FAKETRIPAY{reference}5303360540{amount}6304"
        elif channel["type"] == "direct":
            transaction.pay_code = str(secrets.randbelow(10**15)).zfill(15)
        with self._lock:
            self.transactions[reference] = transaction
            data = transaction.answer(self.url)
        return _json(200, {"success": True, "message": "", "data": data})

    # --- the checkout page ------------------------------------------------------------------

    def _checkout(self, method: str, rest: str, body: bytes) -> tuple[int, str, bytes]:
        reference = rest.strip("/")
        with self._lock:
            transaction = self.transactions.get(reference)
        if transaction is None:
            return 404, "text/html; charset=utf-8", b"<h1>Transaksi tidak ditemukan</h1>"
        if method == "POST":
            action = (parse_qs(body.decode(errors="replace")).get("action") or [""])[0]
            {"pay": self.pay, "fail": self.fail, "expire": self.expire}.get(
                action, lambda _ref: []
            )(reference)
            if transaction.return_url and action == "pay":
                return 303, transaction.return_url, b""
            return 303, f"/checkout/{reference}", b""
        total = f"Rp {transaction.amount + transaction.fee_customer:,}".replace(",", ".")
        buttons = (
            '<form method="post">'
            '<button name="action" value="pay">Bayar</button> '
            '<button name="action" value="fail">Gagal</button> '
            '<button name="action" value="expire">Kedaluwarsa</button></form>'
            if transaction.status == "UNPAID"
            else ""
        )
        page = (
            '<!doctype html><meta name="viewport" content="width=device-width">'
            "<title>Tripay (fake) checkout</title>"
            f"<h1>Tripay (fake)</h1><p>{escape(transaction.method_name)}</p>"
            f'<p>Total: <b id="total">{total}</b></p>'
            f'<p>Status: <b id="status">{escape(transaction.status)}</b></p>{buttons}'
        )
        return 200, "text/html; charset=utf-8", page.encode()

    def _log(self, message: str) -> None:
        if not self.quiet:
            sys.stderr.write(f"fake-tripay {message}\n")


def _json(status: int, payload: Any) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(payload).encode()
