"""Orders tasks go by explicit names, which the beat schedule, the routes and the periodic
tasks stored by django-celery-beat use: moving a module breaks none of them."""

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

import orders.tasks
from storefront.celery import app

ORDERS_TASKS = {
    "submit_order": "submit",
    "poll_due_orders": "poll",
    "poll_order": "poll",
    "sweep_submissions": "submit",
    "check_supplier_balance": "submit",
    "expire_unpaid_orders": "submit",
    "sweep_refunds": "submit",
}


def test_every_orders_task_has_its_explicit_name_and_queue():
    for function, queue in ORDERS_TASKS.items():
        name = getattr(orders.tasks, function).name
        assert name == f"orders.{function}"
        assert app.tasks[name].name == name
        assert app.amqp.router.route({}, name)["queue"].name == queue


def test_the_beat_schedule_names_only_registered_orders_tasks():
    scheduled = {
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"].startswith("orders.")
    }
    assert scheduled == {
        "orders.poll_due_orders",
        "orders.sweep_submissions",
        "orders.check_supplier_balance",
        "orders.expire_unpaid_orders",
        "orders.sweep_refunds",
    }
    assert scheduled <= set(app.tasks)


@pytest.mark.django_db
def test_the_migration_renames_stored_periodic_tasks_and_back():
    migration = import_module("orders.migrations.0005_rename_celery_task_names")
    every = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.SECONDS)
    stored = PeriodicTask.objects.create(
        name="poll by hand", task="orders.tasks.poll_due_orders", interval=every
    )
    other = PeriodicTask.objects.create(
        name="sync", task="catalog.tasks.sync_catalog", interval=every
    )

    migration.forwards(apps, None)
    stored.refresh_from_db()
    assert stored.task == "orders.poll_due_orders"
    assert PeriodicTask.objects.get(pk=other.pk).task == "catalog.tasks.sync_catalog"

    migration.backwards(apps, None)
    stored.refresh_from_db()
    assert stored.task == "orders.tasks.poll_due_orders"
