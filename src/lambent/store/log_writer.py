"""The log writer: a child process that commits the log sink's batches to ``logs.db``.

The batches used to be committed on a thread of the server's own. The sqlite3 module
hands the GIL to and from that thread around every statement, and binds parameters
holding it, so each flush stalled the event loop's thread, the one that bounds
throughput, for far longer than the work took: at ~3,000 invocations/s, a fifth of
what the server could do. A process of its own shares no GIL; the server only encodes
a batch and writes it to a pipe.

Protocol, on the child's stdin and stdout: a request is a 4-byte big-endian length and
a ``marshal``'d ``(ingestion time ms, batch)`` (see :data:`lambent.store.logs.Lines`);
the answer is ``+`` once the batch is committed, or ``-`` and a length-prefixed error
text after a rollback. The child leaves when its stdin closes (the server went away,
or asked it to), after answering what it read.
"""

from __future__ import annotations

import asyncio
import functools
import marshal
import signal
import struct
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from lambent.store import logs
from lambent.store.db import connect, transaction

_LENGTH = struct.Struct(">I")
#: How long a closing writer may take to finish its batch before it is killed.
_CLOSE_TIMEOUT_S = 10.0


class LogWriteError(Exception):
    """A batch was not committed (the child said why, or it is gone)."""


class LogWriter:
    """The server's side: starts the child on first use (again after it died), one batch
    at a time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def commit(self, ingestion_time: int, batch: Sequence[logs.Lines]) -> None:
        """Return once ``batch`` is committed; :class:`LogWriteError` if it was not."""
        frame = marshal.dumps((ingestion_time, list(batch)))
        async with self._lock:
            process = await self._started()
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(_LENGTH.pack(len(frame)) + frame)
                await process.stdin.drain()
                if await process.stdout.readexactly(1) == b"+":
                    return
                (size,) = _LENGTH.unpack(await process.stdout.readexactly(_LENGTH.size))
                error = (await process.stdout.readexactly(size)).decode(errors="replace")
            except (ConnectionError, asyncio.IncompleteReadError):
                await self._stop()
                raise LogWriteError("the log writer process ended") from None
            except BaseException:
                # Cancelled half-way: its answer would be taken for the next batch's.
                self._abandon()
                raise
        raise LogWriteError(error)

    def _abandon(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()

    async def close(self) -> None:
        """Let the child finish and leave (a batch under way is committed first)."""
        async with self._lock:
            await self._stop()

    async def _started(self) -> asyncio.subprocess.Process:
        if self._process is None or self._process.returncode is not None:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "lambent.store.log_writer",
                str(self._path),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        return self._process

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            async with asyncio.timeout(_CLOSE_TIMEOUT_S):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


def _read(stream: BinaryIO, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def serve(path: Path) -> None:
    """The child: commit each batch read from stdin, answer on stdout, until EOF."""
    # Ctrl+C reaches the whole process group: the server shuts down and closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    connection = connect(path)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (head := _read(stdin, _LENGTH.size)) is not None:
        (size,) = _LENGTH.unpack(head)
        frame = _read(stdin, size)
        if frame is None:
            return
        ingestion_time, batch = marshal.loads(frame)
        work = functools.partial(logs.append_batch, batch=batch, ingestion_time=ingestion_time)
        try:
            transaction(connection, work)
        except Exception as e:
            text = f"{type(e).__name__}: {e}".encode()
            stdout.write(b"-" + _LENGTH.pack(len(text)) + text)
        else:
            stdout.write(b"+")
        stdout.flush()


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
