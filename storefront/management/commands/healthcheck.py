"""Container health checks that need Django: `healthcheck ready` and `healthcheck beat`.

docker-compose.yml runs `healthcheck beat` for the beat service: beat is healthy when the
database scheduler has recorded a run of some periodic task recently (it writes its run times
every few minutes). `healthcheck ready` prints what /readyz answers, for an operator's shell.
Exit code 0 when healthy, 1 when not.
"""

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from storefront.health import readiness


class Command(BaseCommand):
    help = "Check readiness (database, cache, broker) or that Celery beat is scheduling."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["ready", "beat"])
        parser.add_argument(
            "--max-age",
            type=int,
            default=600,
            help="beat: seconds since the last recorded periodic run (default 600; beat writes "
            "run times every 3 minutes).",
        )

    def handle(self, *args, what: str, max_age: int, **options):
        if what == "ready":
            report = readiness()
            self.stdout.write(json.dumps(report, indent=2))
            if report["status"] != "ok":
                raise CommandError("not ready")
            return
        self._beat(max_age)

    def _beat(self, max_age: int) -> None:
        from django_celery_beat.models import PeriodicTask

        last = (
            PeriodicTask.objects.filter(enabled=True, last_run_at__isnull=False)
            .order_by("-last_run_at")
            .values_list("last_run_at", flat=True)
            .first()
        )
        if last is None:
            raise CommandError("beat has not recorded any periodic run yet")
        age = timezone.now() - last
        if age > timedelta(seconds=max_age):
            raise CommandError(
                f"beat's last recorded run was {int(age.total_seconds())} s ago "
                f"(more than {max_age} s): is beat running?"
            )
        self.stdout.write(f"beat ok: last periodic run {int(age.total_seconds())} s ago")
