"""What can go wrong when talking to isipay, as exceptions the rest of the shop can act on.

No message here ever contains the API token: errors are built from the supplier's answer and
the endpoint path only.
"""


class IsipayError(Exception):
    """Base class: any failure of an isipay call."""

    def __init__(self, message: str, *, code: int | None = None, endpoint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.endpoint = endpoint


class AuthError(IsipayError):
    """401/403: the token is wrong, or this server's IP is not whitelisted."""

    def __init__(self, message: str, *, code: int | None = None, endpoint: str = "") -> None:
        hint = (
            "check ISIPAY_API_TOKEN"
            if code == 401
            else "ask the isipay.top administrator to whitelist this server's IP address"
            if code == 403
            else "check ISIPAY_API_TOKEN and that this server's IP is whitelisted at isipay.top"
        )
        super().__init__(f"isipay refused access ({message}): {hint}", code=code, endpoint=endpoint)
        self.supplier_message = message


class InsufficientBalance(IsipayError):
    """The supplier deposit cannot pay for this order: top up at isipay, then resume."""


class DuplicateReference(IsipayError):
    """The referenceNumber was used before: the first request did reach isipay."""


class NotFound(IsipayError):
    """The product, variant or invoice does not exist at isipay."""


class SupplierError(IsipayError):
    """A definite refusal carrying the supplier's message (bad account data, inactive item…)."""


class Unavailable(IsipayError):
    """No usable answer: timeout, connection error, 5xx or a body that is not the envelope.

    `may_have_reached_supplier` is True when the request may have been processed anyway
    (it was sent and the answer was lost): for an order that means "unknown", never "failed".
    """

    def __init__(
        self,
        message: str,
        *,
        may_have_reached_supplier: bool,
        code: int | None = None,
        endpoint: str = "",
    ) -> None:
        super().__init__(message, code=code, endpoint=endpoint)
        self.may_have_reached_supplier = may_have_reached_supplier
