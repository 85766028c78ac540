"""Issue 14: deposits (Isi saldo) through the payment providers, by the same rules as orders:
signature, status API confirmation, amount equal to the deposit's, repeats change nothing,
Snap token reuse, pending checks, expiry; credited once, even when paid after expiry."""

import json
import logging
from datetime import timedelta

import pytest
import responses
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from payments import services as payments
from payments.models import Payment
from tests.payments.test_midtrans import CORE, SERVER_KEY, SNAP, notification, notify, status_api
from wallet import deposits, selectors
from wallet.models import Deposit, LedgerEntry

from ..factories import OrderFactory, UserFactory
from .conftest import assert_books_balance

pytestmark = pytest.mark.django_db
D = Deposit.Status
P = Payment.Status


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def deposit_entries(user) -> list[tuple[int, str]]:
    return list(
        LedgerEntry.objects.filter(wallet__user=user, kind=LedgerEntry.Kind.DEPOSIT).values_list(
            "amount", "cause"
        )
    )


# --- amounts and the form ---------------------------------------------------------------------


@pytest.mark.parametrize("amount", [9_999, 5_000_001, 0, -10_000, "50000", 50_000.0, True])
def test_an_amount_out_of_range_or_not_an_int_is_refused(customer, amount):
    with pytest.raises(deposits.DepositRefused):
        deposits.create_deposit(user=customer, amount=amount, provider="sandbox")
    assert not Deposit.objects.exists()


def test_limits_come_from_settings(customer, settings):
    settings.WALLET_DEPOSIT_MIN, settings.WALLET_DEPOSIT_MAX = 20_000, 30_000
    with pytest.raises(deposits.DepositRefused, match=r"Rp 20\.000"):
        deposits.create_deposit(user=customer, amount=10_000, provider="sandbox")
    assert (
        deposits.create_deposit(user=customer, amount=30_000, provider="sandbox").amount == 30_000
    )


def test_a_provider_the_shop_does_not_offer_is_refused(customer):
    for provider in ("midtrans", "wallet", "nope"):
        with pytest.raises(deposits.DepositRefused):
            deposits.create_deposit(user=customer, amount=50_000, provider=provider)


def test_the_top_up_page_needs_a_login(client):
    response = client.get(reverse("wallet:deposit_new"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_top_up_page_offers_amount_buttons_and_a_free_amount(customer):
    page = logged_in(customer).get(reverse("wallet:deposit_new")).content.decode()
    for label in ("Rp 20.000", "Rp 50.000", "Rp 100.000", "Rp 500.000"):
        assert label in page
    assert "Jumlah lain (Rp)" in page and "Dari Rp 10.000 sampai Rp 5.000.000." in page
    assert "Isi saldo" in page and "Saldo kamu" in page


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("lima puluh ribu", "Masukkan jumlah dalam rupiah, hanya angka."),
        ("50000abc", "Masukkan jumlah dalam rupiah, hanya angka."),
        ("٥٠٠٠٠", "Masukkan jumlah dalam rupiah, hanya angka."),  # not ASCII digits
        ("5000", "Pilih jumlah dari Rp 10.000 sampai Rp 5.000.000."),
        ("10.000.000", "Pilih jumlah dari Rp 10.000 sampai Rp 5.000.000."),
        ("", "Pilih jumlah atau ketik sendiri."),
    ],
)
def test_bad_amounts_are_answered_in_words_and_create_nothing(customer, typed, error):
    response = logged_in(customer).post(
        reverse("wallet:deposit_new"), {"amount": typed, "payment_method": "sandbox"}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Deposit.objects.exists()


def test_a_preset_that_is_not_offered_is_refused(customer):
    response = logged_in(customer).post(
        reverse("wallet:deposit_new"), {"preset": "7", "payment_method": "sandbox"}
    )
    assert response.status_code == 400
    assert not Deposit.objects.exists()


@pytest.mark.parametrize("typed", ["Rp 75.000", "75,000", "75000", "rp75 000"])
def test_a_typed_amount_is_read_as_people_write_it(customer, typed):
    response = logged_in(customer).post(
        reverse("wallet:deposit_new"),
        {"preset": "50000", "amount": typed, "payment_method": "sandbox"},
    )
    assert response.status_code == 302
    assert Deposit.objects.get().amount == 75_000  # the typed amount wins over a button


# --- the sandbox: the demo's provider ------------------------------------------------------------


def test_a_sandbox_deposit_credits_the_balance_once(customer):
    client = logged_in(customer)
    response = client.post(
        reverse("wallet:deposit_new"), {"preset": "50000", "payment_method": "sandbox"}
    )
    deposit = Deposit.objects.get()
    payment = deposit.payments.get()
    assert (deposit.status, deposit.amount, deposit.user) == (D.PENDING, 50_000, customer)
    assert payment.order is None and payment.amount == 50_000
    assert response["Location"] == reverse("payments:sandbox", args=[payment.reference])
    page = client.get(response["Location"]).content.decode()
    assert deposit.reference in page and "Rp 50.000" in page

    paid = client.post(response["Location"], {"action": "pay"})
    assert paid["Location"] == reverse("wallet:deposit", args=[deposit.reference])
    page = client.get(paid["Location"]).content.decode()
    assert "Selesai! Rp 50.000 sudah masuk ke saldo kamu." in page
    deposit.refresh_from_db()
    assert deposit.status == D.PAID and deposit.paid_at is not None
    assert selectors.balance_of(customer) == 50_000
    assert deposit_entries(customer) == [(50_000, f"deposit:{deposit.reference}")]

    # A second press (another tab) takes nothing: the attempt is closed.
    assert client.post(response["Location"], {"action": "pay"}).status_code == 409
    assert payments.confirm_paid(payment=payment) is False
    assert selectors.balance_of(customer) == 50_000
    assert_books_balance(customer)

    home = client.get(reverse("accounts:home")).content.decode()
    assert deposit.reference in home and "Rp 50.000" in home


def test_a_failed_sandbox_deposit_closes_and_credits_nothing(customer):
    client = logged_in(customer)
    response = client.post(
        reverse("wallet:deposit_new"), {"amount": "20000", "payment_method": "sandbox"}
    )
    page = client.get(client.post(response["Location"], {"action": "fail"})["Location"])
    assert "Isi saldo ini tidak dibayar dan sudah ditutup." in page.content.decode()
    assert Deposit.objects.get().status == D.FAILED
    assert Payment.objects.get().status == P.FAILED
    assert selectors.balance_of(customer) == 0


def test_reloading_the_pay_button_reuses_the_open_attempt(customer):
    client = logged_in(customer)
    client.post(reverse("wallet:deposit_new"), {"preset": "20000", "payment_method": "sandbox"})
    deposit = Deposit.objects.get()
    again = client.post(reverse("wallet:deposit_pay", args=[deposit.reference]))
    assert again["Location"] == deposit.payments.get().redirect_url
    assert deposit.payments.count() == 1


def test_nobody_else_sees_or_pays_a_customers_deposit(customer):
    deposit = deposits.create_deposit(user=customer, amount=20_000, provider="sandbox")
    other = logged_in(UserFactory())
    assert other.get(reverse("wallet:deposit", args=[deposit.reference])).status_code == 404
    assert other.post(reverse("wallet:deposit_pay", args=[deposit.reference])).status_code == 404


def test_a_payment_belongs_to_an_order_or_a_deposit_never_both_nor_neither(customer):
    deposit = deposits.create_deposit(user=customer, amount=20_000, provider="sandbox")
    order = OrderFactory()
    for owner, reference in (({"order": order, "deposit": deposit}, "both"), ({}, "neither")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.create(provider="sandbox", amount=20_000, reference=reference, **owner)


# --- Midtrans: the same webhook rules as orders ----------------------------------------------


@pytest.fixture
def midtrans(settings):
    settings.PAYMENT_PROVIDERS = ["midtrans", "sandbox"]
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.MIDTRANS_CLIENT_KEY = "SB-Mid-client-TEST-ONLY"
    settings.MIDTRANS_IS_PRODUCTION = False
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.post(
            SNAP,
            json={
                "token": "snap-deposit-1",
                "redirect_url": "https://app.sandbox.midtrans.com/snap/v4/redirection/snap-d-1",
            },
            status=201,
        )
        yield mocked


@pytest.fixture
def midtrans_deposit(customer, midtrans) -> Payment:
    client = logged_in(customer)
    response = client.post(
        reverse("wallet:deposit_new"), {"preset": "100000", "payment_method": "midtrans"}
    )
    payment = Payment.objects.get()
    assert response["Location"] == payment.redirect_url
    return payment


def test_a_midtrans_deposit_keeps_its_snap_token_and_reuses_it(
    customer, midtrans_deposit, midtrans
):
    deposit = midtrans_deposit.deposit
    assert midtrans_deposit.provider_token == "snap-deposit-1"
    assert midtrans_deposit.reference == f"{deposit.reference}-1"
    assert payments.start_deposit_payment(deposit=deposit) == midtrans_deposit
    assert len([c for c in midtrans.calls if c.request.url == SNAP]) == 1
    sent = json.loads(midtrans.calls[0].request.body)
    assert sent["transaction_details"] == {
        "order_id": midtrans_deposit.reference,
        "gross_amount": 100_000,
    }
    assert sent["callbacks"]["finish"].endswith(reverse("wallet:deposit", args=[deposit.reference]))


def test_a_settlement_sent_twice_credits_once(client, customer, midtrans_deposit, midtrans):
    status_api(midtrans, midtrans_deposit)
    payload = notification(midtrans_deposit)
    first, second = notify(client, payload), notify(client, payload)
    assert (first.status_code, first.json()) == (200, {"result": "paid"})
    assert (second.status_code, second.json()) == (200, {"result": "no-op"})
    assert selectors.balance_of(customer) == 100_000
    assert len(deposit_entries(customer)) == 1
    assert Deposit.objects.get().status == D.PAID
    assert_books_balance(customer)


def test_a_wrong_amount_is_rejected_logged_and_credits_nothing(
    client, customer, midtrans_deposit, midtrans, caplog
):
    status_api(midtrans, midtrans_deposit, amount=10_000)
    with caplog.at_level(logging.WARNING, logger="payments"):
        response = notify(client, notification(midtrans_deposit, amount=10_000))
    assert response.status_code == 400
    assert "amount" in caplog.text
    # Signed with the right amount, but Midtrans' own status says another: rejected too.
    response = notify(client, notification(midtrans_deposit))
    assert response.status_code == 400
    assert selectors.balance_of(customer) == 0
    assert Deposit.objects.get().status == D.PENDING
    assert Payment.objects.get().status == P.PENDING


def test_a_forged_notification_credits_nothing(client, customer, midtrans_deposit, midtrans):
    status_api(midtrans, midtrans_deposit)
    response = notify(client, notification(midtrans_deposit, key="not-the-server-key"))
    assert response.status_code == 403
    assert selectors.balance_of(customer) == 0


def test_a_notification_not_confirmed_by_the_status_api_credits_nothing(
    client, customer, midtrans_deposit, midtrans
):
    status_api(midtrans, midtrans_deposit, status="pending")
    assert notify(client, notification(midtrans_deposit)).json() == {"result": "pending"}
    assert selectors.balance_of(customer) == 0


def test_an_expired_midtrans_deposit_closes(client, customer, midtrans_deposit, midtrans):
    status_api(midtrans, midtrans_deposit, status="expire")
    assert notify(client, notification(midtrans_deposit, status="expire")).json() == {
        "result": "expired"
    }
    assert Deposit.objects.get().status == D.EXPIRED


def test_a_lost_notification_is_caught_by_the_pending_check(
    customer, midtrans_deposit, midtrans, settings
):
    settings.PAYMENT_STATUS_CHECK_AFTER = 0
    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    status_api(midtrans, midtrans_deposit)
    assert payments.check_pending_payments() == 1
    assert selectors.balance_of(customer) == 100_000
    assert Deposit.objects.get().status == D.PAID


def test_unpaid_deposits_expire_and_are_closed_at_the_provider(
    customer, midtrans_deposit, midtrans
):
    status_api(midtrans, midtrans_deposit, status="pending")
    expire = midtrans.post(
        f"{CORE}/{midtrans_deposit.reference}/expire", json={"status_code": "407"}
    )
    assert deposits.expire_deposits() == 0  # not due yet
    Deposit.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert deposits.expire_deposits() == 1
    assert Deposit.objects.get().status == D.EXPIRED
    assert Payment.objects.get().status == P.EXPIRED
    assert expire.call_count == 1


def test_a_deposit_paid_at_the_provider_before_expiry_is_credited_not_expired(
    customer, midtrans_deposit, midtrans
):
    status_api(midtrans, midtrans_deposit)
    Deposit.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert deposits.expire_deposits() == 0
    assert Deposit.objects.get().status == D.PAID
    assert selectors.balance_of(customer) == 100_000


def test_a_payment_after_the_deposit_expired_is_still_credited_never_refunded(
    client, customer, midtrans_deposit, midtrans, settings
):
    Deposit.objects.update(status=D.EXPIRED)
    Payment.objects.update(status=P.EXPIRED)
    status_api(midtrans, midtrans_deposit)
    assert notify(client, notification(midtrans_deposit)).json() == {"result": "paid"}
    assert Deposit.objects.get().status == D.PAID
    assert selectors.balance_of(customer) == 100_000
    # The refund sweeper leaves it alone: a deposit's money is the customer's balance now.
    settings.PAYMENT_REFUND_STUCK_AFTER = 0
    Payment.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    payments.sweep_refunds()
    assert Payment.objects.get().status == P.PAID
    assert_books_balance(customer)


# --- closing an account --------------------------------------------------------------------


def test_an_account_with_a_pending_top_up_cannot_be_deleted(customer):
    deposits.create_deposit(user=customer, amount=20_000, provider="sandbox")
    with (
        pytest.raises(deposits.WalletError, match="masih menunggu pembayaran"),
        transaction.atomic(),
    ):
        customer.delete()
    Deposit.objects.update(status=D.EXPIRED)
    customer.delete()
    assert Deposit.objects.get().user is None  # the record stays


def test_support_sees_deposits_read_only_in_admin(support_client, customer):
    deposit = deposits.create_deposit(user=customer, amount=20_000, provider="sandbox")
    listing = support_client.get(reverse("admin:wallet_deposit_changelist"))
    assert listing.status_code == 200 and deposit.reference in listing.content.decode()
    change = support_client.get(reverse("admin:wallet_deposit_change", args=[deposit.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert support_client.get(reverse("admin:wallet_deposit_add")).status_code == 403


def test_a_deposit_past_its_expiry_opens_no_new_attempt(customer):
    deposit = deposits.create_deposit(user=customer, amount=20_000, provider="sandbox")
    Deposit.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = logged_in(customer)
    page = client.get(reverse("wallet:deposit", args=[deposit.reference])).content.decode()
    assert "Waktu pembayaran isi saldo ini sudah habis." in page
    assert reverse("wallet:deposit_pay", args=[deposit.reference]) not in page
    response = client.post(reverse("wallet:deposit_pay", args=[deposit.reference]))
    assert response["Location"] == reverse("wallet:deposit", args=[deposit.reference])
    assert not Payment.objects.exists()


def test_the_top_up_pages_speak_english_too(customer, settings):
    client = logged_in(customer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("wallet:deposit_new")).content.decode()
    assert "Top up balance" in page and "Other amount (Rp)" in page
    assert "From Rp 10.000 to Rp 5.000.000." in page
    deposit = deposits.create_deposit(user=customer, amount=20_000, provider="sandbox")
    page = client.get(reverse("wallet:deposit", args=[deposit.reference])).content.decode()
    assert f"Top-up {deposit.reference}" in page and "Pay now" in page
