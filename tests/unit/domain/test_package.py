"""Deployment package checks, without extracting."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambent.domain.package import UNZIP_FAILED, inspect
from lambent.domain.rules import RuleViolation
from tests.helpers import make_zip


def test_sizes_and_digest() -> None:
    data = make_zip({"a.py": "x" * 1000})
    package = inspect(data)
    assert package.size == len(data)
    assert package.unzipped_size == 1000
    assert len(package.sha256_hex) == 64


@pytest.mark.parametrize("name", ["/etc/passwd", "../escape.py", "a/../../b", "a\\b"])
def test_escaping_entries_are_refused(name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), "x")
    with pytest.raises(RuleViolation, match="Could not unzip"):
        inspect(buffer.getvalue())


def test_symlinks_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(RuleViolation, match="Could not unzip"):
        inspect(buffer.getvalue())


def test_declared_size_over_the_limit() -> None:
    data = make_zip({"zeros": b"\0" * 2_000_000})
    with pytest.raises(RuleViolation) as e:
        inspect(data, unzipped_limit=1_000_000)
    assert str(e.value) == "Unzipped size must be smaller than 1000000 bytes"


def test_corrupt_crc_is_caught() -> None:
    data = bytearray(make_zip({"a.txt": "hello world " * 50}))
    index = data.index(b"PK\x03\x04") + 30 + len("a.txt")  # first byte of the entry's data
    data[index] ^= 0xFF
    with pytest.raises(RuleViolation) as e:
        inspect(bytes(data))
    assert str(e.value) == UNZIP_FAILED


@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        inspect(data)
    except RuleViolation as e:
        assert str(e) == UNZIP_FAILED
