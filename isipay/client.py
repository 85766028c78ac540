"""The isipay.top HTTP client: one method per endpoint, typed results, typed errors.

Framework-free on purpose: it takes its configuration in the constructor, so the Django side
(`storefront.supplier`) decides where the values come from.
"""

import logging
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

from .errors import (
    AuthError,
    DuplicateReference,
    InsufficientBalance,
    IsipayError,
    NotFound,
    SupplierError,
    Unavailable,
)
from .types import Balance, OrderStatus, PlacedOrder, Product, Variant

logger = logging.getLogger("isipay")

_BALANCE_WORDS = re.compile(r"saldo|balance|insufficient|deposit", re.IGNORECASE)
_DUPLICATE_WORDS = re.compile(
    r"duplicate|duplikat|already|sudah (di)?gunakan|sudah ada|telah digunakan"
    r"|reference.*(used|exist)",
    re.IGNORECASE,
)


class IsipayClient:
    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        session: requests.Session | None = None,
        call_slot: Callable[[str], AbstractContextManager[object]] | None = None,
        max_connections: int = 10,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = (connect_timeout, timeout)
        if session is None:
            # One kept-alive connection per call in flight: threads sharing this client beyond
            # the default pool of 10 would otherwise open and drop a connection per call.
            session = requests.Session()
            adapter = HTTPAdapter(pool_maxsize=max_connections)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self._session = session
        # Held around every HTTP call (given the endpoint): the caller's ceiling on calls in
        # flight. It raises Unavailable(may_have_reached_supplier=False) when none is free.
        self._call_slot = call_slot or (lambda endpoint: nullcontext())

    def __repr__(self) -> str:  # the token stays out of every repr
        return f"IsipayClient(base_url={self.base_url!r})"

    # --- endpoints ------------------------------------------------------------------------

    def balance(self) -> Balance:
        data = self._call("/api/v1/balance")
        return _parse(
            "/api/v1/balance",
            lambda: Balance(
                name=str(data.get("name", "")),
                membership=str(data.get("membership", "")),
                balance=_rupiah(data["balance"]),
            ),
        )

    def products(self) -> list[Product]:
        data = self._call("/api/v1/product")
        return _parse(
            "/api/v1/product",
            lambda: [
                Product(
                    code=str(item["code"]),
                    name=str(item["name"]),
                    is_active=_active(item.get("is_active")),
                )
                for item in data
            ],
        )

    def variants(self, product_code: str) -> list[Variant]:
        data = self._call("/api/v1/variant", {"code": product_code})
        return _parse(
            "/api/v1/variant",
            lambda: [
                Variant(
                    supplier_id=int(item["id"]),
                    code=str(item["code"]),
                    name=str(item["name"]),
                    is_active=_active(item.get("is_active")),
                    price=_rupiah(item["price"]),
                    process_duration=_seconds(item.get("processDuration")),
                )
                for item in data
            ],
        )

    def order(self, code: str, reference_number: str, data: str) -> PlacedOrder:
        body = {"code": code, "referenceNumber": reference_number, "data": data}
        answer = self._call("/api/v1/order", body, is_order=True)
        return _parse(
            "/api/v1/order",
            lambda: PlacedOrder(
                invoice_number=str(answer["invoiceNumber"]),
                duplicate=str(answer.get("duplicate")).lower() in ("true", "1"),
            ),
        )

    def status(self, invoice: str) -> OrderStatus:
        path = f"/api/v1/status-order/{quote(invoice, safe='')}"
        data = self._call(path)
        return _parse(
            "/api/v1/status-order",
            lambda: OrderStatus(
                invoice_number=str(data.get("invoiceNumber") or invoice),
                product_name=str(data.get("productName") or ""),
                user_data=str(data.get("userData") or ""),
                status_word=str(data["statusCode"]),
            ),
        )

    # --- transport ------------------------------------------------------------------------

    def _call(self, path: str, body: dict | None = None, *, is_order: bool = False) -> Any:
        endpoint = path if not path.startswith("/api/v1/status-order/") else "/api/v1/status-order"
        started = time.monotonic()
        try:
            with self._call_slot(endpoint):
                response = self._session.post(
                    self.base_url + path,
                    json=body if body is not None else {},
                    headers={
                        "Authorization": f"Bearer {self._token}",
                        "Accept": "application/json",
                    },
                    timeout=self._timeout,
                )
        except requests.ConnectTimeout as exc:
            raise self._unavailable(endpoint, "connect timeout", reached=False) from exc
        except requests.Timeout as exc:
            raise self._unavailable(endpoint, "no answer in time", reached=True) from exc
        except requests.ConnectionError as exc:
            raise self._unavailable(
                endpoint, "connection failed", reached=not _never_connected(exc)
            ) from exc
        except requests.RequestException as exc:
            raise self._unavailable(endpoint, type(exc).__name__, reached=is_order) from exc
        finally:
            elapsed_ms = int((time.monotonic() - started) * 1000)

        logger.debug("isipay %s -> HTTP %s in %d ms", endpoint, response.status_code, elapsed_ms)
        return self._unwrap(response, endpoint=endpoint, is_order=is_order)

    def _unwrap(self, response: requests.Response, *, endpoint: str, is_order: bool) -> Any:
        http = response.status_code
        if http >= 500 or http == 429:
            # A 5xx may come after the work was done; a 429 means it was not.
            raise Unavailable(
                f"isipay answered HTTP {http} on {endpoint}",
                may_have_reached_supplier=http != 429,
                code=http,
                endpoint=endpoint,
            )
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or "error" not in envelope:
            if http in (401, 403):
                raise AuthError(f"HTTP {http}", code=http, endpoint=endpoint)
            if http >= 400:
                raise SupplierError(
                    f"HTTP {http} without a readable body", code=http, endpoint=endpoint
                )
            raise Unavailable(
                f"isipay answered {endpoint} with a body that is not its JSON envelope",
                may_have_reached_supplier=True,
                code=http,
                endpoint=endpoint,
            )

        if not envelope.get("error") and http < 400:
            return envelope.get("data")

        message = str(envelope.get("message") or f"HTTP {http}")
        code = _int_or_none(envelope.get("code")) or http
        raise _classify(message, code=code, http=http, endpoint=endpoint, is_order=is_order)

    def _unavailable(self, endpoint: str, what: str, *, reached: bool) -> Unavailable:
        logger.warning("isipay %s unavailable: %s", endpoint, what)
        return Unavailable(
            f"isipay unavailable on {endpoint}: {what}"
            + (" (the request may have reached isipay)" if reached else ""),
            may_have_reached_supplier=reached,
            endpoint=endpoint,
        )


def _classify(message: str, *, code: int, http: int, endpoint: str, is_order: bool) -> IsipayError:
    if http in (401, 403) or code in (401, 403):
        return AuthError(message, code=http if http in (401, 403) else code, endpoint=endpoint)
    if code >= 500:
        return Unavailable(
            f"isipay reported an internal error on {endpoint}: {message}",
            may_have_reached_supplier=True,
            code=code,
            endpoint=endpoint,
        )
    if is_order and _DUPLICATE_WORDS.search(message):
        return DuplicateReference(message, code=code, endpoint=endpoint)
    if is_order and _BALANCE_WORDS.search(message):
        return InsufficientBalance(message, code=code, endpoint=endpoint)
    if code == 404 or http == 404:
        return NotFound(message, code=code, endpoint=endpoint)
    return SupplierError(message, code=code, endpoint=endpoint)


def _never_connected(exc: requests.ConnectionError) -> bool:
    """True when the TCP connection was never made, so the request cannot have arrived."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, NewConnectionError | NameResolutionError | ConnectionRefusedError):
            return True
        linked = (getattr(error, "reason", None), error.__cause__, error.__context__, *error.args)
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return False


def _parse(endpoint: str, build):
    """Build typed results; a data block of the wrong shape is an unusable answer."""
    try:
        return build()
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as exc:
        raise Unavailable(
            f"isipay answered {endpoint} with data of an unexpected shape ({type(exc).__name__})",
            may_have_reached_supplier=True,
            endpoint=endpoint,
        ) from exc


def _active(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return str(value).strip().lower() in {"active", "aktif", "true", "1", "yes", "available"}


def _rupiah(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("a price cannot be a bool")
    amount = Decimal(str(value).strip())
    if amount != amount.to_integral_value():
        # Rupiah have no cents; a fractional price would be a supplier mistake to see.
        raise ValueError(f"price {value!r} is not whole rupiah")
    return int(amount)


def _seconds(value: Any) -> int:
    match = re.search(r"\d+", str(value or "0"))
    return int(match.group()) if match else 0


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
