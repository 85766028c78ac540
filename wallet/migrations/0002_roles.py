"""Both staff roles may look at wallets and ledgers (Support answers "where is my refund?");
adjusting a balance needs the money permission (backoffice.view_reports), which only the Shop
manager has."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["wallet.view_wallet", "wallet.view_ledgerentry"]
ROLES = {"Shop manager": VIEW, "Support": VIEW}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, labels in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for label in labels:
            app_label, codename = label.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="wallet"))


class Migration(migrations.Migration):
    dependencies = [
        ("wallet", "0001_initial"),
        ("backoffice", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
