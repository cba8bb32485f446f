"""Density: how many idle warm Python environments fit in a GiB of memory.

``ENVIRONMENTS`` simultaneous slow invocations of one function scale it out to as many
environments; once they have answered and are idle (frozen), the proportional set size
(PSS: each shared page divided among the processes sharing it) of every process of
every sandbox is added up: bubblewrap's two and the runtime's. The same sum taken before
(the spare environments waiting) is subtracted, and the difference divided among the new
environments.
"""

from __future__ import annotations

import http.client
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.helpers import ROLE, LambentProcess, make_zip

ENVIRONMENTS = 100
#: Long enough for every invocation to be running at once.
HOLD_S = 3.0
SLOW = make_zip(
    {"app.py": "import time\ndef handler(event, context):\n    time.sleep(event['s'])\n"}
)
_CGROUP_ROOT = Path("/sys/fs/cgroup")


def _sandbox_cgroups(server_pid: int) -> list[Path]:
    """The server's sandbox cgroups, in one hierarchy (v2, else v1's pids controller)."""
    for base in (_CGROUP_ROOT, _CGROUP_ROOT / "pids"):
        found = [p for p in base.glob(f"lambent/owner-{server_pid}-*/lambent-*") if p.is_dir()]
        if found:
            return found
    return []


def _pss_kib(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0  # gone meanwhile


def _sandboxes_pss(server_pid: int) -> tuple[int, int]:
    """The sandboxes' processes and their PSS in KiB."""
    pids = [
        pid
        for cgroup in _sandbox_cgroups(server_pid)
        for pid in (cgroup / "cgroup.procs").read_text().split()
    ]
    return len(pids), sum(_pss_kib(pid) for pid in pids)


def _invoke(port: int, name: str, seconds: float) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST", f"/2015-03-31/functions/{name}/invocations", body=f'{{"s": {seconds}}}'
    )
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200 or response.getheader("X-Amz-Function-Error"):
        raise RuntimeError(f"{name}: HTTP {response.status} {body[:200]!r}")


def run(server: LambentProcess) -> dict[str, Any]:
    assert server.process is not None
    client = server.client()
    name = "bench-density"
    client.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": SLOW}, MemorySize=128, Timeout=60,
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    time.sleep(1)  # spares ready
    _, before = _sandboxes_pss(server.process.pid)
    with ThreadPoolExecutor(ENVIRONMENTS) as pool:
        list(pool.map(lambda _: _invoke(server.port, name, HOLD_S), range(ENVIRONMENTS)))
    time.sleep(1)  # idle, frozen, spares replaced
    processes, after = _sandboxes_pss(server.process.pid)
    per_environment_mib = (after - before) / 1024 / ENVIRONMENTS
    client.delete_function(FunctionName=name)
    return {
        "environments": ENVIRONMENTS,
        "sandbox_processes": processes,
        "pss_per_environment_mib": round(per_environment_mib, 2),
        "environments_per_gib": round(1024 / per_environment_mib, 1),
    }
