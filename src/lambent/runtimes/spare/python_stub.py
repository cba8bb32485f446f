"""A spare Python runtime: ``python -m awslambdaric HANDLER``, with the slow part done first.

Runs inside a spare sandbox as the sandbox user, started before its function is known
(``lambent.environments.spares``), by every interpreter awslambdaric supports (3.9 and
up): so nothing newer than 3.9 here. Not imported by the server: it is sent to the
spare's interpreter, which ``BOOT`` (see ``python``) makes run it.

1. Import everything the runtime interface client imports: the interpreter's start-up
   and these imports are most of a cold start. Watch which modules read the environment
   while they are imported (awslambdaric's bootstrap reads the log format, its runtime
   client the JSON encoder's options), and forget those, and every module that imported
   one of them: they run again once the environment is the function's. The rest stays,
   its heap frozen (``gc.freeze``: the collector never walks it again).
2. Tell the server what came from files (a function shipping a module of the same name
   would get ours instead of its own: the server sends such functions the slow way) and
   how much room the original environment block has, then wait on the channel.
3. Take the function's environment and load the forgotten modules again while the
   server mounts the code and sets the limits; once told that is done, become the
   function's runtime: working directory, ``sys.path``, ``sys.argv`` and ``__main__`` as
   ``python -m awslambdaric HANDLER`` would have them (``ps`` shows that command line).
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import gc
import importlib
import importlib.util
import json
import os
import runpy
import socket
import sys
import time
import types
from typing import IO, Any

_CLIENT = "awslambdaric"
#: ``python -m`` runs this module: it must not be imported already.
_ENTRY = _CLIENT + ".__main__"
#: The client's native part reads the Runtime API's address from the environment once, as
#: it is loaded, and a native module cannot be loaded twice: it is kept out (the client
#: falls back to a pure-Python stand-in meanwhile) and loads with the function's environment.
_NATIVE = "runtime_client"
#: ...but the library it links against can be loaded now (~1 ms of its ~1.3 ms).
_NATIVE_NEEDS = "libstdc++.so.6"
#: What the client imports (its ``__main__``), also when an init fails (``lambda_literals``)
#: and when it polls from a thread (3.12 and later).
_WARM = (_ENTRY, _CLIENT + ".lambda_literals", "concurrent.futures.thread")
#: Start-up looks these up on sys.path: a function's own copy would have run at start-up.
_STARTUP_HOOKS = ("sitecustomize", "usercustomize")


def _send(channel: socket.socket, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    channel.sendall(b"%d\n" % len(body) + body)


def _receive(stream: IO[bytes]) -> Any:
    line = stream.readline()
    if not line:
        sys.exit(0)  # the server discarded this spare
    body = stream.read(int(line))
    return json.loads(body) if body else None


class _Watch:
    """While importing: which modules read the environment, and who imported whom."""

    def __init__(self) -> None:
        self.readers: set[str] = set()
        self.edges: set[tuple[str, str]] = set()

    def read(self) -> None:
        """Every module whose import is under way now depends on the environment (the
        read may come from a function it calls, or from a module it is importing)."""
        frame: types.FrameType | None = sys._getframe(2)  # past this and the wrapper
        while frame is not None:
            if frame.f_code.co_name == "<module>":
                self.readers.add(frame.f_globals.get("__name__", ""))
            frame = frame.f_back

    def imported(self, importer: str, name: str, module: Any, fromlist: Any) -> None:
        self.edges.add((importer, name))
        for item in fromlist or ():
            sub = getattr(module, item, None)
            if isinstance(sub, types.ModuleType):
                self.edges.add((importer, sub.__name__))

    def stale(self) -> set[str]:
        """The readers, the modules that tried to load the native part, and (until
        nothing changes) every module that imported one of those."""
        stale = (self.readers | {_ENTRY, _NATIVE}) - {"__main__", ""}
        grown = True
        while grown:
            grown = False
            for importer, name in self.edges:
                if name in stale and importer not in stale and importer != "__main__":
                    stale.add(importer)
                    grown = True
        return stale


def _watching(watch: _Watch, method: Any) -> Any:
    def watched(self: Any, *args: Any) -> Any:
        watch.read()
        return method(self, *args)

    return watched


def _warm(names: tuple[str, ...] = _WARM) -> list[str]:
    """Returns what it forgot, but the entry module: to be imported again as soon as the
    environment is the function's (see ``_prepare``)."""
    watch = _Watch()
    real_import = builtins.__import__

    def import_(
        name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        importer = (globals or {}).get("__name__", "")
        absolute = name
        if level:
            package = (globals or {}).get("__package__") or ""
            absolute = importlib.util.resolve_name("." * level + name, package)
        watch.edges.add((importer, absolute))  # first: the native part's import fails
        module = real_import(name, globals, locals, fromlist, level)
        watch.imported(importer, absolute, module, fromlist)
        return module

    # Every read of os.environ goes through one of these (get and `in` use __getitem__).
    environ = type(os.environ)
    reads = {name: getattr(environ, name) for name in ("__getitem__", "__iter__", "copy")}
    sys.modules[_NATIVE] = None  # type: ignore[assignment]
    for name, method in reads.items():
        setattr(environ, name, _watching(watch, method))
    setattr(builtins, "__import__", import_)  # noqa: B010 (mypy: not a plain assignment)
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        setattr(builtins, "__import__", real_import)  # noqa: B010
        for name, method in reads.items():
            setattr(environ, name, method)
    stale = watch.stale()
    for name in stale:
        module = sys.modules.pop(name, None)
        # `from package import module` takes the package's attribute if it is there.
        parent, _, child = name.rpartition(".")
        if module is not None and getattr(sys.modules.get(parent), child, None) is module:
            delattr(sys.modules[parent], child)
    with contextlib.suppress(OSError):  # then it loads with the client, as without a spare
        ctypes.CDLL(_NATIVE_NEEDS)  # RTLD_LOCAL, as the native part's own loading would
    return sorted(stale - {_ENTRY})


def _from_files(early: list[str]) -> list[str]:
    """Top-level names of the modules imported from files, and of those to be imported
    again before the function's code is in place."""
    names = set(_STARTUP_HOOKS) | {name.partition(".")[0] for name in early}
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.has_location:
            names.add(name.partition(".")[0])
    return sorted(names)


def _blocks() -> tuple[tuple[int, int], tuple[int, int]]:
    """Where the kernel finds ``/proc/<pid>/cmdline`` and ``environ``: fields 48 to 51 of
    ``/proc/<pid>/stat``, the original argument and environment blocks."""
    with open("/proc/self/stat", "rb") as stat:
        fields = [int(f) for f in stat.read().rpartition(b")")[2].split()[45:49]]
    return (fields[0], fields[1]), (fields[2], fields[3])


def _rewrite(block: tuple[int, int], strings: list[bytes]) -> None:
    """Make ``ps`` and ``/proc/<pid>/{cmdline,environ}`` show what ``python -m awslambdaric
    HANDLER`` with the function's environment would: the kernel reads them from this
    process's original blocks, so those are rewritten in place, padded with NULs, when
    the strings fit (the server only sends environments that fit; a handler name fits in
    the boot command's room). Nothing refers to the blocks any more: ``sys.argv`` is a
    copy, and ``os.environ.clear()`` unset every variable that pointed into them."""
    start, end = block
    data = b"".join(s + b"\0" for s in strings)
    if end <= start or len(data) > end - start:
        return
    memory = os.open("/proc/self/mem", os.O_RDWR)
    try:
        os.pwrite(memory, data.ljust(end - start, b"\0"), start)
    finally:
        os.close(memory)


def _set_at_startup() -> dict[str, str]:
    """What the interpreter added to the environment as it started (``LC_CTYPE`` when it
    coerces a C locale, PEP 538): the server only sends functions whose start-up
    variables are the spare's, so their interpreter would have added the same."""
    with open("/proc/self/environ", "rb") as block:
        given = {entry.partition(b"=")[0] for entry in block.read().split(b"\0")}
    return {k: v for k, v in os.environ.items() if os.fsencode(k) not in given}


def _prepare(
    assignment: dict[str, Any],
    blocks: tuple[tuple[int, int], ...],
    added: dict[str, str],
    early: list[str],
) -> None:
    """What needs the function's environment, not its code (which the server is mounting
    meanwhile): the environment, and the client's modules that read it as they load."""
    env: dict[str, str] = assignment["env"]
    os.environ.clear()
    os.environ.update(added)
    os.environ.update(env)
    with open("/proc/self/cmdline", "rb") as cmdline:
        executable = cmdline.read().partition(b"\0")[0]
    argv = [executable, b"-m", _CLIENT.encode(), os.fsencode(assignment["handler"])]
    _rewrite(blocks[0], argv)
    _rewrite(blocks[1], [os.fsencode(k) + b"=" + os.fsencode(v) for k, v in env.items()])
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = [os.fsdecode(arg) for arg in argv]
    time.tzset()
    for name in early:
        # One that fails fails again where the client imports it, as without a spare.
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _become(assignment: dict[str, Any]) -> None:
    """The function's code is in place: on to ``python -m awslambdaric HANDLER``."""
    # /var/task and /opt are the function's now: mounted over the empty ones seen so far.
    os.chdir(assignment["cwd"])
    sys.path[0] = os.getcwd()  # where `python -m` puts the working directory
    # Their finders (or None: "no such directory") are dropped, so new ones look again.
    # Not importlib.invalidate_caches(): from 3.12 it imports importlib.metadata (~25 ms).
    stale = tuple(assignment["refresh"])
    for path in [p for p in sys.path_importer_cache if p == "" or p.startswith(stale)]:
        del sys.path_importer_cache[path]
    sys.argv = [sys.argv[0], assignment["handler"]]
    runpy.run_module(_CLIENT, run_name="__main__", alter_sys=True)


def main(channel: socket.socket, stream: IO[bytes]) -> None:
    added = _set_at_startup()
    early = _warm()
    blocks = _blocks()
    gc.collect()
    gc.freeze()
    environ_room = blocks[1][1] - blocks[1][0]
    _send(channel, {"modules": _from_files(early), "environ_room": environ_room})
    assignment = _receive(stream)
    _prepare(assignment, blocks, added, early)
    _receive(stream)  # the code is mounted, the limits set
    stream.close()
    channel.close()
    _become(assignment)


if __name__ == "__main__":
    main(globals()["CHANNEL"], globals()["STREAM"])
