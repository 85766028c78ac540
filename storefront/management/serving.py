"""The foreground run of the demo's fake servers (the isipay_sandbox, fake_tripay and
notify_fakes commands): Ctrl-C or SIGTERM (what `docker compose stop` sends) ends it quietly."""

import signal
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError

from fakeserver import Served


def serve_until_stopped(
    command: BaseCommand, fake: Served, *, listening: Callable[[str], str], stopped: str
) -> None:
    """Serve `fake` in this thread; `listening(url)` is printed once it listens, `stopped` once
    it has stopped. A port it cannot listen on is a CommandError."""

    def ready(url: str) -> None:
        command.stdout.write(listening(url))
        command.stdout.flush()

    signal.signal(signal.SIGTERM, stop_like_ctrl_c)
    try:
        fake.serve_forever(ready=ready)
    except OSError as exc:
        raise CommandError(f"Cannot listen on {fake.host}:{fake.port}: {exc}") from exc
    except KeyboardInterrupt:
        command.stdout.write(stopped)


def stop_like_ctrl_c(signum, frame):
    """A SIGTERM handler: stop the way Ctrl-C does."""
    raise KeyboardInterrupt
