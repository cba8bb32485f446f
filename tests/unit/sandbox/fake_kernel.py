"""A fake cgroup filesystem in a temporary directory, for unit tests of the pure parts.

A real cgroupfs creates a directory's files on ``mkdir`` and gives some writes special
meaning; this fake does the same for the files Lambent uses, so the v1/v2 code can be
exercised without a kernel. Patch ``make_dir``, ``write_text`` and ``discard_dir`` of
the module under test.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

V1_FILES = {
    "cgroup.procs": "",
    "memory.limit_in_bytes": "9223372036854771712",
    "memory.memsw.limit_in_bytes": "9223372036854771712",
    "memory.usage_in_bytes": "0",
    "memory.max_usage_in_bytes": "0",
    "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
    "memory.failcnt": "0",
    "pids.max": "max",
    "freezer.state": "THAWED",
    "cpu.shares": "1024",
}
V2_FILES = {
    "cgroup.procs": "",
    "cgroup.subtree_control": "",
    "cgroup.freeze": "0",
    "cgroup.events": "populated 0\nfrozen 0\n",
    "memory.max": "max",
    "memory.swap.max": "max",
    "memory.current": "0",
    "memory.peak": "0",
    "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
    "pids.max": "max",
    "cpu.weight": "100",
}


class FakeKernel:
    def __init__(self, version: str, *, real_root: Path | None = None) -> None:
        self.version = version
        #: v2: the one cgroup exempt from "no internal processes" (None: we are in a container).
        self.real_root = real_root
        self.read_only: set[Path] = set()
        self.writes: list[tuple[Path, str]] = []
        self.omit: set[str] = set()

    def make_dir(self, path: Path) -> bool:
        if path.parent in self.read_only:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        try:
            path.mkdir()
        except FileExistsError:
            return False
        files = V1_FILES if self.version == "v1" else V2_FILES
        for name, content in files.items():
            if name not in self.omit:
                (path / name).write_text(content)
        if self.version == "v2":
            offered = (path.parent / "cgroup.subtree_control").read_text()
            (path / "cgroup.controllers").write_text(offered)
        return True

    def discard_dir(self, path: Path) -> None:
        """A cgroup directory's files go with it (a plain rmdir would refuse)."""
        shutil.rmtree(path, ignore_errors=True)

    def write_text(self, path: Path, value: str) -> None:
        if path.parent in self.read_only:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        if not path.exists():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
        self.writes.append((path, value))
        if path.name == "cgroup.subtree_control":
            self._subtree_control(path, value)
        elif path.name == "cgroup.procs":
            self._move(path, int(value))
        else:
            path.write_text(value)

    def _subtree_control(self, path: Path, value: str) -> None:
        directory = path.parent
        if directory != self.real_root and (directory / "cgroup.procs").read_text().split():
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(path))
        offered = set((directory / "cgroup.controllers").read_text().split())
        enabled = set(path.read_text().split())
        for token in value.split():
            name = token[1:]
            if name not in offered:
                raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), str(path))
            (enabled.add if token[0] == "+" else enabled.discard)(name)
        path.write_text(" ".join(sorted(enabled)))

    def _move(self, path: Path, pid: int) -> None:
        root = path.parent
        while (root.parent / "cgroup.procs").exists():
            root = root.parent
        for procs in root.rglob("cgroup.procs"):
            pids = [p for p in procs.read_text().split() if p != str(pid)]
            procs.write_text("\n".join(pids))
        path.write_text((path.read_text() + f"\n{pid}").strip())


def v2_root(path: Path, controllers: str = "cpu io memory pids", procs: str = "") -> Path:
    """The top of a fake unified hierarchy."""
    path.mkdir(parents=True, exist_ok=True)
    for name, content in V2_FILES.items():
        (path / name).write_text(content)
    (path / "cgroup.controllers").write_text(controllers)
    (path / "cgroup.procs").write_text(procs)
    return path
