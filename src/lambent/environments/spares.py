"""Spare environments: sandboxes started ahead of time whose runtime has done its start-up
and imports, taken by cold starts instead of starting a sandbox and a runtime.

A cold start of a Python function otherwise spends ~70 ms before its handler is loaded:
bubblewrap and the cgroup (~5-9 ms), the interpreter and awslambdaric's imports (~50 ms);
one of a Node.js function about as long (Node's own start is ~60 ms here). A spare has
done all of that before the function was known (see ``lambent.runtimes.spare`` for what
runs in it and ``lambent.sandbox.spare`` for how a sandbox is taken); taking one costs
~1 ms here (mounts, limits, one message), then the runtime takes the function's
environment and loads its handler. Measured: ~8 ms from Invoke to answer (``make bench``).

A few spares wait per runtime installation (``--spare-environments``); each one taken is
replaced in the background. A spare serves one function, once. Whatever a spare cannot do
exactly as a fresh start would, the launcher does the slow way, and says so in the
server's log: no spare ready, an environment that sets what the runtime reads at start-up
(``PYTHON*``, ``NODE_*``, ``LD_*``, locale), a Python function that ships its own copy of
a module the spare has imported, extensions (started before the runtime, by a shell), or
a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from lambent.environments.spare_template import Template, read_at_startup, templates
from lambent.runtimes import RuntimeRegistry
from lambent.runtimes.spare import Ready, become, environ_size, module_names
from lambent.sandbox import (
    OPT_DIR,
    TASK_DIR,
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

#: A spare's runtime starts at a low CPU weight (see ``spare_template``): give it time.
_READY_TIMEOUT_S: Final = 30.0
#: Spares of a runtime that failed this many times in a row are not started again.
_MAX_FAILURES: Final = 3
#: A replacement starts this long after a spare was taken, so that on a busy machine the
#: cold start that took it gets the CPU first.
_REFILL_DELAY_S: Final = 0.05
#: Cold starts without a spare are logged at INFO at most this often per reason.
_REPORT_EVERY_S: Final = 60.0


@dataclass(slots=True)
class _Runtime:
    template: Template
    ready: deque[Spare] = field(default_factory=deque)
    warming: int = 0
    failures: int = 0
    disabled: str | None = None
    #: From the ready messages (the same for every spare of one runtime).
    modules: frozenset[str] = frozenset()
    environ_room: int = 0


class Spares:
    """Spare sandboxes per runtime installation; the launcher asks it first (``take``)."""

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
        self._runtimes = {t.executable: _Runtime(t) for t in templates}
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
    ) -> tuple[Spares | None, str]:
        """Spares for every runtime installation, installed in ``launcher`` and starting;
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
        chosen = templates(runtimes)
        spares = cls(launcher, chosen, count, injector)
        spares.start()
        labels = ", ".join(t.label for t in chosen)
        return spares, (
            f"cold starts take one of {count} spare environments per runtime "
            f"({labels}), started ahead with the runtime client's imports done"
        )

    def start(self) -> None:
        """Start the spares, and have the launcher ask for them from now on."""
        self._launcher.use_spares(self)
        for runtime in self._runtimes.values():
            self._fill(runtime)

    async def take(self, spec: SandboxSpec) -> Sandbox | None:
        runtime = self._runtimes.get(spec.argv[0])
        handler = None if runtime is None else runtime.template.handler(spec)
        if runtime is None or handler is None:
            return None  # not a runtime client's start: a custom runtime, extensions
        if not any(spare.alive for spare in runtime.ready):
            if runtime.disabled is not None:
                return self._without(f"spares disabled: {runtime.disabled}", spec)
            return self._without(f"no {runtime.template.label} spare was ready", spec)
        why_not = self._unsuitable(runtime, spec)
        if why_not is not None:
            return self._without(why_not, spec)
        while runtime.ready:
            spare = runtime.ready.popleft()
            self._fill(runtime, _REFILL_DELAY_S)
            if not spare.alive:
                await spare.discard()
                continue
            payload = become(spec.env, handler, TASK_DIR, (TASK_DIR, OPT_DIR))
            try:
                sandbox = await spare.adopt(spec, payload, self._injector)
            except (SandboxError, CgroupError) as e:
                log.warning("a spare environment could not be taken (%s); starting afresh", e)
                return self._without("the spare failed", spec)
            self.outcomes["spare"] += 1
            log.debug("%s: cold start from spare %s", spec.name, sandbox.name)
            return sandbox
        return self._without(f"no {runtime.template.label} spare was ready", spec)

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

    def _unsuitable(self, runtime: _Runtime, spec: SandboxSpec) -> str | None:
        """Why a spare of ``runtime`` cannot become ``spec`` exactly; None if it can."""
        template = runtime.template
        if spec.binds != template.binds:
            return f"the runtime's mounts {spec.binds} are not the spare's {template.binds}"
        startup = template.startup_env
        for name in sorted(set(spec.env) | set(startup)):
            if read_at_startup(template.language, name) and spec.env.get(name) != startup.get(name):
                return f"the environment sets {name}, which is read as the runtime starts"
        if environ_size(spec.env) > runtime.environ_room:
            return "the environment is larger than a spare's room for it"
        for place in template.shadowing_places(spec):
            shipped = self._listing(place) & runtime.modules
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

    def _fill(self, runtime: _Runtime, delay_s: float = 0.0) -> None:
        """Start spares until ``count`` are ready or warming."""
        if self._closed or runtime.disabled is not None:
            return
        while len(runtime.ready) + runtime.warming < self._count:
            runtime.warming += 1
            task = asyncio.get_running_loop().create_task(self._warm(runtime, delay_s))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _warm(self, runtime: _Runtime, delay_s: float) -> None:
        template = runtime.template
        try:
            if delay_s:
                await asyncio.sleep(delay_s)
            spare = await Spare.start(
                self._launcher.start_fresh, template.spec, template.greeting()
            )
            ready = Ready.parse(await spare.wait_ready(_READY_TIMEOUT_S))
        except (SandboxError, CgroupError, ValueError, OSError) as e:
            runtime.warming -= 1
            self._failed(runtime, e)
            return
        except BaseException:
            runtime.warming -= 1
            raise
        runtime.warming -= 1
        runtime.failures = 0
        runtime.modules |= ready.modules
        runtime.environ_room = ready.environ_room
        if self._closed:
            await spare.discard()
            return
        runtime.ready.append(spare)
        spare.on_lost(lambda lost: self._lost(runtime, lost))

    def _lost(self, runtime: _Runtime, spare: Spare) -> None:
        """A waiting spare died (killed from outside, out of memory): replace it."""
        log.warning("a %s spare environment died while waiting", runtime.template.label)
        with contextlib.suppress(ValueError):
            runtime.ready.remove(spare)
        task = asyncio.get_running_loop().create_task(spare.discard())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._fill(runtime, _REFILL_DELAY_S)

    def _failed(self, runtime: _Runtime, error: Exception) -> None:
        label = runtime.template.label
        runtime.failures += 1
        log.warning("a %s spare environment failed to start: %s", label, error)
        if runtime.failures < _MAX_FAILURES:
            self._fill(runtime, _REFILL_DELAY_S)
            return
        runtime.disabled = f"{runtime.failures} failed to start; the last: {error}"
        log.error("no more %s spare environments: %s", label, runtime.disabled)

    def ready_count(self) -> dict[str, int]:
        """Spares ready now, per runtime."""
        return {
            i.template.label: sum(1 for s in i.ready if s.alive) for i in self._runtimes.values()
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
        for runtime in self._runtimes.values():
            while runtime.ready:
                await runtime.ready.popleft().discard()
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
    if not runtimes.python_versions and runtimes.nodejs_version is None:
        return "no spare environments: no runtime installation was found"
    return None
