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


def test_an_unchanged_poll_gets_304_without_the_page_and_a_moved_order_200(client, db):
    """The browser sends back the ETag it got (no-cache: it asks every time): nothing new is a
    304 with no body; once the order moves, the new fragment and a new ETag."""
    order = OrderFactory(status=S.AWAITING_PAYMENT)
    url = reverse("orders:status", args=[order.number])
    first = client.get(url, headers=HTMX)
    assert first.status_code == 200 and "no-cache" in first["Cache-Control"]
    etag = first["ETag"]
    unchanged = client.get(url, headers={**HTMX, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert not hasattr(unchanged.wsgi_request, "session")  # a guest's: before the middleware
    assert unchanged["ETag"] == etag
    assert unchanged["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in unchanged["Content-Security-Policy"]
    assert services.expire_order(order_id=order.pk)
    moved = client.get(url, headers={**HTMX, "If-None-Match": etag})
    assert moved.status_code == 286 and "Kedaluwarsa" in moved.content.decode()
    assert moved["ETag"] != etag


def test_a_member_polling_their_order_gets_304_too(client, db):
    from ..factories import UserFactory

    client.force_login(UserFactory())
    order = OrderFactory(status=S.PROCESSING)
    url = reverse("orders:status", args=[order.number])
    etag = client.get(url)["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304 and hasattr(response.wsgi_request, "user")


def test_a_poll_in_another_language_is_not_told_nothing_changed(client, db):
    order = OrderFactory(status=S.PROCESSING)
    url = reverse("orders:status", args=[order.number])
    etag = client.get(url)["ETag"]
    client.cookies["django_language"] = "en"
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Payment received" in response.content.decode()


def test_a_guest_poll_answered_early_carries_the_whole_stacks_headers(client, db):
    order = OrderFactory(status=S.PROCESSING)
    url = reverse("orders:status", args=[order.number])
    full = client.get(url, headers=HTMX)
    early = client.get(url, headers=HTMX)
    assert hasattr(full.wsgi_request, "session") and not hasattr(early.wsgi_request, "session")
    assert dict(early.headers) == dict(full.headers)
    assert early.content == full.content


def test_an_unknown_order_is_404_for_a_guest(client, db):
    response = client.get(reverse("orders:status", args=["GR-NOSUCH"]))
    assert response.status_code == 404
