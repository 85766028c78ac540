from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from backoffice.selectors import sales_by_day
from orders import services as orders
from orders.models import Order
from promotions import services
from promotions.models import PromoCode


def test_the_usage_report_counts_paid_uses_discounts_and_what_is_left(admin_client, item):
    promo = PromoCode.objects.create(
        code="GERAI10",
        value=10,
        max_discount=5_000,
        quota=10,
        valid_to=timezone.now() + timedelta(days=1),
    )
    paid = orders.create_order(variant=item, account={"user_id": "1"}, contact_email="a@b.c")
    services.apply_promo(order_id=paid.pk, code="GERAI10")
    orders.mark_paid(order_id=paid.pk)
    unpaid = orders.create_order(variant=item, account={"user_id": "2"}, contact_email="c@d.e")
    services.apply_promo(order_id=unpaid.pk, code="GERAI10")
    page = admin_client.get(reverse("admin:promotions_promocode_changelist")).content.decode()
    assert "2 / 10" in page and "Rp 5.000" in page
    for name in ("tier", "tiermarkuprule", "customertier", "promouse", "flashsale"):
        assert admin_client.get(reverse(f"admin:promotions_{name}_changelist")).status_code == 200
    assert (
        admin_client.get(reverse("admin:promotions_promocode_change", args=[promo.pk])).status_code
        == 200
    )
    order_page = admin_client.get(
        reverse("admin:orders_order_change", args=[paid.pk])
    ).content.decode()
    assert "GERAI10" in order_page and "105000" in order_page  # the stored breakdown


def test_a_subsidy_shows_as_a_cost_in_the_back_office_reports(admin_client, item):
    PromoCode.objects.create(
        code="SUBSIDI",
        kind=PromoCode.Kind.FIXED,
        value=50_000,
        subsidised=True,
        valid_to=timezone.now() + timedelta(days=1),
    )
    order = orders.create_order(variant=item, account={"user_id": "1"}, contact_email="a@b.c")
    services.apply_promo(order_id=order.pk, code="SUBSIDI")
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.SUCCESS, completed_at=timezone.now()
    )
    day = sales_by_day(start=timezone.localdate(), end=timezone.localdate())[0]
    # Sold at 60.000 for a cost of 100.000: the loss is in profit, the subsidy named beside it.
    assert (day.revenue, day.profit, day.subsidy) == (60_000, -40_000, 40_200)
    page = admin_client.get(reverse("backoffice:reports")).content.decode()
    assert "Rp 40.200" in page
