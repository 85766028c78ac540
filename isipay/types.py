"""Typed, normalised results of isipay calls: the rest of the shop never sees raw JSON."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Balance:
    name: str
    membership: str
    balance: int


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class Variant:
    supplier_id: int
    code: str
    name: str
    is_active: bool
    price: int
    process_duration: int  # seconds


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    invoice_number: str
    # isipay answered with the invoice of an order it already had under this reference (an
    # acceptance flagged "duplicate"), not a new placement.
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class OrderStatus:
    invoice_number: str
    product_name: str
    user_data: str
    status_word: str
