import pytest
from django.contrib.auth.models import User

from tests.backoffice.conftest import (  # noqa: F401  (the staff roles, logged in)
    _private_cache,
    manager,
    manager_client,
    support,
    support_client,
)
from wallet import selectors, services
from wallet.models import LedgerEntry

from ..factories import UserFactory


@pytest.fixture
def customer(db) -> User:
    return UserFactory(username="budi", email="budi@example.com")


def fund(user, amount: int, cause: str = "payment:SEED:deposit") -> None:
    services.credit(user=user, amount=amount, kind=LedgerEntry.Kind.DEPOSIT, cause=cause)


def assert_books_balance(user=None) -> None:
    """The invariant: every balance equals the sum of its entries, and none is below zero."""
    assert not selectors.ledger_mismatches().exists()
    totals = selectors.totals()
    assert totals.ok and totals.balances >= 0
    if user is not None:
        assert selectors.balance_of(user) >= 0
