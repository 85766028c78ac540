"""Periodic tasks stored by django-celery-beat under the orders tasks' old automatic names
("orders.tasks.poll_due_orders") now name the tasks' explicit names ("orders.poll_due_orders").
"""

from django.db import migrations
from django.utils import timezone

TASKS = (
    "submit_order",
    "poll_due_orders",
    "poll_order",
    "sweep_submissions",
    "check_supplier_balance",
    "expire_unpaid_orders",
)
RENAMES = {f"orders.tasks.{name}": f"orders.{name}" for name in TASKS}


def _rename(apps, renames: dict[str, str]) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    changed = 0
    for old, new in renames.items():
        changed += PeriodicTask.objects.filter(task=old).update(task=new)
    if changed:  # a running beat reloads its schedule when this row changes
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forwards(apps, schema_editor) -> None:
    _rename(apps, RENAMES)


def backwards(apps, schema_editor) -> None:
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_order_cost_unread_since"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
