"""Issue 15 item 5 in admin: a flash-sale price or a fixed code below cost + the minimum
margin is refused with the reason, unless the promotion is marked subsidised."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from promotions.models import FlashSale, FlashSaleItem, PromoCode


def sale_form(item, *, sale_price: int, subsidised: bool) -> dict:
    now = timezone.localtime()
    data = {
        "name": "Flash 12.12",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": (now + timedelta(hours=2)).strftime("%Y-%m-%d"),
        "ends_at_1": (now + timedelta(hours=2)).strftime("%H:%M:%S"),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-variant": str(item.pk),
        "items-0-sale_price": str(sale_price),
        "items-0-quantity": "10",
    }
    if subsidised:
        data["subsidised"] = "on"
    return data


def test_a_sale_price_below_cost_plus_margin_is_refused_unless_subsidised(admin_client, item):
    url = reverse("admin:promotions_flashsale_add")
    # Cost 100.000; Umum's default rule keeps a 200 rupiah minimum margin: floor 100.200.
    page = admin_client.post(url, sale_form(item, sale_price=100_100, subsidised=False))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Di bawah modal + margin minimum (Rp 100.200)." in text
    assert not FlashSale.objects.exists()
    # At the floor: accepted as typed.
    response = admin_client.post(url, sale_form(item, sale_price=100_200, subsidised=False))
    assert response.status_code == 302
    assert FlashSaleItem.objects.get().sale_price == 100_200
    # Marked subsidised: below cost is the owner's choice, and kept as typed.
    FlashSale.objects.all().delete()
    response = admin_client.post(url, sale_form(item, sale_price=90_000, subsidised=True))
    assert response.status_code == 302
    assert FlashSaleItem.objects.get().sale_price == 90_000


def code_form(item, *, value: int, subsidised: bool, kind="fixed") -> dict:
    now = timezone.localtime()
    data = {
        "code": "POTONG",
        "kind": kind,
        "value": str(value),
        "min_order": "0",
        "per_customer": "1",
        "valid_from_0": now.strftime("%Y-%m-%d"),
        "valid_from_1": now.strftime("%H:%M:%S"),
        "valid_to_0": (now + timedelta(days=1)).strftime("%Y-%m-%d"),
        "valid_to_1": (now + timedelta(days=1)).strftime("%H:%M:%S"),
        "items": str(item.pk),
        "payment_methods": "",
        "is_active": "on",
    }
    if subsidised:
        data["subsidised"] = "on"
    return data


def test_a_fixed_code_that_always_goes_below_the_floor_is_refused_unless_subsidised(
    admin_client, item
):
    url = reverse("admin:promotions_promocode_add")
    # 110.000 - 10.000 = 100.000 < 100.200.
    text = admin_client.post(url, code_form(item, value=10_000, subsidised=False)).content.decode()
    assert "akan di bawah modal + margin minimum (Rp 100.200)" in text
    assert not PromoCode.objects.exists()
    response = admin_client.post(url, code_form(item, value=9_800, subsidised=False))
    assert response.status_code == 302
    PromoCode.objects.all().delete()
    response = admin_client.post(url, code_form(item, value=10_000, subsidised=True))
    assert response.status_code == 302
    # A percent code is left alone (its discount depends on the price it meets).
    PromoCode.objects.all().delete()
    response = admin_client.post(url, code_form(item, value=50, subsidised=False, kind="percent"))
    assert response.status_code == 302
