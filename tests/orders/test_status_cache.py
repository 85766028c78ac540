"""The order status fragment's cache follows every transition, even one racing a poll."""

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from orders import services
from orders.cache import order_version, version_key
from orders.models import Order
from storefront.pagecache import page_key

from ..factories import OrderFactory

S = Order.Status


@pytest.mark.django_db(transaction=True)
def test_a_transition_committed_by_the_worker_shows_on_the_next_poll(client):
    """Autocommit, as in the worker: the version moves once the transition has committed."""
    order = OrderFactory(status=S.AWAITING_PAYMENT)
    url = reverse("orders:status", args=[order.number])
    assert "Menunggu pembayaran" in client.get(url).content.decode()
    assert services.expire_order(order_id=order.pk)
    assert "Kedaluwarsa" in client.get(url).content.decode()


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
        stale = page_key(("order-status", order.number, raced), "id")
        caches["pages"].set(stale, b"awaiting payment")
    for callback in callbacks:  # the commit
        callback()
    assert order_version(order.number) != raced
    page = client.get(url).content.decode()
    assert "awaiting payment" not in page and "Kedaluwarsa" in page


def test_a_transition_of_an_order_nobody_watches_writes_nothing(
    db, django_capture_on_commit_callbacks
):
    order = OrderFactory(status=S.AWAITING_PAYMENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_order(order_id=order.pk)
    assert not cache.has_key(version_key(order.number))


HTMX = {"HX-Request": "true"}


def test_htmx_polling_stops_with_286_once_the_order_is_final(client, db):
    """A final order's fragment answers 286, HTMX's "stop polling", also from the cache."""
    pending = OrderFactory(status=S.PROCESSING)
    done = OrderFactory(sold=True)
    for _ in range(2):  # rendered, then served from the page cache
        live = client.get(reverse("orders:status", args=[pending.number]), headers=HTMX)
        final = client.get(reverse("orders:status", args=[done.number]), headers=HTMX)
        assert live.status_code == 200 and "hx-get" in live.content.decode()
        assert final.status_code == 286 and "hx-get" not in final.content.decode()
        assert "Berhasil" in final.content.decode()


def test_a_final_order_fragment_outside_htmx_answers_200(client, db):
    done = OrderFactory(sold=True)
    assert client.get(reverse("orders:status", args=[done.number])).status_code == 200


def test_an_order_that_becomes_final_stops_the_polling(client, db):
    order = OrderFactory(status=S.AWAITING_PAYMENT)
    url = reverse("orders:status", args=[order.number])
    assert client.get(url, headers=HTMX).status_code == 200
    assert services.expire_order(order_id=order.pk)
    assert client.get(url, headers=HTMX).status_code == 286
