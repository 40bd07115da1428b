"""The zero-install `filesystem://` Celery broker (the `make run` default), safe with a producer and a
consumer working at the same time.

kombu's filesystem transport creates a message file and then writes into it; a worker polling the
folder can move and read the file in between, get an empty payload and die on a JSONDecodeError (seen
with `make run`: beat sends the dispatcher every two seconds). This transport writes each message under
a name consumers skip and renames it into place, which is atomic on POSIX, so a consumer only ever
sees whole messages. settings.py selects it with CELERY_BROKER_TRANSPORT for filesystem:// URLs.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

PARTIAL_SUFFIX = ".partial"  # kombu's consumer only takes names ending in ".<queue>.msg"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
