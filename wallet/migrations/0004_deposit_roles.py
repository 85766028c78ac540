"""Both staff roles may look at deposits (read-only in admin), as at wallets and ledgers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("Shop manager", "Support")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="wallet", codename="view_deposit")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(view)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="wallet", codename="view_deposit")
        )


class Migration(migrations.Migration):
    dependencies = [("wallet", "0003_deposit")]

    operations = [migrations.RunPython(grant, revoke)]
