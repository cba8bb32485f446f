"""Where an environment's code, layers and runtime client are, as its runtime sees them.

Under bubblewrap they are at Lambda's paths (/var/task, /opt, /var/runtime); a plain
process (isolation ``process``) sees the host's directories themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TASK_ROOT = "/var/task"
OPT_ROOT = "/opt"
RUNTIME_ROOT = "/var/runtime"


@dataclass(frozen=True, slots=True)
class Layout:
    task: str
    opt: str
    runtime: str

    @classmethod
    def sandboxed(cls) -> Layout:
        return cls(TASK_ROOT, OPT_ROOT, RUNTIME_ROOT)

    @classmethod
    def host(cls, code: Path, opt: Path | None, runtime: Path | None) -> Layout:
        # Without layers /opt is absent; a path that does not exist keeps lookups failing.
        missing = str(code.parent / ".no-opt")
        return cls(
            str(code),
            str(opt) if opt is not None else missing,
            str(runtime) if runtime is not None else missing,
        )
