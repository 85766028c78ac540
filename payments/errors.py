"""What can go wrong talking to a payment provider, by name (framework-free, importable anywhere).

The rest of the shop never sees a `requests` or `midtransclient` exception: providers translate
them into these.
"""


class PaymentError(Exception):
    """A provider call did not do what was asked."""


class PaymentUnavailable(PaymentError):
    """No usable answer: connect or read timeout, dropped connection, 5xx, or a non-JSON page.

    The request may have reached the provider: a write (refund, cancel) is in an unknown state.
    """


class PaymentRefused(PaymentError):
    """The provider answered and said no (4xx, or an error status code in its JSON)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
