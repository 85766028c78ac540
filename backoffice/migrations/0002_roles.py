"""The two staff roles, as groups: "Shop manager" runs the business (markup, games, orders,
money reports); "Support" handles orders and their actions, and sees no markup and no money
reports. Give a person a role by adding them to the group (and ticking "staff status")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: this is what the roles were when created. Later changes get a migration of
# their own (or are made in admin → Groups).
ROLES = {
    "Shop manager": [
        "backoffice.view_dashboard",
        "backoffice.view_reports",
        "backoffice.sync_catalog",
        "backoffice.view_balancesnapshot",
        "backoffice.add_balancesnapshot",
        "backoffice.view_balancedeposit",
        "backoffice.add_balancedeposit",
        "backoffice.change_balancedeposit",
        "backoffice.view_historicalmarkuprule",
        "catalog.view_product",
        "catalog.change_product",
        "catalog.view_variant",
        "catalog.change_variant",
        "catalog.view_markuprule",
        "catalog.add_markuprule",
        "catalog.change_markuprule",
        "catalog.delete_markuprule",
        "catalog.view_syncrun",
        "orders.view_order",
        "orders.change_order",
        "orders.view_orderevent",
        "orders.view_submissionqueue",
        "orders.change_submissionqueue",
        "payments.view_payment",
    ],
    "Support": [
        "orders.view_order",
        "orders.change_order",
        "orders.view_orderevent",
        "orders.view_submissionqueue",
        "payments.view_payment",
        "catalog.view_product",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; a fresh database needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, labels in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for label in labels:
            app_label, codename = label.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0002_default_markup_rule"),
        ("orders", "0002_status_labels"),
        ("payments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
