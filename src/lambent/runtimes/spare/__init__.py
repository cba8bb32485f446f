"""Spare runtimes: started before their function is known, with the slow part done.

Python's spare is a stub the interpreter receives on its channel (``python``,
``python_stub.py``); Node.js's is Lambent's own runtime started as usual, which waits on
the channel named by ``CHANNEL_VARIABLE`` before it loads the handler (``nodejs/index.mjs``
and ``nodejs/spare.mjs``). Both speak ``messages``.
"""

from typing import Final

from lambent.runtimes.spare.messages import ENVIRON_ROOM, ROOM_VARIABLE, Ready, become, environ_size
from lambent.runtimes.spare.python import boot_argv, module_names, stub_source

#: In a Node.js spare's start-up environment: the descriptor of its channel.
CHANNEL_VARIABLE: Final = "LAMBENT_SPARE_CHANNEL"

__all__ = [
    "CHANNEL_VARIABLE",
    "ENVIRON_ROOM",
    "ROOM_VARIABLE",
    "Ready",
    "become",
    "boot_argv",
    "environ_size",
    "module_names",
    "stub_source",
]
