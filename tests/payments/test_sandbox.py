"""The sandbox payment provider: unguessable attempts, and TEST MODE on every page it is on.

Issue 12 item 1: with only an order number, anyone could pay (for free), fail or expire
another customer's attempt at /payments/sandbox/<number>-1/. The refusal to start in
production with the sandbox offered is in tests/deploy/test_settings.py.
"""

import pytest
from django.urls import reverse

from catalog.models import Variant
from orders import services
from orders.models import Order
from payments import services as payments
from payments.models import Payment

S = Order.Status
BANNER = "TEST MODE — bukan pembayaran sungguhan"  # shop pages speak Indonesian first
ADMIN_BANNER = "MODE UJI — tidak ada pembayaran sungguhan"  # the back office speaks Indonesian


@pytest.fixture
def order(synced) -> Order:
    variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
    return services.create_order(
        variant=variant,
        account={"user_id": "123456789", "zone_id": "2345"},
        contact_email="buyer@example.com",
        payment_provider="sandbox",
    )


def test_sandbox_attempt_references_cannot_be_guessed(order):
    first = payments.start_payment(order=order)
    payments.close_payment(payment=first, status=Payment.Status.FAILED)
    second = payments.start_payment(order=order)
    for payment, n in ((first, 1), (second, 2)):
        secret = payment.reference.removeprefix(f"{order.number}-{n}-")
        assert secret != payment.reference and len(secret) >= 32
    assert first.reference.rsplit("-", 1)[-1] != second.reference.rsplit("-", 1)[-1]


@pytest.mark.parametrize("action", ["pay", "fail", "expire"])
def test_a_guessed_sandbox_page_does_nothing(client, order, action):
    real = payments.start_payment(order=order)
    for guess in (f"{order.number}-1", f"{order.number}-2", f"{order.number}-1-x"):
        response = client.post(reverse("payments:sandbox", args=[guess]), {"action": action})
        assert response.status_code == 404, guess
    assert Order.objects.get(pk=order.pk).status == S.AWAITING_PAYMENT
    assert Payment.objects.get(pk=real.pk).status == Payment.Status.PENDING
    # The attempt's own page, reached from the order's Pay button, still works.
    client.post(reverse("payments:sandbox", args=[real.reference]), {"action": action})
    assert Order.objects.get(pk=order.pk).status != S.AWAITING_PAYMENT


def test_a_closed_sandbox_attempt_takes_no_money_from_a_tab_left_open(client, order):
    payment = payments.start_payment(order=order)
    services.change_order(order_id=order.pk)  # "Ubah pesanan": the order and attempt close
    url = reverse("payments:sandbox", args=[payment.reference])
    response = client.post(url, {"action": "pay"})
    assert response.status_code == 409
    assert 'value="pay"' not in response.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.EXPIRED
    assert Order.objects.get(pk=order.pk).status == S.EXPIRED


def test_every_page_says_test_mode_while_the_sandbox_is_offered(
    client, order, settings, admin_user
):
    settings.PAYMENT_TEST_MODE = True
    payment = payments.start_payment(order=order)
    urls = [
        "/",
        reverse("catalog:game", args=["mobile-legends"]),
        reverse("orders:detail", args=[order.number]),
        reverse("orders:lookup"),
        reverse("payments:sandbox", args=[payment.reference]),
        "/no-such-page/",
    ]
    for url in urls:
        for _ in range(2):  # the second answer comes from the whole-page cache
            assert BANNER in client.get(url).content.decode(), url
    client.force_login(admin_user)
    assert ADMIN_BANNER in client.get(reverse("admin:index")).content.decode()


def test_no_banner_with_real_payments_only(client, synced, settings):
    settings.PAYMENT_TEST_MODE = False
    for url in ("/", reverse("catalog:game", args=["mobile-legends"]), reverse("orders:lookup")):
        assert "TEST MODE" not in client.get(url).content.decode(), url
