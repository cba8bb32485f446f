"""Deployment packages (.zip): the checks AWS makes before it accepts one."""

from __future__ import annotations

import hashlib
import io
import lzma
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from lambent.domain import limits
from lambent.domain.rules import Kind, RuleViolation

#: What reading a hostile or damaged archive can raise: corrupt structure or streams
#: (zlib, lzma), unsupported compression, encryption (RuntimeError), truncation.
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    EOFError,
    OSError,
)
UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."


@dataclass(frozen=True, slots=True)
class Package:
    sha256_hex: str
    size: int
    unzipped_size: int


def _safe_name(name: str) -> bool:
    """An entry must land inside the directory it is extracted to."""
    if name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    return ".." not in PurePosixPath(name).parts


def inspect(
    data: bytes,
    unzipped_limit: int = limits.UNZIPPED_CODE_MAX,
    zipped_limit: int | None = limits.ZIPPED_CODE_MAX,
) -> Package:
    """Check a .zip without extracting it: a bomb is caught by its declared sizes, and the
    extractor re-checks actual sizes. Corrupt archives, and entries that would escape the
    code directory (absolute paths, ``..``, links) are refused as AWS refuses them."""
    # ``zipped_limit`` is None for packages from S3: AWS limits only direct uploads to 50 MB.
    if zipped_limit is not None and len(data) > zipped_limit:
        raise RuleViolation(
            f"Zipped size must be smaller than {zipped_limit} bytes",
            Kind.REQUEST_TOO_LARGE,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = _declared_size(archive.infolist())
            if unzipped > unzipped_limit:
                raise RuleViolation(f"Unzipped size must be smaller than {unzipped_limit} bytes")
            # Reading stops at each entry's declared size (and fails its CRC if the data
            # says otherwise), so this is bounded by the sizes just checked.
            if archive.testzip() is not None:
                raise RuleViolation(UNZIP_FAILED)
    except RuleViolation:
        raise
    except _UNREADABLE:
        raise RuleViolation(UNZIP_FAILED) from None
    return Package(hashlib.sha256(data).hexdigest(), len(data), unzipped)


def _declared_size(entries: list[zipfile.ZipInfo]) -> int:
    total = 0
    for entry in entries:
        mode = entry.external_attr >> 16
        if not _safe_name(entry.filename) or stat.S_ISLNK(mode):
            raise RuleViolation(UNZIP_FAILED)
        total += entry.file_size
    return total
