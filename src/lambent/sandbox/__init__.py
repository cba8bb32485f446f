"""Sandboxes: starting, freezing, measuring and killing the process tree of one runtime.

Start-up, once::

    isolation = await detect_isolation(IsolationRequest.AUTO)   # or BWRAP / PROCESS
    print(isolation.reason)                                     # announce what we got
    launcher = SandboxLauncher(isolation)
    await launcher.cleanup_leftovers()                          # a crashed predecessor's

Per execution environment::

    sandbox = await launcher.start(SandboxSpec(
        name="fn-1-abc", argv=("/var/runtime/bootstrap",), env={...},
        code_dir=Path(".../code"), opt_dir=Path(".../layers"), memory_mib=128,
        tmp_mib=512, binds=(Bind(Path(".../runtime"), "/var/runtime"),),
    ))
    sandbox.stdout, sandbox.stderr        # asyncio.StreamReader: the function's logs
    await sandbox.freeze(); await sandbox.thaw()
    sandbox.memory()                      # MemoryUsage(current, peak) in bytes
    sandbox.oom_kills()                   # > 0: the OOM killer fired
    status = await sandbox.wait()         # ExitStatus: status.describe() == "signal: killed"
    await sandbox.close()                 # kill the whole tree, remove the cgroup

Modes (:class:`IsolationMode`):

* ``bwrap``: bubblewrap gives the program its own mount, pid, ipc and uts namespaces, a
  minimal read-only view of the host (``/usr``, a few ``/etc`` entries, fresh ``/proc``
  and ``/dev``), the code read-only at ``/var/task``, layers at ``/opt``, a private
  size-capped ``/tmp``, the host's network (to reach the Runtime API on 127.0.0.1), and
  uid 993 (``sbx_user1051``, as on Lambda). ``--die-with-parent`` ties it to the server.
* ``process``: a plain child process in its own session, with exactly the given
  environment and the code directory as working directory. NOT isolated.

Spares (bwrap mode, root): ``lambent.sandbox.spare`` starts a sandbox before its function
is known and makes it that function's later (its code mounted in through the sandbox's
mount namespace, ``mountns``; its limits set); ``launcher.use_spares(provider)`` has
:meth:`SandboxLauncher.start` ask the provider for one first
(``lambent.environments.spares``).

Either mode uses cgroups (v2, or v1 where the controllers are there) when writable: a
memory limit with OOM accounting, a process limit, CPU weight proportional to memory
(1769 MiB = one vCPU, as on Lambda) and the freezer. Limits: ``/tmp`` is a tmpfs, so
what a function writes there counts towards its memory too.
"""

from lambent.sandbox.bwrap import UserStrategy
from lambent.sandbox.cgroup import CleanupReport, MemoryUsage
from lambent.sandbox.cgroup_detect import DEFAULT_PREFIX as DEFAULT_CGROUP_PREFIX
from lambent.sandbox.cgroupfs import CgroupVersion
from lambent.sandbox.detect import detect_isolation
from lambent.sandbox.errors import (
    CgroupError,
    IsolationUnavailableError,
    SandboxError,
    SandboxStartError,
    SandboxStateError,
)
from lambent.sandbox.hostview import SANDBOX_GID, SANDBOX_UID, SANDBOX_USER
from lambent.sandbox.isolation import Isolation, IsolationMode, IsolationRequest
from lambent.sandbox.launcher import SandboxLauncher, SpareProvider
from lambent.sandbox.limits import MIB_PER_VCPU, CgroupLimits
from lambent.sandbox.mountns import MountInjector
from lambent.sandbox.sandbox import Sandbox, SandboxState
from lambent.sandbox.signals import fatal_signal_pending
from lambent.sandbox.spare import Spare, SpareState
from lambent.sandbox.spec import OPT_DIR, TASK_DIR, Bind, SandboxSpec
from lambent.sandbox.status import ExitStatus

__all__ = [
    "DEFAULT_CGROUP_PREFIX",
    "MIB_PER_VCPU",
    "OPT_DIR",
    "SANDBOX_GID",
    "SANDBOX_UID",
    "SANDBOX_USER",
    "TASK_DIR",
    "Bind",
    "CgroupError",
    "CgroupLimits",
    "CgroupVersion",
    "CleanupReport",
    "ExitStatus",
    "Isolation",
    "IsolationMode",
    "IsolationRequest",
    "IsolationUnavailableError",
    "MemoryUsage",
    "MountInjector",
    "Sandbox",
    "SandboxError",
    "SandboxLauncher",
    "SandboxSpec",
    "SandboxStartError",
    "SandboxState",
    "SandboxStateError",
    "Spare",
    "SpareProvider",
    "SpareState",
    "UserStrategy",
    "detect_isolation",
    "fatal_signal_pending",
]
