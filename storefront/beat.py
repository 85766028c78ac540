"""`celery beat` with a stop signal handler that never touches the database.

Celery's own handler saves the schedule from inside the signal handler. When SIGTERM (what
`docker compose stop` sends) arrives while beat is in the middle of a query, that save runs a
second query on the same psycopg connection from the same thread and waits forever for the
connection's lock, which the interrupted query holds: beat hangs until it is killed. It was
seen on a busy machine, with the signal landing while the database scheduler was still
installing its entries.

Here the handler only raises SystemExit. psycopg cancels an interrupted query on SystemExit,
and `celery.beat.Service.start` saves the schedule in its `finally`, outside the handler.
"""

from types import FrameType

from celery import beat, platforms
from celery.apps.beat import Beat as CeleryBeat


class Beat(CeleryBeat):
    def install_sync_handler(self, service: beat.Service) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            raise SystemExit()

        platforms.signals.update(SIGTERM=stop, SIGINT=stop)
