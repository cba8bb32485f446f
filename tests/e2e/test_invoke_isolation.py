"""What a function can and cannot reach, and that nothing of it outlives its environment.

The sandbox (ARCHITECTURE.md "Execution environments"): an unprivileged user (uid 993,
``sbx_user1051`` as on AWS: snapshot ``test_runtime_introspection_x86``), no view of the
platform's data or of other functions, read-only code, a private /tmp, a process limit,
and ``bwrap --die-with-parent``. These tests need root and bubblewrap (CI has both); they
start servers of their own where they kill or stop them.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.invoking import (
    deploy,
    invoke,
    isolation_of,
    owner_cgroups,
    processes_with,
    unique,
    wait_until,
)
from tests.helpers import LambentProcess

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox tests need root"),
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed"),
]

PROBE = """
import errno, os, pwd, sys


def _listing(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return None
    except OSError as e:
        return errno.errorcode[e.errno]


def _write(path):
    try:
        with open(path, "w") as f:
            f.write("x")
    except OSError as e:
        return errno.errorcode[e.errno]
    os.remove(path)
    return "ok"


def _cmdline(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None


def handler(event, context):
    status = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    return {
        "uid": os.getuid(),
        "euid": os.geteuid(),
        "gid": os.getgid(),
        "groups": os.getgroups(),
        "user": pwd.getpwuid(os.getuid()).pw_name,
        "cap_eff": status["CapEff"],
        "cap_bnd": status["CapBnd"],
        "exists": {p: os.path.exists(p) for p in event.get("exists", [])},
        "listing": {p: _listing(p) for p in event.get("look", [])},
        "writes": {p: _write(p) for p in event.get("write", [])},
        "processes": [_cmdline(p) for p in os.listdir("/proc") if p.isdigit()],
        "interpreter": os.path.realpath(sys.base_prefix),
        "scheduler": os.sched_getscheduler(0),
    }
"""


@pytest.fixture(scope="module")
def sandboxed_server(server: LambentProcess) -> LambentProcess:
    if isolation_of(server) != "bwrap":
        pytest.skip("the session server does not run functions under bubblewrap")
    return server


@pytest.fixture(scope="module")
def client(sandboxed_server: LambentProcess) -> Any:
    return sandboxed_server.client()


@pytest.fixture(scope="module")
def probe(client: Any) -> str:
    return deploy(client, {"app.py": PROBE, "data/own.txt": "mine"}, MemorySize=256)


def test_the_function_runs_as_an_unprivileged_user(client: Any, probe: str) -> None:
    body = invoke(client, probe, {})[1]
    assert body["uid"] == body["euid"] == 993
    assert body["gid"] == 990
    assert 0 not in body["groups"]
    assert body["user"] == "sbx_user1051"
    assert int(body["cap_eff"], 16) == 0
    assert int(body["cap_bnd"], 16) == 0


def test_functions_run_in_the_batch_scheduling_class(client: Any, probe: str) -> None:
    """A runtime woken with an event must not preempt the server on a busy machine."""
    assert invoke(client, probe, {})[1]["scheduler"] == os.SCHED_BATCH


def test_the_host_is_not_visible(
    client: Any, probe: str, sandboxed_server: LambentProcess, tmp_path: Path
) -> None:
    """Neither the platform's data directory nor the host's homes and work trees. An
    interpreter installed under a home (pyenv's /root/.pyenv/versions/X) is shown at its
    own path, alone: nothing else of that home is."""
    data = str(sandboxed_server.data_dir)
    hidden = [data, f"{data}/code", f"{data}/lambent.db", str(tmp_path), "/work", "/home"]
    look = ["/root", "/root/.pyenv", "/root/.pyenv/versions", "/home", "/work"]
    body = invoke(client, probe, {"exists": hidden, "look": look})[1]
    assert body["exists"] == dict.fromkeys(hidden, False)
    interpreter = Path(body["interpreter"])
    for path, listing in body["listing"].items():
        if interpreter.is_relative_to(path):
            assert listing == [interpreter.relative_to(path).parts[0]], (path, listing)
        else:
            assert listing in (None, [], "EACCES"), (path, listing)


def test_another_functions_code_is_not_visible(
    client: Any, probe: str, sandboxed_server: LambentProcess
) -> None:
    other = deploy(client, {"secret.py": "TOKEN = 'other function'\n", "app.py": "x = 1\n"})
    sha = client.get_function_configuration(FunctionName=other)["CodeSha256"]
    hex_sha = base64.b64decode(sha).hex()
    data = sandboxed_server.data_dir
    where = [
        str(data / "run" / "unpacked" / hex_sha),
        str(data / "code" / f"{hex_sha}.zip"),
        "/var/task/secret.py",
    ]
    body = invoke(client, probe, {"exists": where, "look": ["/var/task", "/opt"]})[1]
    assert body["exists"] == dict.fromkeys(where, False)
    assert body["listing"]["/var/task"] == ["app.py", "data"]
    assert body["listing"]["/opt"] == []


def test_only_the_sandboxs_own_processes_are_visible(client: Any, probe: str) -> None:
    """A pid namespace of its own: the server and other functions' processes are absent."""
    body = invoke(client, probe, {})[1]
    processes = [p for p in body["processes"] if p]
    assert any("awslambdaric" in p for p in processes)
    assert not any("lambent" in p and "server" in p for p in processes), processes
    assert len(processes) <= 5, processes


def test_only_tmp_is_writable(client: Any, probe: str) -> None:
    """/var/task is read-only ("Read-only file system", as on AWS); so is everything else
    but /tmp."""
    targets = [
        "/var/task/new.py",
        "/var/task/data/own.txt",
        "/opt/x",
        "/x",
        "/etc/x",
        "/usr/x",
        "/var/x",
        "/var/runtime/x",
        "/tmp/x",
    ]
    writes = invoke(client, probe, {"write": targets})[1]["writes"]
    assert writes.pop("/tmp/x") == "ok"
    assert writes["/var/task/new.py"] == "EROFS"
    assert writes["/var/task/data/own.txt"] == "EROFS"
    for path, outcome in writes.items():
        assert outcome in ("EROFS", "EACCES", "ENOENT"), (path, outcome)


FORKER = """
import errno, os, signal, subprocess

def handler(event, context):
    children, failure = [], None
    try:
        for _ in range(event["n"]):
            children.append(subprocess.Popen(["sleep", "60"]))
    except OSError as e:
        failure = errno.errorcode.get(e.errno, str(e.errno))
    finally:
        for child in children:
            child.kill()
        for child in children:
            child.wait()
    return {"started": len(children), "failure": failure}
"""


@pytest.mark.slow
def test_a_fork_bomb_is_bounded_by_the_process_limit(client: Any) -> None:
    """At most 1024 processes and threads per environment (Lambda's limit): spawning 2000
    fails with EAGAIN; the server and other functions keep answering."""
    name = deploy(client, {"app.py": FORKER}, MemorySize=2048, Timeout=120)
    response, body = invoke(client, name, {"n": 2000})
    assert "FunctionError" not in response, body
    assert body["failure"] == "EAGAIN"
    assert 500 < body["started"] < 1024
    assert invoke(client, name, {"n": 5})[1] == {"started": 5, "failure": None}
    other = deploy(client, {"app.py": "def handler(e, c):\n    return 'still here'\n"})
    assert invoke(client, other, {})[1] == "still here"


# -- nothing outlives the environment ---------------------------------------------------------

LINGERER = """
import os, subprocess

def handler(event, context):
    # A grandchild in a session of its own, still running after the answer.
    subprocess.Popen(["sleep", "300"], start_new_session=True)
    return os.environ["MARKER"]
"""


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LambentProcess]:
    process = LambentProcess(tmp_path / "data").start()
    yield process
    if process.process is not None and process.process.poll() is None:
        process.stop()


def _start_lingering(server: LambentProcess) -> tuple[str, Any]:
    client = server.client()
    marker = unique("marker")
    name = deploy(client, {"app.py": LINGERER}, Environment={"Variables": {"MARKER": marker}})
    assert invoke(client, name, {})[1] == marker
    assert wait_until(lambda: len(processes_with(marker)) >= 2, timeout=5), (
        "the runtime and its lingering child should be running"
    )
    return marker, client


def test_nothing_remains_after_the_server_stops(own_server: LambentProcess) -> None:
    marker, _ = _start_lingering(own_server)
    assert isolation_of(own_server) == "bwrap"
    assert own_server.process is not None
    pid = own_server.process.pid
    assert owner_cgroups(pid), "the sandbox's cgroups should exist while it runs"
    assert own_server.stop() == 0
    assert wait_until(lambda: not processes_with(marker), timeout=5), processes_with(marker)
    assert owner_cgroups(pid) == []


def test_kill_9_of_the_server_leaves_no_function_behind(own_server: LambentProcess) -> None:
    """bwrap dies with its parent and takes the sandbox's pid namespace with it; the next
    server removes the dead one's cgroups."""
    marker, _ = _start_lingering(own_server)
    assert own_server.process is not None
    pid = own_server.process.pid
    assert owner_cgroups(pid)
    own_server.process.send_signal(signal.SIGKILL)
    own_server.process.wait(timeout=10)
    assert wait_until(lambda: not processes_with(marker), timeout=10), processes_with(marker)
    successor = LambentProcess(own_server.data_dir).start()
    try:
        assert wait_until(lambda: owner_cgroups(pid) == [], timeout=10), owner_cgroups(pid)
        client = successor.client()
        name = deploy(client, {"app.py": "def handler(e, c):\n    return 'after'\n"})
        assert invoke(client, name, {})[1] == "after"
    finally:
        assert successor.stop() == 0


def test_process_isolation_mode_runs_functions(tmp_path: Path) -> None:
    """``--isolation process``: no sandbox (the function runs as the server's user, in its
    code directory on the host), but everything else works; nothing remains on stop."""
    server = LambentProcess(tmp_path / "data", "--isolation", "process").start()
    try:
        assert isolation_of(server) == "process"
        marker, client = _start_lingering(server)
        code = (
            "import os\n"
            "def handler(e, c):\n"
            "    return [os.getuid(), os.getcwd(), e, os.sched_getscheduler(0)]\n"
        )
        name = deploy(client, {"app.py": code})
        uid, cwd, event, scheduler = invoke(client, name, {"x": 1})[1]
        assert event == {"x": 1}
        assert scheduler == os.SCHED_BATCH
        assert uid == os.getuid()
        assert Path(cwd).is_relative_to(tmp_path / "data")
        assert (Path(cwd) / "app.py").is_file()
    finally:
        assert server.stop() == 0
    assert wait_until(lambda: not processes_with(marker), timeout=5), processes_with(marker)


def test_environments_are_frozen_between_invocations(client: Any) -> None:
    """Between invocations an environment's processes do not run (the cgroup freezer, as
    Lambda freezes): a background thread's counter does not advance while idle."""
    code = (
        "import threading, time\n"
        "TICKS = [0]\n"
        "def _tick():\n"
        "    while True:\n"
        "        TICKS[0] += 1\n"
        "        time.sleep(0.01)\n"
        "threading.Thread(target=_tick, daemon=True).start()\n"
        "def handler(e, c):\n"
        "    return TICKS[0]\n"
    )
    name = deploy(client, {"app.py": code})
    first = invoke(client, name, {})[1]
    time.sleep(1.0)
    second = invoke(client, name, {})[1]
    # A few ticks may fall between the answer and the freeze; a second of running is ~100.
    assert second - first < 20, f"the environment ran while idle ({second - first} ticks in 1 s)"
