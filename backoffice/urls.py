from django.contrib import admin
from django.urls import path

from . import views

app_name = "backoffice"


def _in_admin(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("dashboard/", _in_admin(views.dashboard), name="dashboard"),
    path("sync/", _in_admin(views.sync_now), name="sync_now"),
    path("reports/", _in_admin(views.reports), name="reports"),
    path("reconciliation/", _in_admin(views.reconciliation), name="reconciliation"),
    path("reconciliation/snapshot/", _in_admin(views.snapshot_now), name="snapshot_now"),
]
