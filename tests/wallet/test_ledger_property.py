"""A property test: any sequence of deposits, spends, refunds and adjustments (with causes that
repeat) keeps the ledger invariant: the balance equals the sum of the entries and what a simple
model of the rules expects, it is never negative, and each cause is applied at most once."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet import selectors, services
from wallet.models import LedgerEntry, Wallet

from ..factories import UserFactory

K = LedgerEntry.Kind
_users = itertools.count()

operations = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "spend", "refund", "adjust"]),
        st.integers(min_value=1, max_value=200_000),
        st.integers(min_value=0, max_value=5),  # few causes: repeats happen often
        st.booleans(),  # an adjustment's sign
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_the_ledger_invariant_holds_for_any_sequence(steps):
    user = UserFactory(username=f"prop{next(_users)}")  # a fresh wallet per example
    expected, applied = 0, {}  # the model: balance, and (kind, cause) -> amount once applied
    for op, amount, cause_no, negative in steps:
        kind = {"deposit": K.DEPOSIT, "spend": K.PURCHASE, "refund": K.REFUND}.get(op, K.ADJUSTMENT)
        cause = f"{user.username}:{cause_no}"
        signed = -amount if op == "spend" or (op == "adjust" and negative) else amount
        key = (kind, cause)
        if key in applied and applied[key] != signed:
            # Same cause, other amount: a caller's mistake, refused, nothing changes.
            with pytest.raises(ValueError):
                _apply(op, user, amount, signed, cause)
        elif key in applied:
            assert _apply(op, user, amount, signed, cause).repeated
        elif expected + signed < 0:
            with pytest.raises(services.InsufficientBalance):
                _apply(op, user, amount, signed, cause)
        else:
            entry = _apply(op, user, amount, signed, cause)
            assert not entry.repeated and entry.amount == signed
            expected += signed
            applied[key] = signed
            assert entry.balance_after == expected
        balance = selectors.balance_of(user)
        entries = LedgerEntry.objects.filter(wallet__user=user)
        assert balance == expected >= 0
        assert balance == sum(e.amount for e in entries)
        assert entries.count() == len(applied)  # each cause at most once
    assert (
        not selectors.ledger_mismatches().filter(pk__in=Wallet.objects.filter(user=user)).exists()
    )


def _apply(op, user, amount, signed, cause):
    if op == "deposit":
        return services.credit(user=user, amount=amount, kind=K.DEPOSIT, cause=cause)
    if op == "spend":
        return services.debit(user=user, amount=amount, kind=K.PURCHASE, cause=cause)
    if op == "refund":
        return services.credit(user=user, amount=amount, kind=K.REFUND, cause=cause)
    return services.adjust(user=user, amount=signed, reason="property test", actor="t", cause=cause)
