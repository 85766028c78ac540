import factory
from django.utils import timezone

from orders.models import Order

from ..factories import VariantFactory


class OrderFactory(factory.django.DjangoModelFactory):
    """An order as the shop records it (no payment, no supplier call): for lists and reports."""

    class Meta:
        model = Order

    variant = factory.SubFactory(VariantFactory)
    product_code = factory.LazyAttribute(lambda order: order.variant.product.code)
    product_name = factory.LazyAttribute(lambda order: order.variant.product.title)
    variant_code = factory.LazyAttribute(lambda order: order.variant.code)
    variant_name = factory.LazyAttribute(lambda order: order.variant.name)
    price = factory.LazyAttribute(lambda order: order.variant.sell_price)
    cost = factory.LazyAttribute(lambda order: order.variant.cost_price)
    account = factory.LazyFunction(lambda: {"user_id": "123456789"})
    data = "123456789"
    contact_email = factory.Sequence(lambda n: f"buyer{n}@example.com")

    class Params:
        sold = factory.Trait(
            status=Order.Status.SUCCESS,
            completed_at=factory.LazyFunction(timezone.now),
        )
