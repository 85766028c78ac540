from decimal import Decimal

import factory

from catalog.models import MarkupRule, Product, Variant


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"game-{n}")
    name = factory.Sequence(lambda n: f"Game {n}")
    slug = factory.LazyAttribute(lambda product: product.code)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    supplier_id = factory.Sequence(lambda n: 1000 + n)
    code = factory.Sequence(lambda n: f"ITEM_{n}")
    name = factory.Sequence(lambda n: f"{n} Diamonds")
    cost_price = 10_000
    sell_price = factory.LazyAttribute(lambda variant: variant.cost_price + 1_000)


class MarkupRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarkupRule

    percent = Decimal("10")
    fixed = 0
    round_to = 100
    min_margin = 100
