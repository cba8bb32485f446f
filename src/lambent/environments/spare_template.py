"""What every spare environment of one runtime installation starts with (``Template``):
what a function's sandbox on that runtime has too, but for the function's own parts; and
which of a function's variables the runtime reads as it starts, so that a spare started
without them cannot become that function (``lambent.environments.spares``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lambent.environments.launch import Identity, launch
from lambent.environments.layout import Layout
from lambent.runtimes import Language, RuntimeRegistry
from lambent.runtimes.spare import (
    CHANNEL_VARIABLE,
    ENVIRON_ROOM,
    ROOM_VARIABLE,
    boot_argv,
    stub_source,
)
from lambent.sandbox import TASK_DIR, Bind, SandboxSpec

#: A waiting spare's memory limit: Python's stub needs ~15 MiB, Node.js ~45, and the CPU
#: weight follows memory, so warming spares yield to running functions.
_SPARE_MEMORY_MIB: Final = 128
#: Lambda's default ``EphemeralStorage``; another size is set when the spare is taken.
_SPARE_TMP_MIB: Final = 512
#: Variables a runtime, the C library or OpenSSL read as the process starts: a function
#: that sets one differently from the spare's start-up environment starts afresh.
_STARTUP_PREFIXES: Final = {
    Language.PYTHON: ("PYTHON", "LD_", "LC_", "MALLOC_", "OPENSSL_", "GLIBC_"),
    # HOME: Node's module resolution adds ~/.node_modules as it starts.
    Language.NODEJS: ("NODE_", "UV_", "LD_", "LC_", "MALLOC_", "OPENSSL_", "SSL_CERT_", "GLIBC_"),
}
_STARTUP_NAMES: Final = {
    Language.PYTHON: frozenset({"LANG", "LANGUAGE"}),
    Language.NODEJS: frozenset({"LANG", "LANGUAGE", "HOME", "ICU_DATA"}),
}


def read_at_startup(language: Language, name: str) -> bool:
    return name in _STARTUP_NAMES[language] or name.startswith(_STARTUP_PREFIXES[language])


@dataclass(frozen=True, slots=True)
class Template:
    """What every spare of one runtime installation starts with: what a function's spec
    on that runtime has too, except for the function's own parts."""

    label: str
    language: Language
    #: Python's (major, minor); Node.js's (major, 0).
    version: tuple[int, int]
    #: A fresh start's argv, but for the handler when the runtime takes it as an argument.
    fresh: tuple[str, ...]
    binds: tuple[Bind, ...]
    #: The variables read at start-up, as a function's environment has them by default.
    startup_env: Mapping[str, str]

    @property
    def executable(self) -> str:
        return self.fresh[0]

    @property
    def handler_in_argv(self) -> bool:
        """Python's client takes the handler as its argument; Node's reads ``_HANDLER``."""
        return self.language is Language.PYTHON

    def spec(self, channel_fd: int) -> SandboxSpec:
        env = {**self.startup_env, ROOM_VARIABLE: "." * ENVIRON_ROOM}
        if self.language is Language.PYTHON:
            argv = boot_argv(self.executable, channel_fd)
        else:  # Node.js: our runtime, as a fresh start runs it, waits on the channel
            argv = self.fresh
            env[CHANNEL_VARIABLE] = str(channel_fd)
        return SandboxSpec(
            name=f"lambent-spare-{uuid.uuid4().hex[:16]}",
            argv=argv,
            env=env,
            code_dir=None,  # an empty /var/task until a function takes it
            memory_mib=_SPARE_MEMORY_MIB,
            tmp_mib=_SPARE_TMP_MIB,
            binds=self.binds,
            pass_fds=(channel_fd,),
        )

    def greeting(self) -> bytes:
        """The first frame on the channel: Python's stub, which its interpreter runs."""
        return stub_source() if self.language is Language.PYTHON else b""

    def handler(self, spec: SandboxSpec) -> str | None:
        """The handler of a spec a spare of this template could become; else None."""
        prefix = self.fresh
        if spec.argv[: len(prefix)] != prefix or spec.code_dir is None:
            return None
        if self.handler_in_argv:
            return spec.argv[-1] if len(spec.argv) == len(prefix) + 1 else None
        return spec.env.get("_HANDLER", "") if len(spec.argv) == len(prefix) else None

    def shadowing_places(self, spec: SandboxSpec) -> list[Path]:
        """Where a function's own modules could shadow those the spare imported: Python's
        code and layer paths; none for Node.js, whose runtime imports by absolute path."""
        if self.language is not Language.PYTHON or spec.code_dir is None:
            return []
        major, minor = self.version
        places = [spec.code_dir]
        if spec.opt_dir is not None:
            python = spec.opt_dir / "python"
            places += [python / "lib" / f"python{major}.{minor}" / "site-packages", python]
        return places


def template(runtimes: RuntimeRegistry, label: str) -> Template:
    """The template for one runtime, from what ``launch`` gives any function on it
    (and the mounts the environment manager adds: a mismatch shows when taking a spare)."""
    choice = runtimes.choose(label)
    assert choice.installation is not None and choice.runtime_dir is not None
    layout = Layout.sandboxed()
    binds = [Bind(choice.runtime_dir, layout.runtime)]
    if not str(choice.installation.prefix).startswith("/usr"):
        binds.append(Bind.same_path(choice.installation.prefix))
    nobody = Identity(
        account="", region="", name="", version="", memory_mb=128, handler="",
        log_group="", log_stream="",
    )  # fmt: skip
    started = launch(
        nobody, choice, layout, {}, code=Path(TASK_DIR), opt=None, runtime_api="", credentials={}
    )
    language = choice.language
    startup_env = {k: v for k, v in started.env.items() if read_at_startup(language, k)}
    version = choice.installation.version
    fresh = started.argv[:-1] if language is Language.PYTHON else started.argv
    return Template(label, language, (version[0], version[1]), fresh, tuple(binds), startup_env)


def templates(runtimes: RuntimeRegistry) -> list[Template]:
    """One per Python interpreter with the runtime client, and one for Node.js."""
    labels = [f"python{major}.{minor}" for major, minor in runtimes.python_versions]
    if runtimes.nodejs_version is not None:
        labels.append(f"nodejs{runtimes.nodejs_version}.x")
    return [template(runtimes, label) for label in labels]
