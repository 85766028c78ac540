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
    charge_the_customer_at_tripay(tripay, "BRIVA")  # the channel list is not refreshed yet
    client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get()
    sent = tripay.transactions[payment.provider_token]
    assert sent.amount == payment.amount == order.price + order.payment_fee
    assert sent.fee_customer == 4250  # Tripay asks the customer for 4.250 more
    [callback] = tripay.pay(payment.provider_token)
    response = deliver(client, callback)
    assert response.status_code == 400
    assert Order.objects.get().status == S.AWAITING_PAYMENT
    assert payments.ask_provider(payment=payment, actor="test") == "amount-mismatch"
    assert Payment.objects.get().status == Payment.Status.PENDING
    assert Order.objects.get().status == S.AWAITING_PAYMENT
