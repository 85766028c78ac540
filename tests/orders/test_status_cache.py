"""The order status fragment's cache follows every transition, even one racing a poll."""

from django.core.cache import caches
from django.urls import reverse

from orders import services
from orders.cache import order_version
from orders.models import Order

from ..backoffice.factories import OrderFactory

S = Order.Status


def test_a_render_that_raced_the_commit_is_never_served(
    client, db, django_capture_on_commit_callbacks
):
    order = OrderFactory(status=S.AWAITING_PAYMENT)
    url = reverse("orders:status", args=[order.number])
    assert "Menunggu pembayaran" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.expire_order(order_id=order.pk)
        # Another process polling now sees the new version but not yet the new rows: it
        # caches the page as it was under that version.
        raced = order_version(order.number)
        caches["pages"].set(f"order-status:{order.number}:{raced}:id", "awaiting payment")
    for callback in callbacks:  # the commit
        callback()
    assert order_version(order.number) != raced
    page = client.get(url).content.decode()
    assert "awaiting payment" not in page and "Kedaluwarsa" in page
