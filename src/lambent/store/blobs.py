"""Content-addressed storage for deployment packages: one file per SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

_HEX = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    """Blobs are written before the database row that names them is committed, and
    swept when no row names them any more (also after a crash between the two)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256_hex: str) -> Path:
        if not _HEX.match(sha256_hex):
            raise ValueError(f"not a SHA-256: {sha256_hex!r}")
        return self.root / f"{sha256_hex}.zip"

    def put(self, data: bytes) -> str:
        """Store ``data`` durably; returns its SHA-256 in hex. Idempotent."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return digest

    def read(self, sha256_hex: str) -> bytes:
        return self.path(sha256_hex).read_bytes()

    def sweep(self, referenced: Iterable[str]) -> int:
        """Delete blobs no row references, and leftovers of interrupted writes."""
        keep = {f"{digest}.zip" for digest in referenced}
        removed = 0
        for entry in self.root.iterdir():
            if entry.name not in keep:
                entry.unlink(missing_ok=True)
                removed += 1
        return removed
