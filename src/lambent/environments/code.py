"""Packages made ready to run: each extracted once, shared read-only by its environments.

A function's package goes to ``unpacked/<sha256>/`` and its layers, merged in order
(later layers winning, as on Lambda), to ``opt/<digest of the layer list>/``. Extraction
goes to a temporary directory renamed into place, so a crash never leaves half a tree
that looks finished. Files are made readable by the sandbox's user, and executable where
the archive says so (``bootstrap``, binaries).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

_READ = 0o644
_EXEC = 0o755
_CHUNK = 1 << 20


def _extract_into(archive_path: Path, target: Path) -> None:
    """Extract one package into ``target`` (which may hold earlier layers' files)."""
    with zipfile.ZipFile(archive_path) as archive:
        for entry in archive.infolist():
            # The package passed ``inspect`` when it was accepted (names are safe, sizes
            # bounded); the containment check is a second fence, and costs nothing.
            destination = target / entry.filename
            if not destination.resolve().is_relative_to(target.resolve()):
                raise ValueError(f"entry escapes the code directory: {entry.filename}")
            if entry.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                destination.chmod(_EXEC)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            if destination.is_symlink() or destination.is_dir():
                _remove(destination)
            with archive.open(entry) as source, destination.open("wb") as sink:
                shutil.copyfileobj(source, sink, _CHUNK)
            mode = entry.external_attr >> 16
            destination.chmod(_EXEC if mode & stat.S_IXUSR else _READ)
    for directory, _, _ in os.walk(target):
        Path(directory).chmod(_EXEC)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


class CodeCache:
    def __init__(self, root: Path, blobs_root: Path) -> None:
        self._unpacked = root / "unpacked"
        self._opt = root / "opt"
        self._blobs = blobs_root
        self._pending: dict[Path, asyncio.Future[Path]] = {}
        self._known: set[Path] = set()
        for directory in (self._unpacked, self._opt):
            directory.mkdir(parents=True, exist_ok=True)

    def _blob(self, sha256_hex: str) -> Path:
        return self._blobs / f"{sha256_hex}.zip"

    async def package(self, sha256_hex: str) -> Path:
        """The directory holding the package ``sha256_hex``, extracted."""
        return await self._ready(self._unpacked / sha256_hex, (sha256_hex,))

    async def layers(self, shas: Sequence[str]) -> Path | None:
        """The directory holding the layers merged in order, or None without layers."""
        if not shas:
            return None
        digest = hashlib.sha256("\n".join(shas).encode()).hexdigest()
        return await self._ready(self._opt / digest, tuple(shas))

    async def _ready(self, target: Path, shas: tuple[str, ...]) -> Path:
        if target in self._known:
            return target
        pending = self._pending.get(target)
        if pending is None:
            pending = asyncio.get_running_loop().create_future()
            self._pending[target] = pending
            try:
                await asyncio.to_thread(self._build, target, shas)
                self._known.add(target)
                pending.set_result(target)
            except BaseException as e:
                pending.set_exception(e)
                raise
            finally:
                del self._pending[target]
        return await asyncio.shield(pending)

    def _build(self, target: Path, shas: tuple[str, ...]) -> None:
        if target.is_dir():  # extracted by an earlier run
            return
        staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=target.parent))
        try:
            for sha in shas:
                _extract_into(self._blob(sha), staging)
            staging.chmod(_EXEC)
            staging.rename(target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def sweep(self, in_use: set[str]) -> None:
        """Drop extracted packages no function uses any more (merged layers are rebuilt on
        demand, so they all go)."""
        for entry in self._unpacked.iterdir():
            if entry.name not in in_use:
                shutil.rmtree(entry, ignore_errors=True)
                self._known.discard(entry)
        shutil.rmtree(self._opt, ignore_errors=True)
        self._known = {known for known in self._known if known.parent != self._opt}
        self._opt.mkdir(parents=True, exist_ok=True)
