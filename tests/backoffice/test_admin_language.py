"""The back office speaks one language: every label, column, filter, action, help text and
custom template string of the admin has an Indonesian translation, and every admin page
renders in Indonesian. A new English string without its locale/id entry fails here."""

import contextlib
import re

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import override

from orders.models import Order
from storefront.admin_nav import NAVIGATION
from wallet import services as wallet_services

from ..factories import (
    BalanceDepositFactory,
    BalanceSnapshotFactory,
    MarkupRuleFactory,
    OrderFactory,
    PaymentFactory,
    SyncRunFactory,
    UserFactory,
)
from .language import registry_strings, template_strings, untranslated

pytestmark = pytest.mark.django_db


def test_every_admin_label_has_an_indonesian_translation():
    assert untranslated(registry_strings(), labels=True) == []


def test_every_string_of_the_back_office_templates_has_an_indonesian_translation():
    assert untranslated(template_strings()) == []


def test_the_sidebar_is_indonesian():
    titles = [group["title"] for group in NAVIGATION]
    titles += [entry["title"] for group in NAVIGATION for entry in group["items"]]
    assert untranslated(titles) == []
    with override("id"):
        assert [str(group["title"]) for group in NAVIGATION] == [
            "Penjualan",
            "Katalog",
            "Promo",
            "Pelanggan",
            "Konten",
            "Sistem",
        ]


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# English words of Django's and our own admin chrome that show up when a page falls back.
ENGLISH = re.compile(
    r"\b(Add|Change|Delete|Save and|Search|Select|History|Home|Last 7 days|"
    r"Today|Preview prices|Markup rules|Orders|Dashboard|Log out|View site|Filters|TEST MODE)\b"
)


def test_every_admin_page_renders_in_indonesian(client):
    owner = UserFactory(username="owner", superuser=True)
    order = OrderFactory()
    PaymentFactory(order=order)
    MarkupRuleFactory(product=order.variant.product)
    SyncRunFactory()
    BalanceSnapshotFactory()
    BalanceDepositFactory()
    review = OrderFactory(status=Order.Status.NEEDS_REVIEW, review_reason="isipay is silent")
    customer = UserFactory(username="customer")
    wallet_services.credit(user=customer, amount=5_000, kind="adjustment", cause="test:language")
    client.force_login(owner)
    pages = [reverse("admin:index")]
    pages += [reverse(f"backoffice:{name}") for name in ("dashboard", "reports", "reconciliation")]
    # The admin's own extra pages: resolving a review, adjusting a balance.
    pages.append(reverse("admin:orders_order_resolve", args=[review.pk]))
    pages.append(reverse("admin:wallet_wallet_adjust", args=[customer.wallet.pk]))
    for model in admin.site._registry:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append(reverse(f"{base}_changelist"))
        with contextlib.suppress(NoReverseMatch):  # an admin without an add page
            pages.append(reverse(f"{base}_add"))
        first = model.objects.first()
        if first is not None:
            pages.append(reverse(f"{base}_change", args=[first.pk]))
    english = {}
    for url in pages:
        response = client.get(url)
        # 403: an add page nobody may use; 302: a one-row settings page sending to its row
        assert response.status_code in (200, 302, 403), url
        if response.status_code == 200:
            html = response.content.decode()
            assert '<html lang="id"' in html, url
            if found := ENGLISH.findall(_text(html)):
                english[url] = sorted(set(found))
    assert english == {}
