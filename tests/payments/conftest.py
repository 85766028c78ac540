import pytest

from payments.tripay.fake import FakeTripay


@pytest.fixture
def tripay(settings):
    """A live fake Tripay the shop points at; its callbacks are kept (fake.callbacks), not sent:
    tests replay them through the test client."""
    with FakeTripay(deliver=False, slow_seconds=1.5) as fake:
        settings.PAYMENT_PROVIDERS = ["tripay", "sandbox"]
        settings.TRIPAY_API_URL = fake.api_url
        settings.TRIPAY_API_KEY = fake.api_key
        settings.TRIPAY_PRIVATE_KEY = fake.private_key
        settings.TRIPAY_MERCHANT_CODE = fake.merchant_code
        settings.TRIPAY_READ_TIMEOUT = 0.5
        yield fake
