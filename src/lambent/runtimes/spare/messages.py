"""What the server and a spare runtime say to each other, whatever the language.

The spare says it is ready (``Ready``); the server later sends what to become
(``become``): the function's environment, its handler, the working directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

#: Padding in the spare's start-up environment: the block the kernel shows as
#: ``/proc/<pid>/environ`` is rewritten with the function's environment (see the stubs),
#: so it must be as large as any. AWS caps a function's own variables at 4 KB.
ENVIRON_ROOM: Final = 16 * 1024
ROOM_VARIABLE: Final = "LAMBENT_SPARE_ROOM"


@dataclass(frozen=True, slots=True)
class Ready:
    """What a spare's runtime reports once it has done what it can before its function."""

    #: Top-level names of the modules it imported from files (that a function's own
    #: could shadow; none for Node.js, whose runtime imports by absolute path).
    modules: frozenset[str]
    #: Bytes available for the environment shown in ``/proc/<pid>/environ``.
    environ_room: int

    @classmethod
    def parse(cls, message: bytes) -> Ready:
        """``ValueError`` if the message is not a spare's."""
        try:
            document = json.loads(message)
            modules = frozenset(str(name) for name in document["modules"])
            room = int(document["environ_room"])
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"not a spare's ready message: {message[:80]!r}") from e
        return cls(modules, room)


def become(env: Mapping[str, str], handler: str, cwd: str, refresh: Iterable[str]) -> bytes:
    """The message that makes a spare the runtime of one function. ``refresh``: path
    prefixes whose contents changed since the spare looked (``/var/task``, ``/opt``)."""
    document = {"env": dict(env), "handler": handler, "cwd": cwd, "refresh": list(refresh)}
    return json.dumps(document).encode()


def environ_size(env: Mapping[str, str]) -> int:
    """Bytes the environment takes as ``NAME=value\\0`` strings."""
    return sum(len(os.fsencode(k)) + len(os.fsencode(v)) + 2 for k, v in env.items())
