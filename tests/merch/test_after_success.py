"""After success: the receipt (printable page = the email's HTML part), "Beli lagi", and the
complaint form that becomes a note on the order for Support."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.services import resend_order_receipt
from orders.models import Order
from support.models import OrderNote
from tests.notify import deliver_outbox

from ..factories import OrderFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def delivered():
    product = ProductFactory(
        name="Mobile Legends",
        slug="mobile-legends",
        account_fields=[
            {"name": "user_id", "label": "User ID", "kind": "digits", "min": 4, "max": 20},
            {"name": "zone_id", "label": "Zone ID", "kind": "digits", "min": 1, "max": 8},
        ],
    )
    variant = VariantFactory(product=product, code="MLBB_ID_85", name="85 Diamonds")
    return OrderFactory(
        variant=variant,
        status=S.SUCCESS,
        account={"user_id": "123456789", "zone_id": "2345"},
        data="123456789(2345)",
        paid_at=timezone.now(),
        completed_at=timezone.now(),
        contact_email="ayu@example.com",
        payment_provider="sandbox",
    )


def receipt_part(html: str) -> str:
    start = html.index('<section class="receipt"')
    return html[start : html.index("</section>", start)]


def test_the_receipt_page_says_what_the_email_says(client, delivered):
    page = client.get(reverse("orders:receipt", args=[delivered.number])).content.decode()
    assert resend_order_receipt(order_id=delivered.pk, kind="success")
    deliver_outbox()
    (message,) = mail.outbox
    email_html = message.alternatives[0][0]
    assert receipt_part(page) == receipt_part(email_html)
    part = receipt_part(page)
    for text in (delivered.number, "Mobile Legends", "85 Diamonds", "123456789", "2345", "Struk"):
        assert text in part
    assert f"Rp {delivered.price:,}".replace(",", ".") in part
    assert delivered.number in message.body  # the plain-text part stays


def test_no_receipt_before_delivery(client, delivered):
    Order.objects.filter(pk=delivered.pk).update(status=S.PROCESSING)
    assert client.get(reverse("orders:receipt", args=[delivered.number])).status_code == 404
    assert client.get(reverse("orders:receipt", args=["GR-NOPE"])).status_code == 404


def test_beli_lagi_opens_the_game_page_filled_in(client, delivered):
    page = client.get(reverse("orders:detail", args=[delivered.number])).content.decode()
    assert "Beli lagi" in page and reverse("orders:receipt", args=[delivered.number]) in page
    url = html.unescape(re.search(r'<a class="button" href="([^"]+)">Beli lagi</a>', page)[1])
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == reverse("catalog:game", args=["mobile-legends"])
    assert query == {
        "item": ["MLBB_ID_85"],
        "account_user_id": ["123456789"],
        "account_zone_id": ["2345"],
    }
    game = client.get(url).content.decode()
    assert 'value="123456789"' in game and 'value="MLBB_ID_85" checked' in game


def test_no_beli_lagi_when_the_game_is_off_sale(client, delivered):
    delivered.variant.product.is_listed = False
    delivered.variant.product.save()
    page = client.get(reverse("orders:detail", args=[delivered.number])).content.decode()
    assert "Beli lagi" not in page


def test_a_complaint_becomes_a_note_on_the_order(client, delivered):
    page = client.get(reverse("orders:detail", args=[delivered.number])).content.decode()
    url = reverse("support:complaint", args=[delivered.number])
    assert url in page
    response = client.post(
        url,
        {"topic": "not_received", "text": "Diamond belum masuk ke akun saya.", "contact": ""},
    )
    assert response.status_code == 302
    note = OrderNote.objects.get()
    assert (note.order, note.kind, note.topic) == (delivered, "complaint", "not_received")
    assert note.text == "Diamond belum masuk ke akun saya." and note.handled_at is None
    followed = client.get(response["Location"]).content.decode()
    assert "Pesan kamu sudah diterima tim dukungan" in followed


def test_a_complaint_needs_a_topic_and_a_sentence(client, delivered):
    url = reverse("support:complaint", args=[delivered.number])
    response = client.post(url, {"topic": "", "text": "hm"})
    assert response.status_code == 400
    assert not OrderNote.objects.exists()
    assert "Tulis setidaknya satu kalimat" in response.content.decode()


def test_complaints_are_rate_limited(client, delivered, settings):
    settings.RATELIMIT_COMPLAINT = "2/h"
    url = reverse("support:complaint", args=[delivered.number])
    form = {"topic": "other", "text": "Ada yang aneh dengan pesanan ini."}
    assert [client.post(url, form).status_code for _ in range(3)] == [302, 302, 429]
    assert OrderNote.objects.count() == 2


def test_no_complaint_for_an_unknown_order(client):
    assert client.get(reverse("support:complaint", args=["GR-NOPE"])).status_code == 404


def test_support_sees_the_complaint_on_the_order_in_admin(admin_client, delivered):
    OrderNote.objects.create(order=delivered, kind="complaint", text="Belum masuk, tolong cek.")
    page = admin_client.get(reverse("admin:orders_order_change", args=[delivered.pk]))
    assert "Belum masuk, tolong cek." in page.content.decode()
    listing = admin_client.get(reverse("admin:support_ordernote_changelist"), {"open": "yes"})
    assert "Belum masuk, tolong cek." in listing.content.decode()
