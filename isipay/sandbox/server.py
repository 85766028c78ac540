"""A faithful fake isipay.top server ("the sandbox") for the demo shop and the tests.

It speaks isipay API v1.9.0: every endpoint is POST with JSON and `Authorization: Bearer TOKEN`,
and every answer is the envelope `{"error": bool, "code": int, "message": str, "data": ...}`.
Like real suppliers it reports some errors with an HTTP error status and others as HTTP 200
with `"error": true`, so a client must handle both.

Demo outcomes are chosen by the order's `data` string (matched case-insensitively; the first
rule that matches wins):

- empty, or contains "INVALID": rejected at order time (HTTP 200, error, code 400,
  "Data tujuan tidak valid"); nothing is charged and the reference stays unused.
- contains "FAIL": accepted and charged, ends "Failed", and the price is refunded to the balance.
- contains "HANG": accepted and charged, stays "Processing" forever.
- anything else: accepted and charged, ends "Success".

An accepted order's status-order `statusCode` is "Pending" for `pending_seconds`, then
"Processing" until `complete_seconds` after the order, then final ("Success" or "Failed").
status-order also accepts the order's referenceNumber in place of the invoice
(`accept_reference_lookup`).

Errors: missing or wrong token HTTP 401; client IP not in `whitelist` HTTP 403; unknown path
HTTP 404; not POST HTTP 405; body not a JSON object HTTP 400; /variant for an unknown product
HTTP 404 "Product not found"; /status-order for an unknown invoice HTTP 404 "Invoice not found".
/order rejections come as HTTP 200 with error true: code 404 "Variant not found", 400 "Variant
tidak aktif", 400 "Data tujuan tidak valid", 400 "Saldo tidak mencukupi", 409 "Reference number
sudah digunakan" (a rejected order does not use up its reference).

Faults are injected per path prefix with `inject()`: drop, http500/http502 (any httpNNN),
garbage, slow, error200. `set_delivery_seconds(product, seconds)` makes one game's new orders
take longer to become final (a supplier slow on one game), without touching the others.
`latency` (or `set_latency()`) makes every answer, or one endpoint's, take time, as a real
supplier's does (latency.py has the spec). Framework-free on purpose: no Django anywhere in isipay/.
"""

import copy
import hmac
import json
import random
import re
import secrets
import string
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from fakeserver import Handler, Served, Server

from .catalog import ACTIVE, INACTIVE, Catalog, SandboxProduct, SandboxVariant, demo_catalog
from .latency import LatencyPlan, parse_latency

# The sandbox's well-known demo token (storefront settings use the same default).
SANDBOX_TOKEN = "sandbox-token"  # noqa: S105 - a public demo value, not a secret

BALANCE = "/api/v1/balance"
PRODUCT = "/api/v1/product"
VARIANT = "/api/v1/variant"
ORDER = "/api/v1/order"
STATUS_ORDER = "/api/v1/status-order"

SUCCESS, FAILED, HANG = "success", "failed", "hang"
FAULT_KINDS = ("drop", "http500", "http502", "garbage", "slow", "error200")
_HTTP_FAULT = re.compile(r"http([45]\d\d)")
_INVOICE_ALPHABET = string.ascii_uppercase + string.digits
_REFUND_WORDS = {"failed", "fail", "gagal", "refund", "refunded"}


@dataclass
class SandboxOrder:
    reference: str
    invoice: str
    product_code: str
    variant_code: str
    product_name: str
    data: str
    price: int
    outcome: str  # SUCCESS, FAILED or HANG, decided from `data` when the order is placed
    client_ip: str
    # time.monotonic() when placed; tests may move it back to age an order without sleeping.
    created_at: float = field(default_factory=time.monotonic)
    forced_status: str | None = None
    refunded: bool = False
    # Seconds from placing to final for this order (set_delivery_seconds), else the server's.
    complete_after: float | None = None


@dataclass
class Fault:
    path_prefix: str
    kind: str
    remaining: int | None  # None: every matching request, until clear_faults()
    code: str | None = None  # only requests for this product/variant code or invoice
    seconds: float = 2.0
    message: str = "Terjadi kesalahan"
    error_code: int = 400
    body: str | None = None
    hits: int = 0

    def matches(self, path: str, target: str | None) -> bool:
        return path.startswith(self.path_prefix) and self.code in (None, target)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"


def _envelope(
    http: int, *, error: bool, message: str, data: Any = None, code: int | None = None
) -> Reply:
    body = {"error": error, "code": code or http, "message": message, "data": data}
    return Reply(http, json.dumps(body).encode())


def _ok(data: Any, message: str = "Success") -> Reply:
    return _envelope(200, error=False, message=message, data=data)


def _http_error(http: int, message: str) -> Reply:
    return _envelope(http, error=True, message=message)


def _rejected(code: int, message: str) -> Reply:
    """An error reported in-band: HTTP 200 with error true."""
    return _envelope(200, error=True, message=message, code=code)


def _html_error(http: int, body: str | None) -> Reply:
    phrase = f"{http} {HTTPStatus(http).phrase}"
    page = body or (
        f"<html><head><title>{phrase}</title></head><body><h1>{phrase}</h1></body></html>"
    )
    return Reply(http, page.encode(), "text/html; charset=utf-8")


class _HTTPServer(Server):
    request_queue_size = 128  # the default backlog of 5 resets connections under load


class _Handler(Handler):
    server: _HTTPServer
    server_version = "isipay-sandbox"
    sys_version = ""

    def _serve(self) -> None:
        sandbox = self.server.fake
        try:
            body = self.read_body()
        except ValueError:
            self._send(_http_error(400, "Invalid Content-Length"))
            return
        try:
            reply = sandbox.dispatch(
                method=self.command,
                target=self.path,
                authorization=self.headers.get("Authorization"),
                body=body,
                client_ip=self.client_address[0],
            )
        except Exception:
            # A sandbox bug must not pass for a "drop" fault: answer 500 and say why.
            traceback.print_exc()
            reply = Reply(500, b"isipay sandbox internal error", "text/plain")
        if reply is None:
            self.log_message('"%s" dropped without an answer (fault)', self.requestline)
            self.close_connection = True
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.answer(reply.status, reply.content_type, reply.body)

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


class SandboxServer(Served):
    """The fake isipay server; its state is inspected and changed through this object.

    Every method is thread-safe: request threads and the test thread share one lock. start(),
    serve_forever(), stop(), `with` and `url` come from fakeserver.Served.
    """

    label = "isipay-sandbox"
    what = "the sandbox"
    handler = _Handler
    server_class = _HTTPServer

    def __init__(
        self,
        *,
        token: str = SANDBOX_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        catalog: Catalog | None = None,
        balance: int = 5_000_000,
        pending_seconds: float = 1.0,
        complete_seconds: float = 3.0,
        whitelist: set[str] | list[str] | None = None,
        accept_reference_lookup: bool = True,
        duplicate_reference: str = "error",
        quiet: bool = True,
        latency: LatencyPlan | str | None = None,
    ) -> None:
        if duplicate_reference not in ("error", "invoice"):
            raise ValueError("duplicate_reference must be 'error' or 'invoice'")
        self.token = token
        self.host = host
        self.port = port
        self.catalog: Catalog = demo_catalog() if catalog is None else catalog
        self.pending_seconds = pending_seconds
        self.complete_seconds = complete_seconds
        self.whitelist: set[str] | None = None if whitelist is None else set(whitelist)
        self.accept_reference_lookup = accept_reference_lookup
        # "error": a repeated reference gets 409; "invoice": it gets the first order's invoice.
        self.duplicate_reference = duplicate_reference
        self.quiet = quiet
        self._random = random.Random()
        self.set_latency(latency)
        self.account = {
            "name": "Gerai Sandbox",
            "email": "sandbox@gerai.test",
            "telp": "6281200000000",
            "membership": "Gold",
        }
        self._initial = (copy.deepcopy(self.catalog), balance)
        self._lock = threading.RLock()
        self._clear_state(balance)

    def _clear_state(self, balance: int) -> None:
        self._balance = balance
        self._orders: dict[str, SandboxOrder] = {}
        self._by_invoice: dict[str, SandboxOrder] = {}
        self._awaiting_refund: list[SandboxOrder] = []
        self._calls: list[str] = []
        self._order_calls: Counter[str] = Counter()
        self._faults: list[Fault] = []
        self._status_word: str | None = None
        self._delivery_seconds: dict[str, float] = {}
        self._in_flight = 0
        self.max_in_flight = 0  # the most requests it was answering at once

    # --- state: balance, orders, calls ----------------------------------------------------

    @property
    def balance(self) -> int:
        with self._lock:
            self._settle()
            return self._balance

    @balance.setter
    def balance(self, value: int) -> None:
        self.set_balance(value)

    def set_balance(self, value: int) -> None:
        with self._lock:
            self._balance = int(value)

    @property
    def orders(self) -> dict[str, SandboxOrder]:
        """Accepted orders by referenceNumber (a copy; the records themselves are live)."""
        with self._lock:
            return dict(self._orders)

    def order(self, key: str) -> SandboxOrder | None:
        """An accepted order by referenceNumber or invoice."""
        with self._lock:
            return self._orders.get(key) or self._by_invoice.get(key)

    def status_of(self, key: str) -> str:
        """The statusCode that status-order would answer now for this reference or invoice."""
        with self._lock:
            self._settle()
            return self._status_word_of(self._require_order(key))

    def order_calls(self, reference: str) -> int:
        """How many /order requests arrived with this reference, rejected or faulted ones too."""
        with self._lock:
            return self._order_calls[reference]

    def order_call_counts(self) -> dict[str, int]:
        """Every reference /order was called with, and how many times (a copy)."""
        with self._lock:
            return dict(self._order_calls)

    @property
    def calls(self) -> list[str]:
        """The path of every request received, in order (a copy)."""
        with self._lock:
            return list(self._calls)

    def call_count(self, path_prefix: str) -> int:
        with self._lock:
            return sum(1 for path in self._calls if path.startswith(path_prefix))

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()
            self._order_calls.clear()

    def set_status_word(self, word: str | None) -> None:
        """Answer this word instead of "Pending"/"Processing" for orders not yet final."""
        with self._lock:
            self._status_word = word

    def set_delivery_seconds(self, product_code: str, seconds: float | None) -> None:
        """Orders placed from now on for this product take `seconds` to become final
        ("Pending", then "Processing" meanwhile), as a supplier slowing down on one game
        does; None goes back to the server's complete_seconds. Orders already placed keep
        their timing."""
        with self._lock:
            self._require_product(product_code)
            if seconds is None:
                self._delivery_seconds.pop(product_code, None)
            else:
                self._delivery_seconds[product_code] = float(seconds)

    def set_order_status(self, key: str, word: str, *, refund: bool | None = None) -> None:
        """Pin one order's statusCode to `word` from now on.

        The price goes back to the balance when `refund` is true; by default when the word is
        a failure word ("Failed", "Gagal", "Refund"...). An order is refunded at most once.
        """
        with self._lock:
            order = self._require_order(key)
            order.forced_status = word
            if order in self._awaiting_refund:
                self._awaiting_refund.remove(order)  # the pinned word rules from now on
            if refund is None:
                refund = word.strip().lower() in _REFUND_WORDS
            if refund and not order.refunded:
                order.refunded = True
                self._balance += order.price

    def reset(self) -> None:
        """Back to the catalog and balance given at construction; orders, calls, faults cleared."""
        catalog, balance = self._initial
        with self._lock:
            self.catalog = copy.deepcopy(catalog)
            self._clear_state(balance)

    # --- catalog helpers ------------------------------------------------------------------

    def add_product(
        self,
        code: str,
        name: str,
        *,
        is_active: bool = True,
        variants: list[SandboxVariant | dict] | None = None,
    ) -> SandboxProduct:
        """Add (or replace) a product; variants may be SandboxVariant or dicts of its fields."""
        with self._lock:
            product = SandboxProduct(code=code, name=name, is_active=is_active)
            self.catalog[code] = product
            for variant in variants or []:
                if isinstance(variant, SandboxVariant):
                    product.variants[variant.code] = variant
                else:
                    self.add_variant(code, **variant)
            return product

    def add_variant(
        self,
        product_code: str,
        code: str,
        name: str,
        price: int,
        *,
        is_active: str | bool = ACTIVE,
        process_duration: str = "0",
        id: int | None = None,
    ) -> SandboxVariant:
        with self._lock:
            if id is None:
                id = 1 + max(
                    (v.id for p in self.catalog.values() for v in p.variants.values()), default=0
                )
            variant = SandboxVariant(
                id=id,
                code=code,
                name=name,
                price=int(price),
                is_active=_variant_word(is_active),
                process_duration=str(process_duration),
            )
            self._require_product(product_code).variants[code] = variant
            return variant

    def set_price(self, variant_code: str, price: int) -> None:
        with self._lock:
            self._require_variant(variant_code)[1].price = int(price)

    def remove_product(self, code: str) -> None:
        with self._lock:
            self._require_product(code)
            del self.catalog[code]

    def remove_variant(self, code: str) -> None:
        with self._lock:
            product, _ = self._require_variant(code)
            del product.variants[code]

    def set_product_active(self, code: str, active: bool) -> None:
        with self._lock:
            self._require_product(code).is_active = bool(active)

    def set_variant_active(self, code: str, active: bool | str) -> None:
        """True/False become "active"/"inactive"; a string is sent as given."""
        with self._lock:
            self._require_variant(code)[1].is_active = _variant_word(active)

    def variant(self, code: str) -> SandboxVariant | None:
        with self._lock:
            found = self._find_variant(code)
            return found[1] if found else None

    # --- latency --------------------------------------------------------------------------

    def set_latency(self, latency: LatencyPlan | str | None) -> None:
        """How long answers take from now on: a plan, a spec ("0.3", "order=1~0.2") or None."""
        self.latency = parse_latency(latency) if isinstance(latency, str) else latency

    def _delay(self, path: str) -> float:
        if not self.latency or not path.startswith("/api/v1/"):
            return 0.0
        endpoint = path[len("/api/v1/") :].partition("/")[0]
        latency = self.latency.for_endpoint(endpoint)
        return 0.0 if latency is None else latency.sample(self._random)

    # --- fault injection ------------------------------------------------------------------

    def inject(
        self,
        path_prefix: str,
        kind: str,
        times: int | None = 1,
        *,
        code: str | None = None,
        seconds: float = 2.0,
        message: str = "Terjadi kesalahan",
        error_code: int = 400,
        body: str | None = None,
    ) -> Fault:
        """Make the next `times` matching requests misbehave (None: until clear_faults()).

        Kinds:
        - "drop": handled, then the connection closes with no answer.
        - "http500", "http502" or any "httpNNN": an HTML error page; not handled.
        - "garbage": HTTP 200 with a non-JSON body (`body`); not handled.
        - "slow": sleeps `seconds`, then handled normally.
        - "error200": HTTP 200, error true, `message`, envelope code `error_code` (400, a plain
          rejection, by default; 500 reads as a supplier-side failure); not handled.

        `code` limits the fault to one product code (/variant), variant code (/order) or
        invoice/reference (/status-order). When several faults match, the oldest applies.
        """
        if kind not in FAULT_KINDS and _http_fault_status(kind) is None:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {FAULT_KINDS} or httpNNN")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every request")
        fault = Fault(
            path_prefix=path_prefix,
            kind=kind,
            remaining=times,
            code=code,
            seconds=seconds,
            message=message,
            error_code=error_code,
            body=body,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # --- request handling -----------------------------------------------------------------

    def dispatch(
        self, *, method: str, target: str, authorization: str | None, body: bytes, client_ip: str
    ) -> Reply | None:
        """Answer one request; None means close the connection without an answer."""
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            return self._dispatch(
                method=method,
                target=target,
                authorization=authorization,
                body=body,
                client_ip=client_ip,
            )
        finally:
            with self._lock:
                self._in_flight -= 1

    def _dispatch(
        self, *, method: str, target: str, authorization: str | None, body: bytes, client_ip: str
    ) -> Reply | None:
        path = urlsplit(target).path
        payload = _json_object(body)
        with self._lock:
            self._calls.append(path)
            if path == ORDER and payload and payload.get("referenceNumber") is not None:
                self._order_calls[str(payload["referenceNumber"])] += 1
            fault = self._take_fault(path, _fault_target(path, payload))

        delay = self._delay(path)
        if delay:
            time.sleep(delay)  # outside the lock, as a supplier's network and queue are
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)  # outside the lock: other requests go on meanwhile
        elif fault is not None and fault.kind != "drop":
            return _fault_reply(fault)

        with self._lock:
            reply = self._handle(method, path, authorization, body, client_ip)
        if fault is not None and fault.kind == "drop":
            return None
        return reply

    def _take_fault(self, path: str, target: str | None) -> Fault | None:
        for fault in self._faults:
            if fault.matches(path, target):
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def _handle(
        self, method: str, path: str, authorization: str | None, body: bytes, client_ip: str
    ) -> Reply:
        invoice = None
        if path.startswith(STATUS_ORDER + "/"):
            endpoint, invoice = STATUS_ORDER, unquote(path[len(STATUS_ORDER) + 1 :])
        else:
            endpoint = path.rstrip("/")
        handlers = {
            BALANCE: self._balance_endpoint,
            PRODUCT: self._product_endpoint,
            VARIANT: self._variant_endpoint,
            ORDER: self._order_endpoint,
        }
        if endpoint not in handlers and endpoint != STATUS_ORDER:
            return _http_error(404, f"Endpoint not found: {path}")
        if method != "POST":
            return _http_error(405, f"Method {method} not allowed; use POST")

        scheme, _, given = (authorization or "").strip().partition(" ")
        if not given.strip():
            return _http_error(401, "Unauthorized: missing API token")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            return _http_error(401, "Unauthorized: invalid API token")
        if self.whitelist is not None and client_ip not in self.whitelist:
            return _http_error(403, f"IP not whitelisted: {client_ip}")

        payload = _json_object(body) if body.strip() else {}
        if payload is None:
            return _http_error(400, "Invalid request body: expected a JSON object")

        self._settle()
        if endpoint == STATUS_ORDER:
            return self._status_endpoint(invoice or "")
        return handlers[endpoint](payload, client_ip)

    def _balance_endpoint(self, payload: dict, client_ip: str) -> Reply:
        return _ok({**self.account, "balance": self._balance})

    def _product_endpoint(self, payload: dict, client_ip: str) -> Reply:
        return _ok([product.as_json() for product in self.catalog.values()])

    def _variant_endpoint(self, payload: dict, client_ip: str) -> Reply:
        code = payload.get("code")
        if not isinstance(code, str) or not code.strip():
            return _http_error(400, "Field code wajib diisi")
        product = self.catalog.get(code)
        if product is None:
            return _http_error(404, "Product not found")
        return _ok([variant.as_json() for variant in product.variants.values()])

    def _order_endpoint(self, payload: dict, client_ip: str) -> Reply:
        code, reference, data = (payload.get(k) for k in ("code", "referenceNumber", "data"))
        if not isinstance(code, str) or not code.strip():
            return _http_error(400, "Field code wajib diisi")
        if isinstance(reference, int) and not isinstance(reference, bool):
            reference = str(reference)
        if not isinstance(reference, str) or not reference.strip():
            return _http_error(400, "Field referenceNumber wajib diisi")

        existing = self._orders.get(reference)
        if existing is not None:
            if self.duplicate_reference == "invoice":
                return _ok(
                    {"invoiceNumber": existing.invoice, "duplicate": True},
                    message="Reference number sudah digunakan",
                )
            return _rejected(409, "Reference number sudah digunakan")

        found = self._find_variant(code)
        if found is None:
            return _rejected(404, "Variant not found")
        product, variant = found
        if not product.is_active or variant.is_active.strip().lower() != ACTIVE:
            return _rejected(400, "Variant tidak aktif")
        marker = data.upper() if isinstance(data, str) else ""
        if not marker.strip() or "INVALID" in marker:
            return _rejected(400, "Data tujuan tidak valid")
        if self._balance < variant.price:
            return _rejected(400, "Saldo tidak mencukupi")

        self._balance -= variant.price
        order = SandboxOrder(
            reference=reference,
            invoice=self._new_invoice(),
            product_code=product.code,
            variant_code=variant.code,
            product_name=f"{product.name} - {variant.name}",
            data=data,
            price=variant.price,
            outcome=FAILED if "FAIL" in marker else HANG if "HANG" in marker else SUCCESS,
            client_ip=client_ip,
            complete_after=self._delivery_seconds.get(product.code),
        )
        self._orders[reference] = order
        self._by_invoice[order.invoice] = order
        if order.outcome == FAILED:
            self._awaiting_refund.append(order)
        return _ok({"invoiceNumber": order.invoice})

    def _status_endpoint(self, invoice: str) -> Reply:
        order = self._by_invoice.get(invoice)
        if order is None and self.accept_reference_lookup:
            order = self._orders.get(invoice)
        if order is None:
            return _http_error(404, "Invoice not found")
        return _ok(
            {
                "invoiceNumber": order.invoice,
                "productName": order.product_name,
                "userData": order.data,
                "statusCode": self._status_word_of(order),
            }
        )

    # --- internals (call with the lock held) ----------------------------------------------

    def _is_final(self, order: SandboxOrder, now: float) -> bool:
        if order.outcome == HANG:
            return False
        if order.complete_after is not None:
            return now - order.created_at >= order.complete_after
        done_at = max(self.pending_seconds, self.complete_seconds)
        return now - order.created_at >= done_at

    def _status_word_of(self, order: SandboxOrder) -> str:
        if order.forced_status is not None:
            return order.forced_status
        now = time.monotonic()
        if self._is_final(order, now):
            return "Failed" if order.outcome == FAILED else "Success"
        if self._status_word is not None:
            return self._status_word
        return "Pending" if now - order.created_at < self.pending_seconds else "Processing"

    def _settle(self) -> None:
        """Refund failed orders that have become final (lazily, whenever state is read)."""
        now = time.monotonic()
        for order in [o for o in self._awaiting_refund if self._is_final(o, now)]:
            self._awaiting_refund.remove(order)
            order.refunded = True
            self._balance += order.price

    def _new_invoice(self) -> str:
        while True:
            invoice = "RZ-SBX" + "".join(secrets.choice(_INVOICE_ALPHABET) for _ in range(10))
            if invoice not in self._by_invoice:
                return invoice

    def _find_variant(self, code: str) -> tuple[SandboxProduct, SandboxVariant] | None:
        for product in self.catalog.values():
            variant = product.variants.get(code)
            if variant is not None:
                return product, variant
        return None

    def _require_product(self, code: str) -> SandboxProduct:
        try:
            return self.catalog[code]
        except KeyError:
            raise KeyError(f"no product {code!r} in the sandbox catalog") from None

    def _require_variant(self, code: str) -> tuple[SandboxProduct, SandboxVariant]:
        found = self._find_variant(code)
        if found is None:
            raise KeyError(f"no variant {code!r} in the sandbox catalog")
        return found

    def _require_order(self, key: str) -> SandboxOrder:
        order = self._orders.get(key) or self._by_invoice.get(key)
        if order is None:
            raise KeyError(f"no sandbox order with reference or invoice {key!r}")
        return order


def _variant_word(active: bool | str) -> str:
    if isinstance(active, bool):
        return ACTIVE if active else INACTIVE
    return str(active)


def _json_object(body: bytes) -> dict | None:
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _fault_target(path: str, payload: dict | None) -> str | None:
    """What a fault's `code=` is compared with: the body's code, or status-order's invoice."""
    if path.startswith(STATUS_ORDER + "/"):
        return unquote(path[len(STATUS_ORDER) + 1 :])
    code = payload.get("code") if payload else None
    return code if isinstance(code, str) else None


def _fault_reply(fault: Fault) -> Reply:
    if fault.kind == "garbage":
        return Reply(200, (fault.body or "<html>maintenance</html>").encode(), "text/html")
    if fault.kind == "error200":
        return _rejected(fault.error_code, fault.message)
    return _html_error(_http_fault_status(fault.kind) or 500, fault.body)


def _http_fault_status(kind: str) -> int | None:
    """The status of an "httpNNN" fault kind (a 4xx or 5xx HTTP knows), else None."""
    match = _HTTP_FAULT.fullmatch(kind)
    if match is None:
        return None
    try:
        return HTTPStatus(int(match[1])).value
    except ValueError:
        return None
