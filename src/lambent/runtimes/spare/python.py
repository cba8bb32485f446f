"""The Python runtime's spare: how it is started, and what a function could shadow.

A spare's interpreter runs ``BOOT``, a one-liner that reads the stub (``python_stub.py``)
from the channel and runs it: no file of ours needs to be visible in the sandbox, and
the interpreter's own ``sys.path`` stays what the function's would be.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

#: Runs the first frame received on the channel (fd ``{fd}``) as the ``__main__`` module.
_BOOT: Final = (
    "import socket;CHANNEL=socket.socket(fileno={fd});STREAM=CHANNEL.makefile('rb');"
    "exec(compile(STREAM.read(int(STREAM.readline())),'<lambent-spare>','exec'))"
)


def boot_argv(executable: str, channel_fd: int) -> tuple[str, ...]:
    return (executable, "-c", _BOOT.format(fd=channel_fd))


@cache
def stub_source() -> bytes:
    return (resources.files(__package__) / "python_stub.py").read_bytes()


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
