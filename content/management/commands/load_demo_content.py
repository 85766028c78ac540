"""Banners, game icons, an announcement, FAQ and pages for the demo shop (run by run_demo)."""

from django.core.management.base import BaseCommand

from catalog.cache import bump_catalog_version
from content.cache import bump_content_version
from content.demo import load_demo_content


class Command(BaseCommand):
    help = "Create the demo shop's banners, icons, announcement, FAQ and pages (when missing)."

    def handle(self, *args, **options):
        made = load_demo_content()
        bump_catalog_version()  # pins were set with update(): cached pages must see them
        bump_content_version()
        summary = ", ".join(f"{what} {count}" for what, count in made.items() if count)
        self.stdout.write(f"Demo content: {summary or 'already there'}.")
