"""My account: history (paginated, filtered, linked), saved game accounts, profile, reorder."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, SavedGameAccount
from catalog.models import Variant
from orders import services as order_services
from orders.models import Order
from tests.factories import OrderFactory, VariantFactory

pytestmark = pytest.mark.django_db
S = Order.Status


def test_the_account_page_needs_a_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_history_shows_only_ones_own_orders_20_a_page_each_linked(customer_client, customer):
    variant = VariantFactory()
    mine = OrderFactory.create_batch(25, customer=customer, variant=variant)
    theirs = OrderFactory(variant=variant)
    response = customer_client.get(reverse("accounts:home"))
    page = response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    numbers = re.findall(r'href="/orders/(GR-\w+)/"', page)
    assert len(numbers) == 20 and theirs.number not in page
    assert "1 / 2" in page
    second = customer_client.get(reverse("accounts:home") + "?page=2").content.decode()
    assert len(re.findall(r'href="/orders/(GR-\w+)/"', second)) == 5
    assert {*numbers, *re.findall(r'href="/orders/(GR-\w+)/"', second)} == {o.number for o in mine}


def test_history_filters_by_status(customer_client, customer):
    done = OrderFactory(customer=customer, sold=True)
    waiting = OrderFactory(customer=customer)
    page = customer_client.get(reverse("accounts:home") + "?status=success").content.decode()
    assert done.number in page and waiting.number not in page
    page = customer_client.get(reverse("accounts:home") + "?status=bogus").content.decode()
    assert done.number in page and waiting.number in page


def bulk_orders(customer, variant, count: int) -> None:
    Order.objects.bulk_create(
        [
            Order(
                variant=variant,
                customer=customer,
                product_code="g",
                product_name="Game",
                variant_code=variant.code,
                variant_name=variant.name,
                price=1000,
                cost=900,
                account={"user_id": str(10_000_000 + i)},
                data="x",
            )
            for i in range(count)
        ]
    )


def test_the_account_page_costs_the_same_queries_with_10_and_1000_orders(
    customer_client, customer, count_queries
):
    variant = VariantFactory()
    for i in range(3):
        SavedGameAccount.objects.create(
            user=customer, product=variant.product, account={"user_id": str(i)}, account_key=str(i)
        )
    url = reverse("accounts:home")
    customer_client.get(url)  # the profile exists from here on
    bulk_orders(customer, variant, 10)
    with_10 = count_queries(customer_client, url, ceiling=10)
    bulk_orders(customer, variant, 990)
    assert Order.objects.filter(customer=customer).count() == 1000
    assert count_queries(customer_client, url, ceiling=10) == with_10


def test_a_saved_account_can_be_relabelled_and_deleted_only_by_its_owner(
    customer_client, customer, make_customer
):
    variant = VariantFactory()
    saved = SavedGameAccount.objects.create(
        user=customer, product=variant.product, account={"user_id": "777"}, account_key="a"
    )
    url = reverse("accounts:rename_saved", args=[saved.pk])
    assert customer_client.post(url, {"label": "Akun adik"}).status_code == 302
    saved.refresh_from_db()
    assert saved.label == "Akun adik"
    assert "Akun adik" in customer_client.get(reverse("accounts:home")).content.decode()
    intruder = Client()
    intruder.force_login(make_customer("lain@example.com"))
    assert intruder.post(url, {"label": "x"}).status_code == 404
    assert intruder.post(reverse("accounts:delete_saved", args=[saved.pk])).status_code == 404
    assert (
        customer_client.post(reverse("accounts:delete_saved", args=[saved.pk])).status_code == 302
    )
    assert not SavedGameAccount.objects.exists()


def test_the_profile_saves_whatsapp_and_language(customer_client, customer):
    response = customer_client.post(
        reverse("accounts:profile"), {"whatsapp": "0812-3456-7890", "language": "en"}
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=customer)
    assert (profile.whatsapp, profile.language) == ("+6281234567890", "en")
    assert "My account" in customer_client.get(reverse("accounts:home")).content.decode()
    customer_client.post(reverse("accounts:profile"), {"whatsapp": "12", "language": "id"})
    assert Profile.objects.get(user=customer).whatsapp == "+6281234567890"  # refused


def test_a_logged_in_order_is_the_customers_and_success_saves_its_account(
    customer_client, customer, synced, django_capture_on_commit_callbacks
):
    form = {
        "variant": "MLBB_ID_85",
        "account_user_id": "123456789",
        "account_zone_id": "2345",
        "email": customer.email,
        "payment_method": "sandbox",
    }
    customer_client.post(reverse("orders:checkout", args=["mobile-legends"]), form)
    order = Order.objects.get()
    assert order.customer == customer
    Order.objects.filter(pk=order.pk).update(status=S.NEEDS_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.resolve_review(order_id=order.pk, success=True, note="ok", actor="t")
    saved = SavedGameAccount.objects.get()
    assert saved.account == {"user_id": "123456789", "zone_id": "2345"}
    assert (saved.user, saved.times_bought, saved.last_variant_code) == (customer, 1, "MLBB_ID_85")
    # A second success for the same account counts; a guest's order saves nothing.
    again = OrderFactory(
        customer=customer, variant=order.variant, account=order.account, status=S.NEEDS_REVIEW
    )
    guest = OrderFactory(variant=order.variant, account={"user_id": "1"}, status=S.NEEDS_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.resolve_review(order_id=again.pk, success=True, note="ok", actor="t")
        order_services.resolve_review(order_id=guest.pk, success=True, note="ok", actor="t")
    assert SavedGameAccount.objects.get().times_bought == 2
    assert SavedGameAccount.objects.count() == 1


def test_reorder_from_history_and_saved_opens_the_game_page_filled(
    customer_client, customer, synced
):
    variant = Variant.objects.get(code="MLBB_ID_85")
    OrderFactory(
        customer=customer, variant=variant, account={"user_id": "55544433", "zone_id": "1234"}
    )
    SavedGameAccount.objects.create(
        user=customer,
        product=variant.product,
        account={"user_id": "99988877", "zone_id": "4321"},
        account_key="k",
        last_variant_code="MLBB_ID_85",
    )
    page = customer_client.get(reverse("accounts:home")).content.decode()
    links = [u.replace("&amp;", "&") for u in re.findall(r'class="reorder" href="([^"]+)"', page)]
    assert len(links) == 2
    for link, user_id in zip(links, ("99988877", "55544433"), strict=True):
        game = customer_client.get(link)
        html = game.content.decode()
        assert game.status_code == 200 and "private" in game["Cache-Control"]
        assert f'name="account_user_id" value="{user_id}"' in html
        assert 'value="MLBB_ID_85" checked' in html
        assert f'name="email" value="{customer.email}"' in html
    # Nobody else ever gets that page from the cache.
    plain = Client().get(reverse("catalog:game", args=["mobile-legends"])).content.decode()
    assert "99988877" not in plain and "55544433" not in plain


def test_a_success_seen_by_polling_saves_the_game_account(
    customer, synced, isipay_client, sandbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from payments import services as payments

    variant = Variant.objects.get(code="MLBB_ID_5")
    order = order_services.create_order(
        variant=variant,
        account={"user_id": "123456789", "zone_id": "2345"},
        contact_email=customer.email,
        customer=customer,
    )
    with django_capture_on_commit_callbacks():
        payments.confirm_paid(payment=payments.start_payment(order=order))
    assert order_services.submit_order(order_id=order.pk, client=isipay_client) == "submitted"
    sandbox.order(order.reference_number).created_at -= 10
    Order.objects.filter(pk=order.pk).update(next_poll_at=timezone.now())
    assert not SavedGameAccount.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert order_services.poll_due(client=isipay_client) == 1
    saved = SavedGameAccount.objects.get()
    assert (saved.user, saved.product, saved.times_bought) == (customer, variant.product, 1)
