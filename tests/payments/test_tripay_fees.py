"""Tripay's channels and fees: the picker grouped as customers know them, the total shown =
the amount sent to Tripay = the order's price + the fee, and the fee the shop bears counted
against profit. Against the fake Tripay (tests/payments/conftest.py)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.selectors import Sales
from catalog.models import Variant
from orders.models import Order
from payments import fees
from payments import services as payments
from payments.models import Payment, TripayChannel
from storefront.templatetags.money import rupiah

from .test_tripay import deliver

FORM = {
    "variant": "MLBB_ID_59",  # Rp 14.590 at the supplier: above every channel's minimum
    "account_user_id": "123456789",
    "account_zone_id": "2345",
    "email": "buyer@example.com",
}


@pytest.fixture
def channels(synced, tripay):
    assert payments.refresh_tripay_channels() == len(tripay.channels)


def price() -> int:
    return Variant.objects.get(code=FORM["variant"]).sell_price


def buy(client, method: str) -> Order:
    response = client.post(
        reverse("orders:checkout", args=["mobile-legends"]), {**FORM, "payment_method": method}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Order.objects.latest("created_at")


def test_the_channel_list_is_copied_and_the_shops_choices_are_kept(channels, tripay):
    qris = TripayChannel.objects.get(code="QRIS")
    assert (qris.group, qris.fee_flat, qris.fee_percent, qris.direct) == (
        "QRIS",
        750,
        Decimal("0.70"),
        True,
    )
    assert TripayChannel.objects.get(code="ALFAMART").get_group_display() == "Minimarket"
    TripayChannel.objects.filter(code="QRIS").update(fee_paid_by="shop", active=False)
    tripay.channels = [c for c in tripay.channels if c["code"] != "BCAVA"]
    payments.refresh_tripay_channels()
    qris.refresh_from_db()
    assert (qris.fee_paid_by, qris.active) == ("shop", False)  # the shop's settings stay
    assert not TripayChannel.objects.get(code="BCAVA").offered_by_tripay
    tripay.inject("merchant/payment-channel", "http500")
    assert payments.refresh_tripay_channels() == 0  # Tripay down: nothing changes
    assert TripayChannel.objects.filter(offered_by_tripay=True).count() == len(tripay.channels)


def test_the_picker_groups_methods_as_customers_know_them_with_each_fee(client, channels):
    page = client.get(reverse("catalog:game", args=["mobile-legends"])).content.decode()
    groups = re.findall(r'<p class="method-group-name">([^<]+)</p>', page)
    assert groups == ["QRIS", "E-Wallet", "Virtual Account", "Minimarket", "Lainnya"]
    assert 'value="tripay:QRIS"' in page and 'value="sandbox"' in page
    assert "Biaya Rp 750 + 0,7%" in page and "Biaya Rp 4.250" in page
    assert f'data-price="{price()}"' in page  # each total is worked out from the item's price


@pytest.mark.parametrize(
    ("code", "flat", "percent"),
    [("QRIS", 750, "0.7"), ("BRIVA", 4250, "0"), ("OVO", 0, "3")],
)
def test_total_shown_is_the_amount_sent_to_tripay_is_price_plus_fee(
    client, channels, tripay, code, flat, percent
):
    order = buy(client, f"tripay:{code}")
    fee = fees.customer_fee(code, order.price)
    by_hand = flat + -int(-(order.price * Decimal(percent)) // 100)  # on the price alone
    assert fee >= by_hand > 0
    # Tripay's own fee on the total is covered: the shop receives the whole price.
    assert fees.gateway_fee(code, order.price + fee) <= fee
    assert (order.payment_method, order.payment_fee, order.payment_gateway_fee) == (code, fee, 0)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert f'<dd class="total">{rupiah(order.price + fee)}</dd>' in page
    assert f'<dd class="fee">{rupiah(fee)}</dd>' in page
    client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get(order=order)
    sent = tripay.transactions[payment.provider_token]
    assert sent.amount == payment.amount == order.price + fee
    [callback] = tripay.pay(payment.provider_token)
    assert deliver(client, callback).json()["result"] == "paid"  # the amount checks out


def test_a_fee_the_shop_bears_is_not_added_and_counts_against_profit(client, channels, tripay):
    TripayChannel.objects.filter(code="BRIVA").update(fee_paid_by="shop")
    order = buy(client, "tripay:BRIVA")
    assert (order.payment_fee, order.payment_gateway_fee) == (0, 4250)
    client.post(reverse("orders:pay", args=[order.number]))
    assert tripay.transactions[Payment.objects.get().provider_token].amount == order.price
    sales = Sales(orders=1, revenue=order.price, cost=order.cost, fees=order.payment_gateway_fee)
    assert sales.profit == order.price - order.cost - 4250


def test_a_method_that_does_not_take_the_amount_is_refused_at_checkout(client, channels):
    response = client.post(
        reverse("orders:checkout", args=["mobile-legends"]),
        {**FORM, "variant": "MLBB_ID_5", "payment_method": "tripay:BRIVA"},  # under Rp 10.000
    )
    assert response.status_code == 400
    assert "Metode pembayaran ini tidak menerima jumlah ini" in response.content.decode()
    assert not Order.objects.exists()


def test_percent_fee_is_rounded_up_to_whole_rupiah(db):
    channel = TripayChannel(code="X", fee_flat=0, fee_percent=Decimal("0.70"), fee_paid_by="shop")
    assert fees.shop_fee(channel, 1000) == 7
    assert fees.shop_fee(channel, 1001) == 8  # 7.007 → 8
    channel.fee_paid_by = "customer"
    assert fees.shop_fee(channel, 1001) == 0
    assert fees.customer_fee(channel, 1001) == 8
    assert fees.customer_fee("NO-SUCH-CHANNEL", 1001) == 0


def test_qris_is_shown_on_our_own_order_page_and_it_turns_paid(client, channels, tripay):
    order = buy(client, "tripay:QRIS")
    live = reverse("orders:status", args=[order.number])  # the part the page polls
    assert "<svg" not in client.get(live).content.decode()  # cached now, before paying
    response = client.post(reverse("orders:pay", args=[order.number]))
    assert "<svg" in client.get(live).content.decode()
    assert response["Location"] == reverse("orders:detail", args=[order.number]) + "#pay"
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    payment = Payment.objects.get()
    assert '<div id="pay"' in page and "<svg" in page
    assert f"Bayar {rupiah(payment.amount)}" in page
    [callback] = tripay.pay(payment.provider_token)
    deliver(client, callback)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "<svg" not in page and Order.objects.get().status == Order.Status.PAID
    assert "<svg" not in client.get(live).content.decode()


def test_a_virtual_account_shows_its_number(client, channels, tripay):
    order = buy(client, "tripay:BRIVA")
    client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get()
    assert payment.pay_code == tripay.transactions[payment.provider_token].pay_code
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert f"<b>{payment.pay_code}</b>" in page


def test_the_sales_report_counts_the_fee_the_shop_bore(client, channels):
    from django.utils import timezone

    from backoffice.selectors import sales_summary

    TripayChannel.objects.filter(code="BRIVA").update(fee_paid_by="shop")
    order = buy(client, "tripay:BRIVA")
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.SUCCESS, completed_at=timezone.now()
    )
    today = sales_summary(today=timezone.localdate())["today"]
    assert (today.revenue, today.fees) == (order.price, 4250)
    assert today.profit == order.price - order.cost - 4250


def test_a_method_is_checked_against_the_price_the_customer_pays_not_the_list_price(
    client, channels
):
    from django.utils import timezone

    from promotions.models import FlashSale, FlashSaleItem

    TripayChannel.objects.filter(code="BRIVA").update(fee_paid_by="shop")  # total = price
    now = timezone.now()
    sale = FlashSale.objects.create(
        name="Kilat",
        starts_at=now - timezone.timedelta(hours=1),
        ends_at=now + timezone.timedelta(hours=1),
        subsidised=True,
    )
    FlashSaleItem.objects.create(
        sale=sale, variant=Variant.objects.get(code=FORM["variant"]), sale_price=9_000
    )
    response = client.post(
        reverse("orders:checkout", args=["mobile-legends"]),
        {**FORM, "payment_method": "tripay:BRIVA", "shown_MLBB_ID_59": "9000"},
    )  # Rp 9.000 on sale: under BRIVA's Rp 10.000
    assert response.status_code == 400
    assert "Metode pembayaran ini tidak menerima jumlah ini" in response.content.decode()
    assert not Order.objects.exists()


def test_a_code_that_takes_the_total_below_the_methods_minimum_is_refused(client, channels):
    from django.utils import timezone, translation

    from promotions import services as promotions
    from promotions.models import PromoCode

    TripayChannel.objects.filter(code="BRIVA").update(fee_paid_by="shop")
    order = buy(client, "tripay:BRIVA")
    PromoCode.objects.create(
        code="BESAR",
        kind=PromoCode.Kind.FIXED,
        value=order.price - 9_000,
        subsidised=True,
        valid_to=timezone.now() + timezone.timedelta(days=1),
    )
    with translation.override("id"), pytest.raises(promotions.PromoRefused) as refused:
        promotions.apply_promo(order_id=order.pk, code="BESAR")
    assert "di luar jumlah yang diterima metode pembayaran ini" in str(refused.value)
    order.refresh_from_db()
    assert not order.promo_code and PromoCode.objects.get().used == 0
