"""Celery tasks go by explicit names, so moving a module never breaks a stored schedule."""

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from storefront.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
APPS = ("catalog", "backoffice", "payments")


def our_tasks(app_label: str) -> dict[str, object]:
    module = importlib.import_module(f"{app_label}.tasks")
    celery_app.loader.import_default_modules()
    return {
        name: task
        for name, task in celery_app.tasks.items()
        if getattr(task, "__module__", "") == module.__name__
    }


@pytest.mark.parametrize("app_label", APPS)
def test_every_task_has_an_explicit_name_of_its_app(app_label):
    tasks = our_tasks(app_label)
    assert tasks
    for name, task in tasks.items():
        assert name == f"{app_label}.{task.__name__}"


def test_every_scheduled_task_is_a_task_a_worker_knows():
    for app_label in (*APPS, "orders"):
        importlib.import_module(f"{app_label}.tasks")
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks, entry


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("catalog.sync_catalog", "sync"),
        ("backoffice.record_balance_snapshot", "submit"),
        ("payments.check_pending_payments", "submit"),
        ("payments.sweep_refunds", "submit"),
    ],
)
def test_named_tasks_keep_their_queues(task, queue):
    assert celery_app.amqp.router.route({}, task)["queue"].name == queue


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("migration", "old", "new"),
    [
        (
            "catalog.migrations.0006_periodic_task_names",
            "catalog.tasks.sync_catalog",
            "catalog.sync_catalog",
        ),
        (
            "backoffice.migrations.0004_periodic_task_names",
            "backoffice.tasks.record_balance_snapshot",
            "backoffice.record_balance_snapshot",
        ),
    ],
)
def test_a_schedule_saved_under_the_old_name_runs_the_renamed_task(migration, old, new):
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.SECONDS)
    kept = PeriodicTask.objects.create(name="saved in the admin", task=old, interval=every)
    importlib.import_module(migration).rename(apps, None)
    kept.refresh_from_db()
    our_tasks(migration.split(".")[0])
    assert kept.task == new and new in celery_app.tasks
    importlib.import_module(migration).rename_back(apps, None)
    kept.refresh_from_db()
    assert kept.task == old


@pytest.mark.parametrize("app_label", APPS)
def test_services_reach_tasks_only_through_the_one_helper(app_label):
    tree = ast.parse((ROOT / app_label / "services.py").read_text())
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom):
                assert "tasks" not in [alias.name for alias in node.names], func.name
                assert not (node.module or "").endswith("tasks"), func.name
    top_level = [node for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert all("tasks" not in [a.name for a in n.names] for n in top_level)


@pytest.mark.parametrize("name", ["CELERY_TASK_ROUTES", "CELERY_BEAT_SCHEDULE"])
def test_routes_and_schedule_are_set_in_one_place(name):
    tree = ast.parse((ROOT / "storefront" / "settings.py").read_text())
    writes = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Assign) and any(_names(t, name) for t in node.targets))
        or (isinstance(node, ast.AugAssign) and _names(node.target, name))
    ]
    assert len(writes) == 1, writes


def _names(target: ast.expr, name: str) -> bool:
    """Whether an assignment target is `name` or an item of it."""
    if isinstance(target, ast.Subscript):
        target = target.value
    return isinstance(target, ast.Name) and target.id == name
