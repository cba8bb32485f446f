"""Spare Python environments: sandboxes started ahead of time whose runtime has done its
imports, taken by cold starts instead of starting a sandbox and an interpreter.

A cold start of a Python function otherwise spends ~70 ms before its handler is loaded:
bubblewrap and the cgroup (~5-9 ms), the interpreter and awslambdaric's imports (~50 ms).
A spare has done all of that before the function was known (see
``lambent.runtimes.python_spare`` for its stub and ``lambent.sandbox.spare`` for how a
sandbox is taken); taking one costs ~1 ms here (mounts, limits, one message) and ~3 ms
in the stub, which imports the client's own modules and the handler with the function's
environment. Measured: ~8 ms from Invoke to answer, against ~70 (``make bench``).

A few spares wait per interpreter (``--spare-environments``); each one taken is replaced
in the background. A spare serves one function, once. Whatever a spare cannot do exactly
as a fresh start would, the launcher does the slow way, and says so in the server's log:
no spare ready, an environment that sets what the interpreter reads at start-up
(``PYTHON*``, ``LD_*``, locale), a function that ships its own copy of a module the spare
has imported, extensions (started before the runtime, by a shell), or a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from lambent.environments.launch import Identity, launch
from lambent.environments.layout import Layout
from lambent.runtimes import RuntimeRegistry
from lambent.runtimes.python_spare import (
    ENVIRON_ROOM,
    ROOM_VARIABLE,
    Ready,
    become,
    boot_argv,
    environ_size,
    module_names,
    stub_source,
)
from lambent.sandbox import (
    OPT_DIR,
    TASK_DIR,
    Bind,
    CgroupError,
    IsolationMode,
    MountInjector,
    Sandbox,
    SandboxError,
    SandboxLauncher,
    SandboxSpec,
    Spare,
    UserStrategy,
)

log = logging.getLogger(__name__)

#: A spare's stub runs at a low CPU weight (see ``_SPARE_MEMORY_MIB``): give it time.
_READY_TIMEOUT_S: Final = 30.0
#: Spares of an interpreter that failed this many times in a row are not started again.
_MAX_FAILURES: Final = 3
#: A replacement starts this long after a spare was taken, so that on a busy machine the
#: cold start that took it gets the CPU first.
_REFILL_DELAY_S: Final = 0.05
#: Cold starts without a spare are logged at INFO at most this often per reason.
_REPORT_EVERY_S: Final = 60.0
#: A waiting spare's memory limit: the stub needs ~15 MiB, and the CPU weight follows
#: memory, so warming spares yield to running functions.
_SPARE_MEMORY_MIB: Final = 128
#: Lambda's default ``EphemeralStorage``; another size is set when the spare is taken.
_SPARE_TMP_MIB: Final = 512
_CLIENT_ARGS: Final = ("-m", "awslambdaric")
#: Variables the interpreter, the C library or OpenSSL read as the process starts: a
#: function that sets one differently from the spare's start-up environment starts afresh.
_STARTUP_PREFIXES: Final = ("PYTHON", "LD_", "LC_", "MALLOC_", "OPENSSL_", "GLIBC_")
_STARTUP_NAMES: Final = frozenset({"LANG", "LANGUAGE"})


def read_at_startup(name: str) -> bool:
    return name in _STARTUP_NAMES or name.startswith(_STARTUP_PREFIXES)


@dataclass(frozen=True, slots=True)
class Template:
    """What every spare of one interpreter starts with: what a function's spec on that
    interpreter has too, except for the function's own parts."""

    label: str
    version: tuple[int, int]
    executable: str
    binds: tuple[Bind, ...]
    #: The variables read at start-up, as a function's environment has them by default.
    startup_env: Mapping[str, str]

    def spec(self, channel_fd: int) -> SandboxSpec:
        return SandboxSpec(
            name=f"lambent-spare-{uuid.uuid4().hex[:16]}",
            argv=boot_argv(self.executable, channel_fd),
            env={**self.startup_env, ROOM_VARIABLE: "." * ENVIRON_ROOM},
            code_dir=None,  # an empty /var/task until a function takes it
            memory_mib=_SPARE_MEMORY_MIB,
            tmp_mib=_SPARE_TMP_MIB,
            binds=self.binds,
            pass_fds=(channel_fd,),
        )


def python_template(runtimes: RuntimeRegistry, version: tuple[int, int]) -> Template:
    """The template for one interpreter, from what ``launch`` gives any function on it
    (and the mounts the environment manager adds: a mismatch shows when taking a spare)."""
    label = f"python{version[0]}.{version[1]}"
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
    startup_env = {k: v for k, v in started.env.items() if read_at_startup(k)}
    return Template(label, version, started.argv[0], tuple(binds), startup_env)


@dataclass(slots=True)
class _Interpreter:
    template: Template
    ready: deque[Spare] = field(default_factory=deque)
    warming: int = 0
    failures: int = 0
    disabled: str | None = None
    #: From the stubs' ready messages (the same for every spare of one interpreter).
    modules: frozenset[str] = frozenset()
    environ_room: int = 0


class PythonSpares:
    """Spare sandboxes per Python interpreter; the launcher asks it first (``take``)."""

    def __init__(
        self,
        launcher: SandboxLauncher,
        templates: list[Template],
        count: int,
        injector: MountInjector,
    ) -> None:
        self._launcher = launcher
        self._count = count
        self._injector = injector
        self._interpreters = {t.executable: _Interpreter(t) for t in templates}
        self._tasks: set[asyncio.Task[None]] = set()
        self._listings: dict[Path, frozenset[str]] = {}
        self._closed = False
        #: "spare", or why a cold start did without one: for the log and for tests.
        self.outcomes: Counter[str] = Counter()
        #: Per reason: when it was last logged at INFO, and its count then.
        self._reported: dict[str, tuple[float, int]] = {}

    @classmethod
    async def create(
        cls, launcher: SandboxLauncher, runtimes: RuntimeRegistry, count: int
    ) -> tuple[PythonSpares | None, str]:
        """Spares for every Python interpreter, installed in ``launcher`` and starting;
        or None. Either way, a sentence for the start-up announcement saying which."""
        why_not = _unsupported(launcher, runtimes, count)
        injector = None
        if why_not is None:
            injector = MountInjector()
            why_not = await injector.probe()
        if why_not is not None or injector is None:
            if injector is not None:
                injector.close()
            return None, f"every cold start starts a new sandbox and runtime ({why_not})"
        templates = [python_template(runtimes, v) for v in runtimes.python_versions]
        spares = cls(launcher, templates, count, injector)
        spares.start()
        labels = ", ".join(t.label for t in templates)
        return spares, (
            f"Python cold starts take one of {count} spare environments per interpreter "
            f"({labels}), started ahead with the runtime client's imports done"
        )

    def start(self) -> None:
        """Start the spares, and have the launcher ask for them from now on."""
        self._launcher.use_spares(self)
        for interpreter in self._interpreters.values():
            self._fill(interpreter)

    async def take(self, spec: SandboxSpec) -> Sandbox | None:
        interpreter = self._interpreters.get(spec.argv[0])
        if interpreter is None or spec.argv[1:3] != _CLIENT_ARGS or len(spec.argv) != 4:
            return None  # not `python -m awslambdaric HANDLER`: another runtime, extensions
        if spec.code_dir is None:
            return None
        if not any(spare.alive for spare in interpreter.ready):
            if interpreter.disabled is not None:
                return self._without(f"spares disabled: {interpreter.disabled}", spec)
            return self._without(f"no {interpreter.template.label} spare was ready", spec)
        why_not = self._unsuitable(interpreter, spec)
        if why_not is not None:
            return self._without(why_not, spec)
        while interpreter.ready:
            spare = interpreter.ready.popleft()
            self._fill(interpreter, _REFILL_DELAY_S)
            if not spare.alive:
                await spare.discard()
                continue
            payload = become(spec.env, spec.argv[3], TASK_DIR, (TASK_DIR, OPT_DIR))
            try:
                sandbox = await spare.adopt(spec, payload, self._injector)
            except (SandboxError, CgroupError) as e:
                log.warning("a spare environment could not be taken (%s); starting afresh", e)
                return self._without("the spare failed", spec)
            self.outcomes["spare"] += 1
            log.debug("%s: cold start from spare %s", spec.name, sandbox.name)
            return sandbox
        return self._without(f"no {interpreter.template.label} spare was ready", spec)

    def _without(self, reason: str, spec: SandboxSpec) -> Sandbox | None:
        """Count and log a cold start that does without a spare: at INFO the first time for
        each reason and then at most once a minute, saying how often it happened meanwhile
        (a burst of cold starts is not a burst of lines); DEBUG for the others."""
        self.outcomes[reason] += 1
        now = time.monotonic()
        last = self._reported.get(reason)
        if last is None or now - last[0] >= _REPORT_EVERY_S:
            since = self.outcomes[reason] - (last[1] if last else 0)
            self._reported[reason] = (now, self.outcomes[reason])
            times = f" ({since} times since the last report)" if last else ""
            log.info("%s: cold start without a spare environment: %s%s", spec.name, reason, times)
        else:
            log.debug("%s: cold start without a spare environment: %s", spec.name, reason)
        return None

    def _unsuitable(self, interpreter: _Interpreter, spec: SandboxSpec) -> str | None:
        """Why a spare of ``interpreter`` cannot become ``spec`` exactly; None if it can."""
        template = interpreter.template
        if spec.binds != template.binds:
            return f"the runtime's mounts {spec.binds} are not the spare's {template.binds}"
        for name in sorted(set(spec.env) | set(template.startup_env)):
            if read_at_startup(name) and spec.env.get(name) != template.startup_env.get(name):
                return f"the environment sets {name}, which is read as the interpreter starts"
        if environ_size(spec.env) > interpreter.environ_room:
            return "the environment is larger than a spare's room for it"
        major, minor = template.version
        places = [spec.code_dir] if spec.code_dir is not None else []
        if spec.opt_dir is not None:
            python = spec.opt_dir / "python"
            places += [python / "lib" / f"python{major}.{minor}" / "site-packages", python]
        for place in places:
            shipped = self._listing(place) & interpreter.modules
            if shipped:
                return f"the function ships its own {min(shipped)}, which a spare has imported"
        return None

    def _listing(self, directory: Path) -> frozenset[str]:
        # Code and layer directories are named by their content's digest: never stale.
        names = self._listings.get(directory)
        if names is None:
            if len(self._listings) > 4096:
                self._listings.clear()
            names = self._listings[directory] = module_names(directory)
        return names

    def _fill(self, interpreter: _Interpreter, delay_s: float = 0.0) -> None:
        """Start spares until ``count`` are ready or warming."""
        if self._closed or interpreter.disabled is not None:
            return
        while len(interpreter.ready) + interpreter.warming < self._count:
            interpreter.warming += 1
            task = asyncio.get_running_loop().create_task(self._warm(interpreter, delay_s))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _warm(self, interpreter: _Interpreter, delay_s: float) -> None:
        template = interpreter.template
        try:
            if delay_s:
                await asyncio.sleep(delay_s)
            spare = await Spare.start(
                self._launcher.start_fresh,
                template.spec,
                stub_source(),
            )
            ready = Ready.parse(await spare.wait_ready(_READY_TIMEOUT_S))
        except (SandboxError, CgroupError, ValueError, OSError) as e:
            interpreter.warming -= 1
            self._failed(interpreter, e)
            return
        except BaseException:
            interpreter.warming -= 1
            raise
        interpreter.warming -= 1
        interpreter.failures = 0
        interpreter.modules |= ready.modules
        interpreter.environ_room = ready.environ_room
        if self._closed:
            await spare.discard()
            return
        interpreter.ready.append(spare)
        spare.on_lost(lambda lost: self._lost(interpreter, lost))

    def _lost(self, interpreter: _Interpreter, spare: Spare) -> None:
        """A waiting spare died (killed from outside, out of memory): replace it."""
        log.warning("a %s spare environment died while waiting", interpreter.template.label)
        with contextlib.suppress(ValueError):
            interpreter.ready.remove(spare)
        task = asyncio.get_running_loop().create_task(spare.discard())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._fill(interpreter, _REFILL_DELAY_S)

    def _failed(self, interpreter: _Interpreter, error: Exception) -> None:
        label = interpreter.template.label
        interpreter.failures += 1
        log.warning("a %s spare environment failed to start: %s", label, error)
        if interpreter.failures < _MAX_FAILURES:
            self._fill(interpreter, _REFILL_DELAY_S)
            return
        interpreter.disabled = f"{interpreter.failures} failed to start; the last: {error}"
        log.error("no more %s spare environments: %s", label, interpreter.disabled)

    def ready_count(self) -> dict[str, int]:
        """Spares ready now, per interpreter."""
        return {
            i.template.label: sum(1 for s in i.ready if s.alive)
            for i in self._interpreters.values()
        }

    async def close(self) -> None:
        """Stop starting spares and end those waiting (taken ones belong to environments)."""
        self._closed = True
        self._launcher.use_spares(None)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        for interpreter in self._interpreters.values():
            while interpreter.ready:
                await interpreter.ready.popleft().discard()
        self._injector.close()


def _unsupported(launcher: SandboxLauncher, runtimes: RuntimeRegistry, count: int) -> str | None:
    isolation = launcher.isolation
    if count <= 0:
        return "spare environments are off: --spare-environments 0"
    if isolation.mode is not IsolationMode.BWRAP or isolation.bwrap is None:
        return "no spare environments in process isolation mode"
    if isolation.bwrap.user is not UserStrategy.SETPRIV:
        return "no spare environments without root: they are set up from outside"
    if isolation.cgroups is None:
        return "no spare environments without cgroups: their limits change when taken"
    if not runtimes.python_versions:
        return "no spare environments: no Python interpreter has the runtime client"
    return None
