import pytest
from django.urls import reverse

from catalog.models import MarkupRule, Variant

from ..factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_saving_a_product_rule_in_admin_reprices_its_variants_at_once(admin_client):
    product = ProductFactory()
    variant = VariantFactory(product=product, cost_price=10_000, sell_price=10_800)
    other = VariantFactory(cost_price=10_000, sell_price=10_800)
    response = admin_client.post(
        reverse("admin:catalog_markuprule_add"),
        {"product": product.pk, "percent": "25", "fixed": "0", "round_to": "500",
         "min_margin": "100"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Variant.objects.get(pk=variant.pk).sell_price == 12_500
    assert Variant.objects.get(pk=other.pk).sell_price == 10_800


def test_a_second_global_rule_is_refused_with_a_message(admin_client):
    assert MarkupRule.objects.filter(product=None, variant=None).count() == 1  # from migration
    response = admin_client.post(
        reverse("admin:catalog_markuprule_add"),
        {"percent": "5", "fixed": "0", "round_to": "100", "min_margin": "100"},
    )
    assert response.status_code == 200
    assert b"already a global markup rule" in response.content


def test_variant_list_shows_cost_sell_and_margin(admin_client):
    VariantFactory(name="86 Diamonds", cost_price=20_000, sell_price=21_600)
    page = admin_client.get(reverse("admin:catalog_variant_changelist")).content.decode()
    assert "Rp 20.000" in page and "Rp 21.600" in page and "Rp 1.600 (8.0%)" in page
