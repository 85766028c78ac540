"""kombu's filesystem transport with atomic writes, for the serverless demo broker.

The stock transport creates the message file and then writes it; a worker listing the folder
in between reads an empty file and dies on it ("Unrecoverable error: JSONDecodeError"). Here
the message is written under a name the consumer ignores and renamed into place: a rename is
atomic on POSIX, so a consumer sees a whole message or none.

Every channel also creates its folders: the web (sending a task) and a worker however it was
started (`celery -A storefront worker`, not only `manage.py run_demo`) find them in place
instead of dying with FileNotFoundError.
"""

import os
import uuid
from pathlib import Path
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


def transport_options(folder: Path | str) -> dict:
    """The transport's options for a broker kept in `folder` (settings, tests and the demo)."""
    folder = Path(folder)
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        # The transport polls the folder; at the default 1 s a worker at its prefetch limit
        # takes about one message per second per process, and a paid order waits in line.
        "polling_interval": 0.02,
        "store_processed": False,
    }


class Channel(filesystem.Channel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for folder in (
            self.data_folder_in,
            self.data_folder_out,
            self.processed_folder,
            self.control_folder,
        ):
            os.makedirs(folder, exist_ok=True)

    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # The consumer matches "<stamp>_<uuid>.<queue>.msg"; a leading "partial-" never does.
        partial = os.path.join(self.data_folder_out, f"partial-{name}.tmp")
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self) -> dict:
        # A folder has no host. kombu's virtual transports default the hostname to
        # "localhost", and kombu warns "No hostname was supplied. Reverting to default
        # 'localhost'" each time it describes a connection to one: three times at every start.
        return {"port": self.default_port}
