"""A version for pages showing the owner's content (home, FAQ and the other pages): every
save or delete in admin moves it (signals.py), so cached pages show an edit at once.

Banners and announcements also start and end by their dates: cached pages are keyed by the
SCHEDULE_STEP-second slot too, so one appears or disappears within that time without anyone
saving anything."""

import time

from storefront.pagecache import current_version, new_version

VERSION_KEY = "content:version"
REUSE_SECONDS = 1.0
SCHEDULE_STEP = 60


def content_version() -> str:
    version = current_version(VERSION_KEY, reuse_for=REUSE_SECONDS)
    return f"{version}.{int(time.time()) // SCHEDULE_STEP}"


def bump_content_version() -> None:
    new_version(VERSION_KEY)
