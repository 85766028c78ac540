"""Spends racing spends, and a refund racing a spend, each in a thread with its own database
connection: the conditional UPDATE lets exactly the covered ones through, the balance never
goes below zero and the ledger sums equal the balances.

PostgreSQL only: SQLite has no row locks and serialises writers with "database is locked"
errors, so the race it would show is not the one production has. CI runs PostgreSQL.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection

from wallet import selectors, services
from wallet.models import LedgerEntry

from ..factories import UserFactory
from .conftest import assert_books_balance, fund

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="needs PostgreSQL's row locks: SQLite serialises writers with 'database is "
        "locked' errors (CI runs PostgreSQL; set DATABASE_URL=postgres://... to run it)",
    ),
]
K = LedgerEntry.Kind
PRICE = 15_000


def run_together(*jobs):
    """Runs each job in its own thread (its own connection), released at the same moment;
    returns each job's result or the exception it raised."""
    start = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            start.wait(timeout=10)
            results[i] = job()
        except Exception as error:  # the outcome under test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def spend(user, n):
    return lambda: services.debit(
        user=user, amount=PRICE, kind=K.PURCHASE, cause=f"order:GR-{n}:purchase"
    )


def test_twenty_concurrent_spends_against_a_balance_covering_ten_let_exactly_ten_through():
    user = UserFactory(username="racer")
    fund(user, 10 * PRICE)
    results = run_together(*(spend(user, n) for n in range(20)))
    spent = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, services.InsufficientBalance)]
    assert (len(spent), len(refused)) == (10, 10), results
    assert selectors.balance_of(user) == 0
    # Each entry's balance after is one of 9×, 8×, … 0× the price: none below zero, none twice.
    assert sorted(e.balance_after for e in spent) == [n * PRICE for n in range(10)]
    assert_books_balance(user)


def test_the_same_spend_sent_twenty_times_at_once_is_applied_once():
    user = UserFactory(username="retrier")
    fund(user, 10 * PRICE)
    results = run_together(*(spend(user, 1) for _ in range(20)))
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sum(not r.repeated for r in results) == 1
    assert selectors.balance_of(user) == 9 * PRICE
    assert_books_balance(user)


@pytest.mark.parametrize("round_", range(5))
def test_a_refund_racing_a_spend_loses_nothing(round_):
    """The balance covers one spend; a refund lands at the same moment. Whichever goes first,
    the end balance is the same and both are in the ledger (the spend never fails for want of
    money it had, and the refund is never lost)."""
    user = UserFactory(username=f"refunded{round_}")
    fund(user, PRICE)
    refund = lambda: services.credit(  # noqa: E731
        user=user, amount=PRICE, kind=K.REFUND, cause="order:GR-OLD:refund"
    )
    results = run_together(spend(user, "NEW"), refund)
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert selectors.balance_of(user) == PRICE
    assert_books_balance(user)


def test_two_spends_and_a_refund_racing_a_balance_that_covers_one():
    """Two spends of the whole balance and a refund of as much at once: both spends succeed only
    when the refund comes between them; either way nothing goes below zero or is lost."""
    user = UserFactory(username="tight")
    fund(user, PRICE)
    refund = lambda: services.credit(  # noqa: E731
        user=user, amount=PRICE, kind=K.REFUND, cause="order:GR-OLD:refund"
    )
    results = run_together(spend(user, "A"), spend(user, "B"), refund)
    spent = sum(isinstance(r, LedgerEntry) for r in results[:2])
    assert isinstance(results[2], LedgerEntry) and spent >= 1
    assert selectors.balance_of(user) == 2 * PRICE - spent * PRICE
    assert_books_balance(user)


@pytest.mark.parametrize("round_", range(5))
def test_the_customers_refund_choice_racing_the_automatic_refund_happens_once(round_):
    """Item: "Kembalikan ke saldo" pressed at the moment the window ends and the sweeper sends
    the refund to the original method: one conditional UPDATE of the payment (from paid)
    decides, so the money goes back exactly once, one way."""
    from datetime import timedelta

    from django.utils import timezone

    from orders import services as order_services
    from orders.models import Order
    from payments.models import Payment

    from ..factories import OrderFactory

    user = UserFactory(username=f"chooser{round_}")
    order = OrderFactory(
        customer=user,
        status=Order.Status.FAILED,
        completed_at=timezone.now() - timedelta(seconds=settings.WALLET_REFUND_CHOICE_WINDOW - 1),
        payment_provider="sandbox",
        payment_reference="GR-RACE-1",
    )
    Payment.objects.create(
        order=order,
        provider="sandbox",
        status=Payment.Status.PAID,
        amount=order.price,
        reference="GR-RACE-1",
    )

    def automatic():
        # The sweeper's call, just after the window: the original method.
        return order_services.refund_order(order_id=order.pk, customer_chose=True)

    def to_balance():
        return order_services.refund_to_wallet(order_id=order.pk, user=user)

    results = run_together(automatic, to_balance)
    assert all(isinstance(r, bool) for r in results), results
    assert sum(results) == 1, results  # exactly one of them refunded it
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.REFUNDED
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    credited = LedgerEntry.objects.filter(kind=K.REFUND, wallet__user=user).count()
    assert credited == (1 if payment.refunded_to_wallet else 0)
    assert selectors.balance_of(user) == (order.price if payment.refunded_to_wallet else 0)
    assert_books_balance(user)
