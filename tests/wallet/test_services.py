"""credit / debit / adjust: one balance move and one ledger entry, once per cause, never below
zero; entries cannot be changed; an account with a balance cannot be deleted."""

import pytest
from django.db import IntegrityError, transaction

from wallet import selectors, services
from wallet.models import ImmutableEntry, LedgerEntry, Wallet

from .conftest import assert_books_balance, fund

pytestmark = pytest.mark.django_db
K = LedgerEntry.Kind


def test_credit_then_debit_moves_the_balance_and_records_each_entry(customer):
    deposit = services.credit(
        user=customer, amount=50_000, kind=K.DEPOSIT, cause="payment:REF1:deposit", note="QRIS"
    )
    spend = services.debit(
        user=customer, amount=12_000, kind=K.PURCHASE, cause="order:GR-1:purchase"
    )
    assert (deposit.amount, deposit.balance_after, deposit.repeated) == (50_000, 50_000, False)
    assert (spend.amount, spend.balance_after, spend.kind) == (-12_000, 38_000, K.PURCHASE)
    assert deposit.actor == "system" and deposit.note == "QRIS"
    assert selectors.balance_of(customer) == 38_000
    page = selectors.entries_of(customer)
    assert [e.cause for e in page] == ["order:GR-1:purchase", "payment:REF1:deposit"]
    assert_books_balance(customer)


@pytest.mark.parametrize("operation", [services.credit, services.debit])
def test_a_repeated_cause_returns_the_first_entry_and_changes_nothing(customer, operation):
    fund(customer, 20_000)
    first = operation(user=customer, amount=5_000, kind=K.REFUND, cause="order:GR-2:refund")
    again = operation(user=customer, amount=5_000, kind=K.REFUND, cause="order:GR-2:refund")
    assert again.pk == first.pk and again.repeated and not first.repeated
    assert selectors.balance_of(customer) == 20_000 + first.amount
    assert LedgerEntry.objects.filter(cause="order:GR-2:refund").count() == 1
    assert_books_balance(customer)


def test_a_repeated_debit_is_answered_even_when_the_balance_no_longer_covers_it(customer):
    fund(customer, 10_000)
    first = services.debit(
        user=customer, amount=10_000, kind=K.PURCHASE, cause="order:GR-3:purchase"
    )
    assert (
        services.debit(
            user=customer, amount=10_000, kind=K.PURCHASE, cause="order:GR-3:purchase"
        ).pk
        == first.pk
    )
    assert selectors.balance_of(customer) == 0


def test_the_same_cause_with_another_amount_is_a_programming_error_and_changes_nothing(customer):
    fund(customer, 10_000)
    with pytest.raises(ValueError, match="already applied"):
        fund(customer, 99_000)
    assert selectors.balance_of(customer) == 10_000


def test_the_same_cause_of_another_kind_is_another_entry(customer):
    fund(customer, 10_000, cause="order:GR-4")
    services.credit(user=customer, amount=1_000, kind=K.REFUND, cause="order:GR-4")
    assert selectors.balance_of(customer) == 11_000


def test_a_debit_above_the_balance_is_refused_and_changes_nothing(customer):
    fund(customer, 9_999)
    with pytest.raises(services.InsufficientBalance, match=r"Rp 9\.999.*Rp 10\.000") as refused:
        services.debit(user=customer, amount=10_000, kind=K.PURCHASE, cause="order:GR-5:purchase")
    assert (refused.value.balance, refused.value.amount) == (9_999, 10_000)
    assert selectors.balance_of(customer) == 9_999
    assert not LedgerEntry.objects.filter(cause="order:GR-5:purchase").exists()
    # Nothing was used up: the same cause goes through once the balance covers it.
    fund(customer, 1, cause="payment:TOPUP:deposit")
    services.debit(user=customer, amount=10_000, kind=K.PURCHASE, cause="order:GR-5:purchase")
    assert selectors.balance_of(customer) == 0


def test_a_debit_from_a_user_without_a_wallet_is_refused(customer):
    with pytest.raises(services.InsufficientBalance):
        services.debit(user=customer, amount=1, kind=K.PURCHASE, cause="order:GR-6:purchase")
    assert selectors.balance_of(customer) == 0


@pytest.mark.parametrize("amount", [0, -5_000, 1.5, 10_000.0, "10000", None, True])
@pytest.mark.parametrize("operation", [services.credit, services.debit])
def test_amounts_must_be_positive_ints(customer, operation, amount):
    fund(customer, 50_000)
    with pytest.raises(ValueError, match="positive int"):
        operation(user=customer, amount=amount, kind=K.DEPOSIT, cause="payment:BAD:deposit")
    assert selectors.balance_of(customer) == 50_000
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize("kind", ["gift", ""])
def test_an_unknown_kind_or_empty_cause_is_refused(customer, kind):
    with pytest.raises(ValueError):
        services.credit(user=customer, amount=1, kind=kind, cause="x")
    with pytest.raises(ValueError):
        services.credit(user=customer, amount=1, kind=K.DEPOSIT, cause=" ")
    assert selectors.balance_of(customer) == 0


def test_adjust_is_signed_records_who_and_why_and_never_goes_below_zero(customer):
    fund(customer, 10_000)
    up = services.adjust(user=customer, amount=2_500, reason="goodwill for GR-7", actor="admin:ani")
    down = services.adjust(
        user=customer, amount=-12_000, reason="payout BCA 123", actor="admin:ani"
    )
    assert (up.kind, up.amount, up.note, up.actor) == (
        K.ADJUSTMENT,
        2_500,
        "goodwill for GR-7",
        "admin:ani",
    )
    assert up.cause.startswith("adjustment:") and up.cause != down.cause
    assert (down.amount, down.balance_after) == (-12_000, 500)
    with pytest.raises(services.InsufficientBalance):
        services.adjust(user=customer, amount=-501, reason="too much", actor="admin:ani")
    assert selectors.balance_of(customer) == 500
    assert_books_balance(customer)


@pytest.mark.parametrize(("amount", "reason"), [(0, "x"), (1.0, "x"), (100, ""), (100, "  ")])
def test_adjust_needs_a_non_zero_int_and_a_reason(customer, amount, reason):
    with pytest.raises(ValueError):
        services.adjust(user=customer, amount=amount, reason=reason, actor="admin:ani")
    assert not LedgerEntry.objects.exists()


def test_an_adjustment_form_sent_twice_adjusts_once(customer):
    for _ in range(2):
        services.adjust(
            user=customer, amount=1_000, reason="r", actor="admin:ani", cause="adjustment:tok"
        )
    assert selectors.balance_of(customer) == 1_000


def test_ledger_entries_cannot_be_changed_or_deleted(customer):
    fund(customer, 10_000)
    entry = LedgerEntry.objects.get()
    entry.amount = 1_000_000
    with pytest.raises(ImmutableEntry):
        entry.save()
    with pytest.raises(ImmutableEntry):
        entry.delete()
    entry.refresh_from_db()
    assert entry.amount == 10_000


def test_the_database_refuses_a_negative_balance(customer):
    fund(customer, 100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(user=customer).update(balance=-1)


def test_ledger_mismatches_finds_a_wallet_changed_outside_the_services(customer, manager):
    fund(customer, 10_000)
    fund(manager, 5_000, cause="payment:M:deposit")
    assert_books_balance()
    Wallet.objects.filter(user=customer).update(balance=10_001)  # e.g. a hand-edited row
    [wrong] = selectors.ledger_mismatches()
    assert (wrong.user, wrong.balance, wrong.entry_sum) == (customer, 10_001, 10_000)
    totals = selectors.totals()
    assert (totals.wallets, totals.balances, totals.entries, totals.ok) == (
        2,
        15_001,
        15_000,
        False,
    )


def test_entries_of_is_paginated_newest_first(customer):
    for i in range(25):
        fund(customer, 1_000, cause=f"payment:R{i}:deposit")
    first, last = selectors.entries_of(customer), selectors.entries_of(customer, page=2)
    assert len(first) == 20 and len(last) == 5 and first.paginator.count == 25
    assert first[0].cause == "payment:R24:deposit" and last[4].cause == "payment:R0:deposit"


def test_deleting_a_user_with_a_balance_is_refused_with_how_to_withdraw(customer):
    fund(customer, 7_500)
    refused = pytest.raises(services.WalletNotEmpty, match=r"Rp 7\.500.*Tarik saldonya dulu")
    with refused, transaction.atomic():  # the refusal rolls the deletion back
        customer.delete()
    assert type(customer).objects.filter(pk=customer.pk).exists()
    assert selectors.balance_of(customer) == 7_500


def test_a_user_with_an_empty_wallet_can_be_deleted_and_the_ledger_stays(customer):
    fund(customer, 7_500)
    services.debit(user=customer, amount=7_500, kind=K.PURCHASE, cause="order:GR-8:purchase")
    customer.delete()
    wallet = Wallet.objects.get()
    assert wallet.user is None and wallet.entries.count() == 2
    assert_books_balance()
