"""The back office roles get the message log: Support reads it and sends a message again; the
Shop manager also sets the channel switches and the alert settings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Shop manager": [
        "view_message",
        "change_message",
        "view_alert",
        "view_notifysettings",
        "change_notifysettings",
        "view_whatsappoptout",
    ],
    "Support": ["view_message", "change_message", "view_alert", "view_whatsappoptout"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="notifications", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_outbox"),
        ("backoffice", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
