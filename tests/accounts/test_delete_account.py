"""Issue 14, bad input: a customer deleting an account that still has a balance is refused
with how to withdraw it; nothing is lost. Without a balance the account goes, its orders and
ledger stay for the books."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from orders.models import Order
from tests.factories import OrderFactory
from wallet import deposits, selectors
from wallet import services as wallet_services
from wallet.models import LedgerEntry, Wallet

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
DELETE = reverse("accounts:delete")


def test_the_account_page_offers_deleting_the_account(customer_client):
    page = customer_client.get(reverse("accounts:home")).content.decode()
    assert "Hapus akun" in page and DELETE in page
    # Once, in the page's content: not in its <title>, and not twice.
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<section" not in title and DELETE not in title
    assert page.count(f'action="{DELETE}"') == 1


def test_an_account_with_a_balance_is_not_deleted_and_the_customer_is_told_how_to_withdraw(
    customer_client, customer
):
    wallet_services.credit(
        user=customer, amount=25_000, kind=LedgerEntry.Kind.DEPOSIT, cause="deposit:DP-TEST"
    )
    response = customer_client.post(DELETE, {"password": PASSWORD})
    page = customer_client.get(response["Location"]).content.decode()
    assert "Akun ini masih memiliki saldo Rp 25.000, jadi tidak dapat dihapus." in page
    assert "Tarik saldonya dulu: minta toko mencairkannya ke rekening bank atau e-wallet" in page
    assert User.objects.filter(pk=customer.pk).exists()
    assert selectors.balance_of(customer) == 25_000
    assert customer_client.get(reverse("accounts:home")).status_code == 200  # still logged in


def test_an_account_with_a_top_up_waiting_for_payment_is_not_deleted(customer_client, customer):
    deposits.create_deposit(user=customer, amount=20_000, provider="sandbox")
    response = customer_client.post(DELETE, {"password": PASSWORD})
    page = customer_client.get(response["Location"]).content.decode()
    assert "masih menunggu pembayaran" in page
    assert User.objects.filter(pk=customer.pk).exists()


def test_a_wrong_password_deletes_nothing(customer_client, customer):
    response = customer_client.post(DELETE, {"password": "not-it"})
    assert "Kata sandinya salah." in customer_client.get(response["Location"]).content.decode()
    assert User.objects.filter(pk=customer.pk).exists()


def test_an_account_at_zero_is_deleted_its_orders_and_ledger_stay(customer_client, customer):
    order = OrderFactory(customer=customer, sold=True)
    wallet_services.credit(
        user=customer, amount=10_000, kind=LedgerEntry.Kind.DEPOSIT, cause="deposit:DP-SPENT"
    )
    wallet_services.debit(
        user=customer, amount=10_000, kind=LedgerEntry.Kind.PURCHASE, cause="order:X:purchase"
    )
    response = customer_client.post(DELETE, {"password": PASSWORD})
    assert response["Location"] == reverse("catalog:home")
    assert "Akun kamu sudah dihapus." in customer_client.get("/").content.decode()
    assert not User.objects.filter(pk=customer.pk).exists()
    assert Order.objects.get(pk=order.pk).customer is None
    wallet = Wallet.objects.get()
    assert wallet.user is None and wallet.entries.count() == 2
    assert customer_client.get(reverse("accounts:home")).status_code == 302  # logged out
