"""The two roles the migration creates, and what each may do."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def labels(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_shop_manager_runs_markup_products_orders_and_reports():
    perms = labels("Shop manager")
    assert {
        "backoffice.view_dashboard",
        "backoffice.view_reports",
        "backoffice.sync_catalog",
        "catalog.add_markuprule",
        "catalog.change_markuprule",
        "catalog.delete_markuprule",
        "catalog.change_product",
        "catalog.change_variant",
        "orders.change_order",
        "backoffice.add_balancedeposit",
        "backoffice.view_historicalmarkuprule",
    } <= perms


def test_support_handles_orders_but_sees_no_markup_and_no_reports():
    perms = labels("Support")
    assert {"orders.view_order", "orders.change_order", "orders.view_orderevent"} <= perms
    assert not {p for p in perms if "markuprule" in p or "variant" in p}
    assert not {"backoffice.view_reports", "backoffice.view_dashboard"} & perms
    assert not any(p.startswith("backoffice.") for p in perms)


def test_the_users_of_each_role_have_its_permissions(manager, support):
    assert manager.has_perms(["backoffice.view_dashboard", "catalog.change_markuprule"])
    assert support.has_perm("orders.change_order")
    assert not support.has_perm("catalog.change_markuprule")
    assert not support.has_perm("backoffice.view_reports")
