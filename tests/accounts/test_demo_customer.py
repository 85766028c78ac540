import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_the_demo_customer_is_created_once_with_a_printed_password_that_logs_in(client):
    out = StringIO()
    call_command("ensure_demo_customer", stdout=out)
    email, password = re.search(r"Demo customer created: (\S+) / (\S+)", out.getvalue()).groups()
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    again = StringIO()
    call_command("ensure_demo_customer", stdout=again)
    assert "exists" in again.getvalue() and password not in again.getvalue()


@pytest.mark.django_db
def test_the_demo_customer_gets_a_demo_balance_once_printed_with_the_login():
    """Issue 14 item 5: Rp 100.000 to try "pay with balance", through a logged adjustment."""
    from django.contrib.auth import get_user_model

    from wallet import selectors
    from wallet.models import LedgerEntry

    out = StringIO()
    call_command("ensure_demo_customer", stdout=out)
    assert "balance Rp 100.000" in out.getvalue()
    again = StringIO()
    call_command("ensure_demo_customer", stdout=again)
    assert "balance Rp 100.000" in again.getvalue()
    user = get_user_model().objects.get(email="pelanggan@gerai.local")
    assert selectors.balance_of(user) == 100_000
    entry = LedgerEntry.objects.get(wallet__user=user)
    assert (entry.kind, entry.amount, entry.note) == (
        LedgerEntry.Kind.ADJUSTMENT,
        100_000,
        "demo balance",
    )
