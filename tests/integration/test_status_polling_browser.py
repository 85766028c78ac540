"""The order page's live status in Debian's Chromium: from the second poll on the browser sends
back the fragment's ETag (If-None-Match), which the shop answers with a 304 and no page while the
order is unchanged (tests/orders/test_status_cache.py); once the order moves the page shows it.
The browser hands the page its cached copy on a 304, so the page sees 200 either way."""

import pytest
from django.urls import reverse

from orders import services
from orders.models import Order

from ..factories import OrderFactory
from .test_browser import browser, page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = Order.Status


def test_unchanged_polls_are_304_and_a_moved_order_shows(page):  # noqa: F811
    order = OrderFactory(status=S.AWAITING_PAYMENT)
    fragment = reverse("orders:status", args=[order.number])
    page.goto(reverse("orders:detail", args=[order.number]))
    page.get_by_text("Menunggu pembayaran").first.wait_for()
    polls = [
        page.wait_for_event("response", lambda r: r.url.endswith(fragment), timeout=15_000)
        for _ in range(3)
    ]
    # The first poll gets the fragment and its ETag; the next ones send it back.
    etag = polls[0].header_value("etag")
    assert etag and polls[0].request.header_value("if-none-match") is None
    assert [poll.request.header_value("if-none-match") for poll in polls[1:]] == [etag, etag]
    assert services.expire_order(order_id=order.pk)
    page.get_by_text("Kedaluwarsa").first.wait_for(timeout=15_000)
    assert page.console_errors == []
