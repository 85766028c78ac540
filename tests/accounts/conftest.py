import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

PASSWORD = "kata-sandi-yang-panjang-42"


@pytest.fixture
def make_customer(db):
    """A customer who signed up and confirmed their email."""

    def make(email="budi@example.com") -> User:
        user = User.objects.create_user(
            username=email.split("@")[0], email=email, password=PASSWORD
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer()


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client
