"""The isipay.top supplier boundary: client, typed results and errors, status words, sandbox.

Knows nothing of Django.
"""

from .client import IsipayClient
from .errors import (
    AuthError,
    DuplicateReference,
    InsufficientBalance,
    IsipayError,
    NotFound,
    SupplierError,
    Unavailable,
)
from .status import Outcome, StatusMap
from .types import Balance, OrderStatus, PlacedOrder, Product, Variant

__all__ = [
    "AuthError",
    "Balance",
    "DuplicateReference",
    "InsufficientBalance",
    "IsipayClient",
    "IsipayError",
    "NotFound",
    "OrderStatus",
    "Outcome",
    "PlacedOrder",
    "Product",
    "StatusMap",
    "SupplierError",
    "Unavailable",
    "Variant",
]
