"""Sign-up, email confirmation, login, password reset, logout, Google, rate limits, lockout."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from orders.models import Order
from tests.factories import OrderFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client, email="sari@example.com"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def confirmation_link(message) -> str:
    return re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body).group(0)


def test_sign_up_asks_only_email_and_password_and_mails_a_confirmation(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="email"' in page and 'name="password1"' in page
    assert 'name="username"' not in page
    assert '<main class="page auth">' in page and 'class="site-header"' in page  # the shop's look
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sari@example.com"]
    # Not logged in until the address is confirmed.
    assert client.get(reverse("accounts:home"))["Location"].startswith(reverse("account_login"))


def test_login_before_confirming_sends_no_one_in(client):
    sign_up(client)
    other = Client()
    response = other.post(
        reverse("account_login"), {"login": "sari@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert other.get(reverse("accounts:home")).status_code == 302


def test_confirming_logs_in_and_attaches_that_emails_guest_orders(client):
    guest = OrderFactory.create_batch(2, contact_email="Sari@Example.com")
    stranger = OrderFactory(contact_email="other@example.com")
    sign_up(client)
    assert Order.objects.filter(customer__isnull=False).count() == 0  # not before confirming
    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200  # a page with a button, not a GET that confirms
    response = client.post(link)
    assert response.status_code == 302
    user = User.objects.get(email="sari@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert {o.pk for o in Order.objects.filter(customer=user)} == {o.pk for o in guest}
    assert Order.objects.get(pk=stranger.pk).customer is None
    page = client.get(reverse("accounts:home")).content.decode()
    assert guest[0].number in page and stranger.number not in page


def test_login_logout_and_the_header_link(client, customer):
    home = reverse("catalog:home")
    assert "Masuk / Daftar" in client.get(home).content.decode()
    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    page = client.get(home)
    assert ">Akun</a>" in page.content.decode() and "Masuk / Daftar" not in page.content.decode()
    assert "private" in page["Cache-Control"]
    # The guest's cached home page never shows the user's link, nor the user's the guest's.
    assert "Masuk / Daftar" in Client().get(home).content.decode()
    client.post(reverse("account_logout"))
    assert "Masuk / Daftar" in client.get(home).content.decode()
    assert client.get(reverse("accounts:home")).status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(client, customer):
    client.post(reverse("account_reset_password"), {"email": customer.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(link)["Location"]  # allauth moves the key into the session
    new = "sandi-baru-yang-panjang-77"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    again = Client().post(reverse("account_login"), {"login": customer.email, "password": new})
    assert again.status_code == 302 and again["Location"] == reverse("accounts:home")


def test_wrong_passwords_lock_the_customer_out_with_axes(settings, client, customer):
    settings.ACCOUNT_RATE_LIMITS = False  # axes alone, here
    url = reverse("account_login")
    codes = [
        client.post(url, {"login": customer.email, "password": "salah"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form, with its error
    response = client.post(url, {"login": customer.email, "password": PASSWORD})
    assert response.status_code in (403, 429)  # locked out: even the right password fails
    assert "_auth_user_id" not in client.session


def test_the_right_password_logs_in_through_axes(client, customer):
    """axes' request-aware backend runs first and lets a good login through."""
    client.post(reverse("account_login"), {"login": customer.email, "password": "salah"})
    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(customer.pk)


def test_failed_logins_are_rate_limited_per_address(settings, client, customer):
    settings.AXES_FAILURE_LIMIT = 100
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    url = reverse("account_login")
    for _ in range(3):
        client.post(url, {"login": customer.email, "password": "salah"})
    response = client.post(url, {"login": customer.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session  # even the right password waits
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()


def test_google_login_is_off_without_credentials(client):
    assert "google" not in client.get(reverse("account_login")).content.decode().lower()
    assert client.post("/accounts/google/login/").status_code == 404


def test_google_login_is_on_with_credentials_and_goes_to_google(settings, client):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {
            "APPS": [{"client_id": "gerai-test.apps.googleusercontent.com", "secret": "s"}],
            "SCOPE": ["profile", "email"],
        }
    }
    assert "/accounts/google/login/" in client.get(reverse("account_login")).content.decode()
    response = client.post("/accounts/google/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://accounts.google.com/o/oauth2/")
    assert "client_id=gerai-test.apps.googleusercontent.com" in response["Location"]


@responses.activate
def test_a_google_login_signs_up_and_brings_that_emails_guest_orders(settings, client):
    """The whole OAuth round trip with Google's endpoints mocked: no live call."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": "gerai-test", "secret": "s"}], "SCOPE": ["email"]}
    }
    guest = OrderFactory(contact_email="gita@example.com")
    responses.post(
        "https://oauth2.googleapis.com/token",
        json={"access_token": "token", "token_type": "Bearer", "expires_in": 3600},
    )
    responses.get(
        "https://www.googleapis.com/oauth2/v2/userinfo",
        json={"id": "1077", "email": "gita@example.com", "verified_email": True, "name": "Gita"},
    )
    to_google = client.post("/accounts/google/login/")["Location"]
    state = parse_qs(urlsplit(to_google).query)["state"][0]
    response = client.get("/accounts/google/login/callback/", {"code": "abc", "state": state})
    assert response.status_code == 302
    user = User.objects.get(email="gita@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Order.objects.get(pk=guest.pk).customer == user
