"""The back office: wallets and ledgers read-only for both roles, "Adjust balance" for the Shop
manager only (Support gets 403), the dashboard's total and ledger check, and no deleting a
user who still has a balance."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from wallet import selectors
from wallet.models import LedgerEntry, Wallet

from ..backoffice.roles import logged_in
from ..factories import UserFactory
from .conftest import fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet(customer) -> Wallet:
    fund(customer, 20_000)
    return customer.wallet


def adjust_url(wallet):
    return reverse("admin:wallet_wallet_adjust", args=[wallet.pk])


@pytest.mark.parametrize("who", ["manager_client", "support_client"])
def test_both_roles_see_wallets_and_their_ledger_read_only(who, request, wallet):
    client = request.getfixturevalue(who)
    listing = client.get(reverse("admin:wallet_wallet_changelist")).content.decode()
    assert "budi" in listing and "Rp 20.000" in listing
    page = client.get(reverse("admin:wallet_wallet_change", args=[wallet.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "payment:SEED:deposit" in text
    assert 'name="_save"' not in text  # nothing to change
    entry = LedgerEntry.objects.get()
    assert (
        client.get(reverse("admin:wallet_ledgerentry_change", args=[entry.pk])).status_code == 200
    )
    assert (
        client.post(reverse("admin:wallet_ledgerentry_delete", args=[entry.pk])).status_code == 403
    )
    assert client.get(reverse("admin:wallet_ledgerentry_add")).status_code == 403
    assert LedgerEntry.objects.count() == 1


def test_support_cannot_adjust_a_balance(support_client, wallet):
    assert support_client.get(adjust_url(wallet)).status_code == 403
    response = support_client.post(
        adjust_url(wallet), {"amount": "1000000", "reason": "friend", "token": "0" * 32}
    )
    assert response.status_code == 403
    assert selectors.balance_of(wallet.user) == 20_000 and LedgerEntry.objects.count() == 1
    page = support_client.get(reverse("admin:wallet_wallet_change", args=[wallet.pk]))
    assert adjust_url(wallet) not in page.content.decode()  # no button that leads to a 403


def test_the_shop_manager_adjusts_with_a_reason_kept_in_the_ledger(manager_client, wallet):
    form = manager_client.get(adjust_url(wallet))
    assert form.status_code == 200 and "Rp 20.000" in form.content.decode()
    token = form.context["form"]["token"].value()
    data = {"amount": "-15000", "reason": "Payout to BCA 1234, ticket 88", "token": str(token)}
    response = manager_client.post(adjust_url(wallet), data)
    assert response.status_code == 302
    again = manager_client.post(adjust_url(wallet), data)  # the same form sent twice
    assert again.status_code == 302
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.ADJUSTMENT)
    assert (entry.amount, entry.balance_after) == (-15_000, 5_000)
    assert (entry.note, entry.actor) == ("Payout to BCA 1234, ticket 88", "admin:manager")
    assert selectors.balance_of(wallet.user) == 5_000
    history = manager_client.get(reverse("admin:wallet_wallet_change", args=[wallet.pk]))
    assert "Payout to BCA 1234" in history.content.decode()
    assert adjust_url(wallet) in history.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": "5000", "reason": ""}, "reason"),
        ({"amount": "5000", "reason": "   "}, "reason"),
        ({"amount": "0", "reason": "x"}, "amount"),
        ({"amount": "-20001", "reason": "payout"}, "amount"),
    ],
)
def test_an_adjustment_without_a_reason_or_below_zero_is_refused(
    manager_client, wallet, data, error
):
    response = manager_client.post(adjust_url(wallet), {**data, "token": "1" * 32})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [error]
    assert selectors.balance_of(wallet.user) == 20_000 and LedgerEntry.objects.count() == 1


def test_the_dashboard_shows_customer_balances_and_the_ledger_check(manager_client, wallet):
    fund(UserFactory(username="sari"), 5_000, cause="payment:S:deposit")
    url = reverse("backoffice:dashboard")
    text = manager_client.get(url).content.decode()
    assert "Saldo pelanggan" in text and "Rp 25.000" in text and "Cek buku besar: OK" in text
    Wallet.objects.filter(pk=wallet.pk).update(balance=21_000)  # changed behind the ledger
    text = manager_client.get(url).content.decode()
    assert "Cek buku besar: 1 dompet berbeda" in text and "Cek buku besar: OK" not in text


@pytest.fixture
def admin_client_(db):
    return logged_in(UserFactory(username="owner", superuser=True))


def test_deleting_a_user_with_a_balance_in_admin_is_refused_with_how_to_withdraw(
    admin_client_, wallet
):
    url = reverse("admin:auth_user_delete", args=[wallet.user.pk])
    for response in (admin_client_.get(url), admin_client_.post(url, {"post": "yes"})):
        assert response.status_code == 302
        assert response.url == reverse("admin:auth_user_change", args=[wallet.user.pk])
        said = list(get_messages(response.wsgi_request))
        assert said and all(message.level_tag == "error" for message in said)
        assert "Rp 20.000" in str(said[-1]) and "Tarik saldonya dulu" in str(said[-1])
    assert type(wallet.user).objects.filter(pk=wallet.user.pk).exists()
    assert selectors.balance_of(wallet.user) == 20_000


def test_the_bulk_delete_action_is_refused_too_and_says_so(admin_client_, wallet):
    other = UserFactory(username="empty")
    response = admin_client_.post(
        reverse("admin:auth_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [wallet.user.pk, other.pk],
            "post": "yes",
        },
        follow=True,
    )
    said = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert [level for level, _ in said] == ["error"]  # no "successfully deleted" beside it
    assert "Tarik saldonya dulu" in said[0][1]
    assert type(other).objects.filter(pk__in=[wallet.user.pk, other.pk]).count() == 2


def test_a_user_without_a_balance_can_still_be_deleted_in_admin(admin_client_, customer):
    response = admin_client_.post(
        reverse("admin:auth_user_delete", args=[customer.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not type(customer).objects.filter(pk=customer.pk).exists()
