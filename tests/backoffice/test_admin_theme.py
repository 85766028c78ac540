"""The back office in django-unfold's look: every admin, the sidebar, the dashboard on the home
page, and a login that still returns to the page asked for."""

import pytest
from django.contrib import admin
from django.urls import reverse
from unfold.admin import ModelAdmin as UnfoldModelAdmin

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"


def test_every_registered_admin_has_the_back_office_look():
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, UnfoldModelAdmin)
    ]
    assert plain == []


def test_login_keeps_the_page_asked_for(client):
    UserFactory(username="owner", password=PASSWORD, superuser=True)
    orders = reverse("admin:orders_order_changelist")
    page = client.get(orders)
    assert page.status_code == 302 and "next=" in page["Location"]
    login = page["Location"]
    form = client.get(login).content.decode()
    assert f'action="{login}"' in form  # the form posts back with ?next=
    response = client.post(login, {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == orders


def test_home_page_has_the_gerai_name_sidebar_groups_and_dashboard_cards(manager_client, sandbox):
    page = manager_client.get(reverse("admin:index")).content.decode()
    assert "<title>" in page and "Gerai" in page and "Administrasi Django" not in page
    for group in ("Penjualan", "Katalog", "Promo", "Pelanggan", "Konten", "Sistem"):
        assert group in page, group
    assert "bo-card" in page and "bo-chart" in page
    assert reverse("backoffice:reports") in page


def test_login_opened_directly_lands_on_the_admin_home(client):
    """An owner who opens /admin/login/ itself (a bookmark) gets the back office, not the
    customer's account page (unfold's form carries no `next` of its own)."""
    UserFactory(username="owner", password=PASSWORD, superuser=True)
    login = reverse("admin:login")
    assert client.get(login).status_code == 200
    response = client.post(login, {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
