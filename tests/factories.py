"""factory_boy factories for every app's tests: the one place a test makes its rows."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from backoffice.models import BalanceDeposit, BalanceSnapshot
from catalog.models import MarkupRule, Product, SyncRun, Variant
from orders.models import Order
from payments.models import Payment

# --- catalog ----------------------------------------------------------------------------------


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


class SyncRunFactory(factory.django.DjangoModelFactory):
    """A catalog sync as the sync records it (running unless told otherwise)."""

    class Meta:
        model = SyncRun

    status = SyncRun.Status.RUNNING


# --- orders and payments ----------------------------------------------------------------------


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


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment attempt for an order, as start_payment opens it (pending, first attempt)."""

    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    provider = "midtrans"
    amount = factory.LazyAttribute(lambda payment: payment.order.price)
    reference = factory.LazyAttribute(lambda payment: f"{payment.order.number}-1")


# --- back office ------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a usable password; `groups=[...]` puts them in groups by name."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("unused-password")

    class Params:
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:  # the groups the roles migration made
            self.groups.add(*Group.objects.filter(name__in=names))


class BalanceSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BalanceSnapshot

    balance = 1_000_000


class BalanceDepositFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BalanceDeposit

    amount = 1_000
    made_at = factory.LazyFunction(timezone.now)
    recorded_by = None
