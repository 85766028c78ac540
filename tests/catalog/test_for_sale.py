"""One meaning of "on sale" for pages and for checkout."""

import pytest
from django.utils import timezone

from catalog import selectors
from catalog.models import Variant
from orders import services
from orders.models import Order

from ..factories import VariantFactory

pytestmark = pytest.mark.django_db

ACCOUNT = {"user_id": "123456789"}


def reload(variant: Variant) -> Variant:
    return Variant.objects.select_related("product").get(pk=variant.pk)


def test_an_item_on_sale_is_listed_and_sells():
    variant = reload(VariantFactory())
    assert selectors.variant_for_sale(product=variant.product, code=variant.code) == variant
    assert services.create_order(variant=variant, account=ACCOUNT).price == variant.sell_price


@pytest.mark.parametrize("change", ["is_active", "is_listed", "retired_at"])
@pytest.mark.parametrize("of", ["item", "game"])
def test_an_item_off_sale_is_neither_listed_nor_sold(change, of):
    variant = reload(VariantFactory())
    row = variant if of == "item" else variant.product
    value = timezone.now() if change == "retired_at" else False
    type(row).objects.filter(pk=row.pk).update(**{change: value})
    variant = reload(variant)
    if of == "item":
        assert selectors.variant_for_sale(product=variant.product, code=variant.code) is None
    else:
        assert selectors.product_for_sale(variant.product.slug) is None
    # Checkout refuses it too, though the form that chose it was shown while it was on sale.
    with pytest.raises(services.NotForSale):
        services.create_order(variant=variant, account=ACCOUNT)
    assert Order.objects.count() == 0
