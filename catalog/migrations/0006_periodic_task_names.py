"""Beat's stored schedules name the task by its explicit name, not by its module path.

django-celery-beat keeps the task name as a string in PeriodicTask.task: rows saved under the
old automatic name would otherwise point at a task no worker knows.
"""

from django.db import migrations
from django.utils import timezone

RENAMED = {"catalog.tasks.sync_catalog": "catalog.sync_catalog"}


def rename(apps, schema_editor, *, backwards: bool = False) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    changed = 0
    for old, new in RENAMED.items():
        if backwards:
            old, new = new, old
        changed += PeriodicTask.objects.filter(task=old).update(task=new)
    if changed:  # a running beat reloads its schedule when this row changes
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def rename_back(apps, schema_editor) -> None:
    rename(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_product_variants_reading"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
