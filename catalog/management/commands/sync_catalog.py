from django.core.management.base import BaseCommand, CommandError

from catalog import services
from storefront.supplier import isipay_client


class Command(BaseCommand):
    help = "Sync the catalog from isipay now and print what changed."

    def handle(self, *args, **options):
        try:
            run = services.sync_catalog(client=isipay_client())
        except services.SyncAlreadyRunning as exc:
            raise CommandError("Another catalog sync is running; try again when it ends.") from exc
        for kind in ("products", "variants"):
            values = run.counts.get(kind, {})
            listed = [f"{key} {values[key]}" for key in run.COUNT_KEYS if key in values]
            self.stdout.write(f"{kind}: " + ", ".join(listed))
        seconds = run.duration.total_seconds() if run.duration else 0
        if run.status == run.Status.FAILED:
            raise CommandError(f"Sync failed after {seconds:.1f} s: {run.error}")
        if run.error:
            self.stderr.write(run.error)
        self.stdout.write(self.style.SUCCESS(f"Sync {run.status} in {seconds:.1f} s."))
