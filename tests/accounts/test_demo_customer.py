import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_the_demo_customer_is_created_once_with_a_printed_password_that_logs_in(client):
    out = StringIO()
    call_command("ensure_demo_customer", stdout=out)
    email, password = re.search(r"Demo customer created: (\S+) / (\S+)", out.getvalue()).groups()
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    again = StringIO()
    call_command("ensure_demo_customer", stdout=again)
    assert "exists" in again.getvalue() and password not in again.getvalue()
