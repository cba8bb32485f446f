"""The Python runtime's spare: how it is started, and the messages to and from its stub.

A spare's interpreter runs ``BOOT``, a one-liner that reads the stub (``stub.py``) from
the channel and runs it: no file of ours needs to be visible in the sandbox, and the
interpreter's own ``sys.path`` stays what the function's would be.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

#: Runs the first frame received on the channel (fd ``{fd}``) as the ``__main__`` module.
_BOOT: Final = (
    "import socket;CHANNEL=socket.socket(fileno={fd});STREAM=CHANNEL.makefile('rb');"
    "exec(compile(STREAM.read(int(STREAM.readline())),'<lambent-spare>','exec'))"
)
#: Padding in the spare's start-up environment: the block the kernel shows as
#: ``/proc/<pid>/environ`` is rewritten with the function's environment (see the stub),
#: so it must be as large as any. AWS caps a function's own variables at 4 KB.
ENVIRON_ROOM: Final = 16 * 1024
ROOM_VARIABLE: Final = "LAMBENT_SPARE_ROOM"


def boot_argv(executable: str, channel_fd: int) -> tuple[str, ...]:
    return (executable, "-c", _BOOT.format(fd=channel_fd))


@cache
def stub_source() -> bytes:
    return (resources.files(__package__) / "stub.py").read_bytes()


@dataclass(frozen=True, slots=True)
class Ready:
    """What a spare's stub reports once it has imported the runtime client's modules."""

    #: Top-level names of the modules it imported from files.
    modules: frozenset[str]
    #: Bytes available for the environment shown in ``/proc/<pid>/environ``.
    environ_room: int

    @classmethod
    def parse(cls, message: bytes) -> Ready:
        """``ValueError`` if the message is not a stub's."""
        try:
            document = json.loads(message)
            modules = frozenset(str(name) for name in document["modules"])
            room = int(document["environ_room"])
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"not a spare's ready message: {message[:80]!r}") from e
        return cls(modules, room)


def become(env: Mapping[str, str], handler: str, cwd: str, refresh: Iterable[str]) -> bytes:
    """The message that makes a stub the runtime of one function. ``refresh``: path
    prefixes whose contents changed since the stub looked (``/var/task``, ``/opt``)."""
    document = {"env": dict(env), "handler": handler, "cwd": cwd, "refresh": list(refresh)}
    return json.dumps(document).encode()


def environ_size(env: Mapping[str, str]) -> int:
    """Bytes the environment takes as ``NAME=value\\0`` strings."""
    return sum(len(os.fsencode(k)) + len(os.fsencode(v)) + 2 for k, v in env.items())


def module_names(directory: Path) -> frozenset[str]:
    """Top-level names importable from ``directory``: packages (any subdirectory, as a
    namespace package may be one) and modules of any suffix (``x.py``, ``x.cpython-312-
    x86_64-linux-gnu.so``). Empty if there is no such directory."""
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return frozenset()
    names = set()
    for entry in entries:
        if entry.is_dir():
            names.add(entry.name)
        elif "." in entry.name:
            names.add(entry.name.partition(".")[0])
    return frozenset(names)
