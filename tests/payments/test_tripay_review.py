"""Tripay after review: the fee Tripay itself charges the customer, the channels' minimum and
maximum fee, a balance payment after a Tripay channel, REFUND, the picker's totals, failover
and the status check's limits. Against the fake Tripay (tests/payments/conftest.py)."""

import pytest
from django.urls import reverse

from orders.models import Order
from payments import services as payments
from payments.models import Payment, TripayChannel
from payments.tripay.fake import _channel

from .test_tripay import deliver
from .test_tripay_fees import FORM, buy

S = Order.Status


@pytest.fixture
def channels(synced, tripay):
    assert payments.refresh_tripay_channels() == len(tripay.channels)


def charge_the_customer_at_tripay(tripay, code: str) -> None:
    """The merchant set the channel's fee "charged to the customer" in Tripay's dashboard."""
    tripay.channels = [
        _channel("Virtual Account", code, c["name"], "direct", 4250, 0, customer=True)
        if c["code"] == code
        else c
        for c in tripay.channels
    ]


# --- 2. Tripay's own fee on the customer -----------------------------------------------------


def test_a_channel_whose_fee_tripay_charges_the_customer_is_stored_and_not_offered(
    client, channels, tripay
):
    charge_the_customer_at_tripay(tripay, "BRIVA")
    payments.refresh_tripay_channels()
    briva = TripayChannel.objects.get(code="BRIVA")
    # Our fees follow the merchant's fee (none here); Tripay's own customer fee is kept apart.
    assert (briva.fee_flat, briva.tripay_customer_fee_flat) == (0, 4250)
    page = client.get(reverse("catalog:game", args=["mobile-legends"])).content.decode()
    assert 'value="tripay:BRIVA"' not in page and 'value="tripay:BNIVA"' in page
    response = client.post(
        reverse("orders:checkout", args=["mobile-legends"]),
        {**FORM, "payment_method": "tripay:BRIVA"},
    )
    assert response.status_code == 400 and not Order.objects.exists()


def test_a_payment_with_tripays_customer_fee_on_top_is_never_marked_paid(client, channels, tripay):
    """Switched at Tripay after our last refresh: the customer paid price + our fee + Tripay's
    fee, more than our pages showed. Neither the callback nor the status check accepts it."""
    order = buy(client, "tripay:BRIVA")
    client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get()
    sent = tripay.transactions[payment.provider_token]
    assert sent.amount == payment.amount == order.price + order.payment_fee
    sent.fee_customer = 4250  # set at Tripay after: it asks the customer for 4.250 more
    [callback] = tripay.pay(payment.provider_token)
    response = deliver(client, callback)
    assert response.status_code == 400
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert payments.ask_provider(payment=payment, actor="test") == "amount-mismatch"
    assert Payment.objects.get().status == Payment.Status.PENDING
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    # Flagged for support on the order, once however often Tripay repeats it.
    from orders.models import OrderEvent

    flagged = OrderEvent.objects.filter(order=order, message__contains="not accepted")
    assert flagged.count() == 1 and payment.reference in flagged.get().message


def test_a_transaction_tripay_would_charge_more_for_is_not_opened(client, channels, tripay):
    """Switched at Tripay after our last refresh: the new transaction's total is not ours, so
    the customer is never shown it; the order page offers the other gateways."""
    order = buy(client, "tripay:BRIVA")
    charge_the_customer_at_tripay(tripay, "BRIVA")  # the channel list is not refreshed yet
    response = client.post(reverse("orders:pay", args=[order.number]), follow=True)
    assert not Payment.objects.exists()
    page = response.content.decode()
    assert "Metode pembayaran ini sedang tidak tersedia" in page
    assert 'value="sandbox"' in page


# --- 3. Tripay's minimum and maximum fee -----------------------------------------------------

# Worked out by hand. QRIS-like: Rp 750 + 0,7%, at least Rp 1.000, at most Rp 1.500.
# OVO-like: 3%, at least Rp 1.000 (Tripay rounds an e-wallet fee under Rp 1.000 up to it).
# "shop": flat + percent of the price, clamped. "customer": the least F with
# F >= clamp(flat + percent of (price + F)), so Tripay's fee on the total is covered.
FEE_TABLE = [
    # channel, payer, price, fee
    ("QRIS", "shop", 10_000, 1_000),  # 750 + 70 = 820 -> the minimum
    ("QRIS", "shop", 35_715, 1_001),  # 750 + 250.005 -> 251 = 1.001
    ("QRIS", "shop", 50_000, 1_100),  # 750 + 350
    ("QRIS", "shop", 200_000, 1_500),  # 750 + 1.400 = 2.150 -> the maximum
    ("QRIS", "customer", 10_000, 1_000),  # on 11.000: 827 -> 1.000; on 10.999: 1.000 > 999
    ("QRIS", "customer", 50_000, 1_108),  # on 51.108: 750 + 358; on 51.107: 1.108 > 1.107
    ("QRIS", "customer", 200_000, 1_500),  # on 201.500: the maximum; on 201.499 too
    ("OVO", "shop", 20_000, 1_000),  # 600 -> the minimum
    ("OVO", "shop", 40_000, 1_200),
    ("OVO", "customer", 20_000, 1_000),  # on 21.000: 630 -> 1.000
    ("OVO", "customer", 40_000, 1_238),  # on 41.238: 1.237,14 -> 1.238; 1.237 is short
]


@pytest.fixture
def limited_channels(synced, tripay):
    tripay.channels = [
        _channel("QRIS", "QRIS", "QRIS", "direct", 750, 0.7, low=1_000, min_fee=1000, max_fee=1500),
        _channel("E-Wallet", "OVO", "OVO", "redirect", 0, 3.0, low=1_000, min_fee=1000),
    ]
    assert payments.refresh_tripay_channels() == 2


@pytest.mark.parametrize(("code", "payer", "price", "fee"), FEE_TABLE)
def test_the_fee_respects_tripays_minimum_and_maximum_fee(
    limited_channels, code, payer, price, fee
):
    from payments import fees

    TripayChannel.objects.filter(code=code).update(fee_paid_by=payer)
    channel = TripayChannel.objects.get(code=code)
    shop, customer = fees.shop_fee(channel, price), fees.customer_fee(channel, price)
    assert (shop, customer) == ((fee, 0) if payer == "shop" else (0, fee))


def test_the_picker_says_the_minimum_fee(client, limited_channels):
    page = client.get(reverse("catalog:game", args=["mobile-legends"])).content.decode()
    assert "Biaya Rp 750 + 0,7% (min. Rp 1.000)" in page and "Biaya 3% (min. Rp 1.000)" in page


@pytest.mark.parametrize("payer", ["shop", "customer"])
def test_the_order_fee_is_what_tripay_deducts(client, limited_channels, tripay, payer):
    TripayChannel.objects.filter(code="QRIS").update(fee_paid_by=payer)
    order = buy(client, "tripay:QRIS")
    client.post(reverse("orders:pay", args=[order.number]))
    sent = tripay.transactions[Payment.objects.get().provider_token]
    assert sent.amount == order.price + order.payment_fee
    received = sent.answer(tripay.url)["amount_received"]
    if payer == "shop":
        assert order.payment_gateway_fee == sent.fee_merchant and received == order.price - (
            order.payment_gateway_fee
        )
    else:
        assert order.payment_fee == sent.fee_merchant and received == order.price


# --- 4. Paid from the balance after a Tripay channel was chosen ---------------------------


@pytest.mark.parametrize("payer", ["shop", "customer"])
def test_paying_from_the_balance_drops_the_tripay_channels_fees(client, channels, payer):
    from tests.factories import UserFactory
    from tests.wallet.conftest import fund
    from wallet.selectors import balance_of

    TripayChannel.objects.filter(code="BRIVA").update(fee_paid_by=payer)
    customer = UserFactory(username="budi", email="budi@example.com")
    fund(customer, 100_000)
    client.force_login(customer)
    order = buy(client, "tripay:BRIVA")
    assert order.payment_fee + order.payment_gateway_fee == 4250
    client.post(reverse("orders:pay_balance", args=[order.number]))
    order.refresh_from_db()
    assert order.status == S.PAID and order.payment_provider == "wallet"
    assert (order.payment_method, order.payment_fee, order.payment_gateway_fee) == ("", 0, 0)
    assert balance_of(customer) == 100_000 - order.price  # what the receipt's total says


# --- 5. Tripay's REFUND ------------------------------------------------------------------------


def order_events(order) -> list[str]:
    from orders.models import OrderEvent

    return list(OrderEvent.objects.filter(order=order).values_list("message", flat=True))


def test_a_refund_callback_after_payment_is_recorded_and_noted_for_support(
    client, channels, tripay
):
    order = buy(client, "tripay:QRIS")
    client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get()
    [paid] = tripay.pay(payment.provider_token)
    assert deliver(client, paid).json()["result"] == "paid"
    [refund] = tripay.refund(payment.provider_token)
    assert deliver(client, refund).json()["result"] == "refunded"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert any("refunded (REFUND)" in message for message in order_events(order))
    assert deliver(client, refund).json()["result"] == "no-op"  # a repeat changes nothing
    assert sum("refunded (REFUND)" in m for m in order_events(order)) == 1


def test_cek_status_of_a_payment_tripay_refunded_does_not_say_no_payment_yet(
    client, channels, tripay
):
    tripay.callback_mode = "never"
    order = buy(client, "tripay:QRIS")
    client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get()
    tripay.pay(payment.provider_token)
    tripay.refund(payment.provider_token)  # paid, then refunded at Tripay; no callback came
    url = reverse("orders:check_payment", args=[order.number])
    page = client.post(url, follow=True).content.decode()
    assert "Belum ada pembayaran masuk" not in page
    assert "Pembayaran Anda dikembalikan oleh layanan pembayaran" in page
    assert Payment.objects.get().status == Payment.Status.REFUNDED
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert any("refunded (REFUND)" in message for message in order_events(order))


# --- 7. Failover only when offered, only to a method that takes the amount --------------------


def test_switching_method_needs_the_failover_offer_and_a_method_that_takes_the_total(
    client, channels
):
    from orders.views import FAILOVER_SESSION_KEY

    from .test_tripay import new_order

    order = new_order()  # Rp 5.xxx, placed with Tripay's default channel
    Order.objects.filter(pk=order.pk).update(payment_provider="sandbox", payment_method="")
    url = reverse("orders:switch_method", args=[order.number])
    client.post(url, {"payment_method": "tripay:QRIS"})  # no failure was offered here
    order.refresh_from_db()
    assert (order.payment_provider, order.payment_method) == ("sandbox", "")
    session = client.session
    session[FAILOVER_SESSION_KEY] = order.number
    session.save()
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert 'value="tripay:QRIS"' in page and 'value="tripay:BRIVA"' not in page
    client.post(url, {"payment_method": "tripay:BRIVA"})  # BRIVA takes Rp 10.000 and more
    order.refresh_from_db()
    assert (order.payment_provider, order.payment_method) == ("sandbox", "")
    assert not Payment.objects.exists()
    client.post(url, {"payment_method": "tripay:QRIS"})
    order.refresh_from_db()
    assert (order.payment_provider, order.payment_method) == ("tripay", "QRIS")
    assert Payment.objects.get().amount == order.price + order.payment_fee


# --- 8. "Cek status pembayaran" is limited per IP too ------------------------------------------


def test_cek_status_pembayaran_is_limited_per_ip_across_orders(synced, tripay, settings):
    from django.test import Client

    from .test_tripay import new_order

    settings.RATELIMIT_PAYMENT_CHECK, settings.RATELIMIT_PAYMENT_CHECK_IP = "5/m", "2/m"
    orders = [new_order() for _ in range(3)]
    for order in orders:
        payments.start_payment(order=order)
    visitor = Client(REMOTE_ADDR="10.0.0.7")
    for order in orders[:2]:
        visitor.post(reverse("orders:check_payment", args=[order.number]))
    asked = tripay.calls.count("GET transaction/detail")
    url = reverse("orders:check_payment", args=[orders[2].number])
    page = visitor.post(url, follow=True).content.decode()
    assert "Pembayaran baru saja dicek" in page
    assert tripay.calls.count("GET transaction/detail") == asked == 2
    Client(REMOTE_ADDR="10.0.0.8").post(url)  # another visitor, the same order: asked
    assert tripay.calls.count("GET transaction/detail") == 3


# --- 9. The demo's SITE_URL follows its web address ------------------------------------------


def test_the_demos_site_url_follows_its_address_unless_set(settings, monkeypatch):
    from storefront.management.commands import run_demo

    monkeypatch.delenv("SITE_URL", raising=False)
    settings.DEBUG = True
    assert run_demo.demo_environment("127.0.0.1:8761")["SITE_URL"] == "http://127.0.0.1:8761"
    assert run_demo.demo_environment("0.0.0.0:8762")["SITE_URL"] == "http://127.0.0.1:8762"
    assert run_demo.demo_environment("8763")["SITE_URL"] == "http://127.0.0.1:8763"
    monkeypatch.setenv("SITE_URL", "")  # .env's "SITE_URL=" is unset too
    assert run_demo.demo_environment("8764")["SITE_URL"] == "http://127.0.0.1:8764"
    monkeypatch.setenv("SITE_URL", "https://shop.example")  # the operator's choice stands
    assert run_demo.demo_environment("8765")["SITE_URL"] == "https://shop.example"


# --- Cached game pages follow the channels ------------------------------------------------


def test_a_cached_game_page_shows_tripays_new_fee_after_the_refresh(
    client, channels, tripay, django_capture_on_commit_callbacks
):
    from catalog.cache import catalog_version

    url = reverse("catalog:game", args=["mobile-legends"])
    assert "Biaya Rp 4.250" in client.get(url).content.decode()  # cached now
    version = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        payments.refresh_tripay_channels()  # nothing changed: the cached pages stay
    assert catalog_version() == version
    tripay.channels = [
        {**c, "fee_merchant": {"flat": 4500, "percent": 0}} if c["code"] == "BRIVA" else c
        for c in tripay.channels
    ]
    with django_capture_on_commit_callbacks(execute=True):
        payments.refresh_tripay_channels()
    assert "Biaya Rp 4.500" in client.get(url).content.decode()
