import pytest

from catalog.models import Variant
from orders import services
from orders.models import Order
from payments import services as payments


@pytest.fixture
def place_order(synced, django_capture_on_commit_callbacks):
    """Create an order for a sandbox variant and pay it (the submit task is captured, not run)."""

    def place(*, code="MLBB_ID_5", account=None, email="buyer@example.com") -> Order:
        variant = Variant.objects.select_related("product").get(code=code)
        order = services.create_order(
            variant=variant,
            account=account or {"user_id": "123456789", "zone_id": "2345"},
            contact_email=email,
        )
        payment = payments.start_payment(order=order)
        with django_capture_on_commit_callbacks():
            payments.confirm_paid(payment=payment)
        return Order.objects.get(pk=order.pk)

    return place
