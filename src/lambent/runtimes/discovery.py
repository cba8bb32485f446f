"""Finding the host's language installations (interpreters, node) that runtimes run on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_PYTHON = re.compile(r"^python(\d+)\.(\d+)$")


@dataclass(frozen=True, slots=True)
class Installation:
    """One interpreter on the host: its version, executable and installation prefix (the
    directory a sandbox must show read-only for the interpreter to work)."""

    version: tuple[int, int]
    executable: Path
    prefix: Path


def _prefix(executable: Path) -> Path:
    # .../bin/python3.12 → ... ; /usr/bin/python3.12 → /usr
    return executable.parent.parent


def python_installations(search: list[Path] | None = None) -> dict[tuple[int, int], Installation]:
    """``pythonX.Y`` executables on PATH and in pyenv's versions, real files only (pyenv's
    shims are shell scripts that would not work inside a sandbox)."""
    found: dict[tuple[int, int], Installation] = {}
    directories = list(search) if search is not None else _python_dirs()
    for directory in directories:
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir()):
            match = _PYTHON.match(entry.name)
            if match is None or not os.access(entry, os.X_OK):
                continue
            real = entry.resolve()
            if "shims" in real.parts or not real.is_file():
                continue
            version = (int(match[1]), int(match[2]))
            found.setdefault(version, Installation(version, real, _prefix(real)))
    return found


def _python_dirs() -> list[Path]:
    dirs = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    versions = pyenv_root / "versions"
    if versions.is_dir():
        dirs += [v / "bin" for v in sorted(versions.iterdir())]
    return dirs


def node_installation() -> Installation | None:
    """The host's ``node``, with its major version."""
    node = shutil.which("node")
    if node is None:
        return None
    real = Path(node).resolve()
    version = _node_version(real)
    return None if version is None else Installation(version, real, _prefix(real))


def _node_version(executable: Path) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [str(executable), "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.(\d+)", out.strip())
    return None if match is None else (int(match[1]), int(match[2]))
