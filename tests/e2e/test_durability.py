"""What the API acknowledged survives: concurrent writers serialize without lost updates,
and a server killed with SIGKILL mid-write restarts with every acknowledged write intact,
nothing half-written visible, nothing left unsettled and no orphaned code packages."""

from __future__ import annotations

import base64
import hashlib
import os
import random
import signal
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.helpers import HELLO_ZIP, ROLE, LambentProcess, make_zip

RETRYABLE = ("PreconditionFailedException", "ResourceConflictException")


def sha_of(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def hex_of(code_sha256: str) -> str:
    return base64.b64decode(code_sha256).hex()


def run_all(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(0..count-1)`` on as many threads at once; re-raise the first failure."""
    start = threading.Barrier(count)

    def together(index: int) -> Any:
        start.wait(timeout=30)
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(together, index) for index in range(count)]
        return [future.result(timeout=120) for future in futures]


# --- Concurrent writers -----------------------------------------------------------------------

WRITERS = 20
WRITES_EACH = 3


@pytest.mark.slow
def test_compare_and_swap_updates_lose_nothing(
    server: LambentProcess, lambda_client: Any, function: dict[str, Any]
) -> None:
    """20 threads increment a counter kept in Description, each with a RevisionId
    compare-and-swap loop: every acknowledged write is a distinct step, none is lost."""
    name = function["FunctionName"]
    lambda_client.update_function_configuration(FunctionName=name, Description="0")
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    clients = [server.client() for _ in range(WRITERS)]

    def writer(index: int) -> list[int]:
        client, mine = clients[index], []
        rng = random.Random(index)
        deadline = time.monotonic() + 60
        while len(mine) < WRITES_EACH:
            assert time.monotonic() < deadline, "no progress: writers starve each other"
            current = client.get_function_configuration(FunctionName=name)
            value = int(current["Description"]) + 1
            try:
                client.update_function_configuration(
                    FunctionName=name, Description=str(value), RevisionId=current["RevisionId"]
                )
            except ClientError as e:
                assert e.response["Error"]["Code"] in RETRYABLE, e.response
                time.sleep(rng.uniform(0, 0.005))
                continue
            mine.append(value)
        return mine

    acknowledged = sorted(v for values in run_all(WRITERS, writer) for v in values)
    total = WRITERS * WRITES_EACH
    # Two writers acknowledged for the same step would mean one overwrote the other.
    assert acknowledged == list(range(1, total + 1))
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    final = lambda_client.get_function_configuration(FunctionName=name)
    assert final["Description"] == str(total)
    assert final["LastUpdateStatus"] == "Successful"


def test_concurrent_creates_of_one_name(server: LambentProcess, name: str) -> None:
    clients = [server.client() for _ in range(10)]
    packages = [make_zip({"app.py": f"# writer {i}\n"}) for i in range(10)]

    def create(index: int) -> str:
        try:
            created = clients[index].create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=ROLE,
                Handler="app.handler",
                Code={"ZipFile": packages[index]},
            )
        except ClientError as e:
            assert e.response["Error"]["Code"] == "ResourceConflictException"
            assert e.response["Error"]["Message"] == f"Function already exist: {name}"
            return ""
        return str(created["CodeSha256"])

    winners = [sha for sha in run_all(10, create) if sha]
    assert len(winners) == 1
    stored = clients[0].get_function_configuration(FunctionName=name)
    assert stored["CodeSha256"] == winners[0]


def test_concurrent_publishes_make_one_version(
    server: LambentProcess, lambda_client: Any, function: dict[str, Any]
) -> None:
    name = function["FunctionName"]
    clients = [server.client() for _ in range(10)]
    versions = run_all(10, lambda i: clients[i].publish_version(FunctionName=name)["Version"])
    assert set(versions) == {"1"}
    listed = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in listed] == ["$LATEST", "1"]


# --- SIGKILL in the middle of writes ----------------------------------------------------------


@pytest.fixture
def servers(tmp_data: Path) -> Iterator[Callable[[], LambentProcess]]:
    """Start servers on ``tmp_data``, one after the other; none outlives the test."""
    started: list[LambentProcess] = []

    def start() -> LambentProcess:
        started.append(LambentProcess(tmp_data).start())
        return started[-1]

    yield start
    for server in started:
        if server.process is not None and server.process.poll() is None:
            server.stop(signal.SIGKILL)


@dataclass
class Ledger:
    """What each writer was told (acknowledged) and what it cannot know (in flight)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Function name -> CodeSha256 of $LATEST as last acknowledged.
    latest: dict[str, str] = field(default_factory=dict)
    #: Function name -> version -> CodeSha256, for acknowledged publishes.
    versions: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Function name -> CodeSha256s of writes whose answer never came.
    in_flight: dict[str, set[str]] = field(default_factory=dict)
    #: Every function name a writer tried to create.
    attempted: set[str] = field(default_factory=set)


class Killed(Exception):
    """The server went away under a writer."""


def package_for(label: str) -> bytes:
    # Incompressible padding makes each package write (and fsync) take a while, so the
    # kill is likely to land while one is half done.
    return make_zip(
        {"app.py": f"# {label}\ndef handler(e, c):\n    return 1\n", "pad": os.urandom(96 * 1024)}
    )


def call(ledger: Ledger, name: str, sha: str, action: Callable[[], Any]) -> Any:
    """``action()``, retried while the function is busy; an answer that never came is
    recorded as in flight."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return action()
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceConflictException":
                raise
            assert time.monotonic() < deadline
            time.sleep(0.005)
        except BotoCoreError:
            with ledger.lock:
                ledger.in_flight.setdefault(name, set()).add(sha)
            raise Killed from None


def write_until_killed(client: Any, ledger: Ledger, writer: int) -> int:
    done = 0
    try:
        while True:
            name = f"w{writer}-{done}"
            with ledger.lock:
                ledger.attempted.add(name)
            first = package_for(f"{name} first")
            created = call(
                ledger,
                name,
                sha_of(first),
                lambda name=name, first=first: client.create_function(
                    FunctionName=name,
                    Runtime="python3.12",
                    Role=ROLE,
                    Handler="app.handler",
                    Code={"ZipFile": first},
                ),
            )
            assert created["CodeSha256"] == sha_of(first)
            with ledger.lock:
                ledger.latest[name] = sha_of(first)
            second = package_for(f"{name} second")
            published = call(
                ledger,
                name,
                sha_of(second),
                lambda name=name, second=second: client.update_function_code(
                    FunctionName=name, ZipFile=second, Publish=True
                ),
            )
            assert (published["Version"], published["CodeSha256"]) == ("1", sha_of(second))
            with ledger.lock:
                ledger.latest[name] = sha_of(second)
                ledger.versions[name] = {"1": sha_of(second)}
            done += 1
    except Killed:
        return done


def all_functions(client: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_functions").paginate()
    return [f for page in pages for f in page["Functions"]]


def download(location: str) -> bytes:
    with urllib.request.urlopen(location, timeout=30) as response:
        data: bytes = response.read()
    return data


@pytest.mark.slow
def test_sigkill_mid_write_loses_nothing_acknowledged(
    tmp_data: Path, servers: Callable[[], LambentProcess]
) -> None:
    ledger = Ledger()
    server = servers()
    writers = 6
    with ThreadPoolExecutor(max_workers=writers) as pool:
        # boto3 clients are made on one thread (sessions are not thread-safe), used on many.
        clients = [server.client() for _ in range(writers)]
        futures = [pool.submit(write_until_killed, clients[w], ledger, w) for w in range(writers)]
        deadline = time.monotonic() + 20
        while len(ledger.versions) < 15 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.stop(signal.SIGKILL) == -signal.SIGKILL
        completed = [future.result(timeout=60) for future in futures]
    assert sum(completed) >= 3, "the writers made too little progress before the kill"

    restarted = servers()
    client = restarted.client()

    # Every acknowledged write is there, exactly; an unanswered one may or may not be.
    for name, sha in ledger.latest.items():
        config = client.get_function_configuration(FunctionName=name)
        assert config["CodeSha256"] in {sha} | ledger.in_flight.get(name, set()), name
    for name, versions in ledger.versions.items():
        for version, sha in versions.items():
            config = client.get_function_configuration(FunctionName=name, Qualifier=version)
            assert config["CodeSha256"] == sha, name

    # Nothing half-written is visible: whatever is listed is whole, and was asked for.
    listed = all_functions(client)
    assert {f["FunctionName"] for f in listed} >= set(ledger.latest)
    assert {f["FunctionName"] for f in listed} <= ledger.attempted
    referenced: set[str] = set()
    for function in listed:
        name = function["FunctionName"]
        # Creations and updates cut short by the kill are finished after the restart.
        client.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
        )
        client.get_waiter("function_updated_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
        )
        versions = client.list_versions_by_function(FunctionName=name)["Versions"]
        for version in versions:
            got = client.get_function(FunctionName=name, Qualifier=version["Version"])
            config = got["Configuration"]
            assert (config["State"], config["LastUpdateStatus"]) == ("Active", "Successful")
            data = download(got["Code"]["Location"])
            assert sha_of(data) == config["CodeSha256"]
            assert len(data) == config["CodeSize"]
            referenced.add(hex_of(config["CodeSha256"]))

    # No orphans: the code store holds exactly the packages some version references.
    stored = {entry.name for entry in (tmp_data / "code").iterdir()}
    assert stored == {f"{digest}.zip" for digest in referenced}

    assert restarted.stop() == 0
    with sqlite3.connect(tmp_data / "lambent.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.slow
def test_restart_after_sigkill_at_rest_keeps_everything(
    servers: Callable[[], LambentProcess],
) -> None:
    """A kill when nothing is in flight: the restarted server is indistinguishable."""
    server = servers()
    client = server.client()
    client.create_function(
        FunctionName="kept",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": HELLO_ZIP},
        Publish=True,
    )
    client.get_waiter("function_active_v2").wait(FunctionName="kept")
    client.create_alias(FunctionName="kept", Name="live", FunctionVersion="1")
    before = client.get_function(FunctionName="kept", Qualifier="live")["Configuration"]
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL

    restarted = servers()
    client = restarted.client()
    after = client.get_function(FunctionName="kept", Qualifier="live")["Configuration"]
    assert after == before
    assert client.get_alias(FunctionName="kept", Name="live")["FunctionVersion"] == "1"
    assert restarted.stop() == 0


def code_store(data_dir: Path) -> set[str]:
    return {entry.name for entry in (data_dir / "code").iterdir()}


def referenced_packages(client: Any) -> set[str]:
    found: set[str] = set()
    for function in all_functions(client):
        versions = client.list_versions_by_function(FunctionName=function["FunctionName"])
        found |= {f"{hex_of(v['CodeSha256'])}.zip" for v in versions["Versions"]}
    return found


def test_no_orphaned_packages_while_running(
    tmp_data: Path, servers: Callable[[], LambentProcess]
) -> None:
    """Packages nothing runs any more are deleted when they stop being used, not only
    swept at the next start."""
    client = servers().client()
    packages = [package_for(f"p{i}") for i in range(4)]

    def settle(name: str) -> None:
        client.get_waiter("function_updated_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 200}
        )

    def check() -> None:
        assert code_store(tmp_data) == referenced_packages(client)

    client.create_function(
        FunctionName="f",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": packages[0]},
    )
    client.get_waiter("function_active_v2").wait(FunctionName="f")
    check()
    client.update_function_code(FunctionName="f", ZipFile=packages[1])
    settle("f")
    check()
    assert len(code_store(tmp_data)) == 1
    client.update_function_code(FunctionName="f", ZipFile=packages[2], Publish=True)
    settle("f")
    client.update_function_code(FunctionName="f", ZipFile=packages[3])
    settle("f")
    check()
    assert len(code_store(tmp_data)) == 2  # version 1 still runs packages[2]
    client.delete_function(FunctionName="f", Qualifier="1")
    check()
    client.create_function(
        FunctionName="g",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": packages[3]},
    )
    client.delete_function(FunctionName="f")
    check()
    assert code_store(tmp_data) == {f"{hashlib.sha256(packages[3]).hexdigest()}.zip"}
    client.delete_function(FunctionName="g")
    assert code_store(tmp_data) == set()


def test_changes_cut_short_are_settled_at_the_next_start(
    tmp_data: Path, servers: Callable[[], LambentProcess]
) -> None:
    """A crash between committing a change (Pending, InProgress) and settling it: the
    state is put back exactly there, and the next start settles it."""
    server = servers()
    client = server.client()
    for name in ("creating", "updating"):
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": HELLO_ZIP},
        )
        client.get_waiter("function_active_v2").wait(FunctionName=name)
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL
    with sqlite3.connect(tmp_data / "lambent.db") as db:
        db.execute(
            "UPDATE function_versions SET config = json_remove(json_set(config, "
            "'$.State', 'Pending', '$.StateReason', 'The function is being created.', "
            "'$.StateReasonCode', 'Creating'), '$.LastUpdateStatus') WHERE name = 'creating'"
        )
        db.execute(
            "UPDATE function_versions SET config = json_set(config, "
            "'$.LastUpdateStatus', 'InProgress', "
            "'$.LastUpdateStatusReason', 'The function is being created.', "
            "'$.LastUpdateStatusReasonCode', 'Creating') WHERE name = 'updating'"
        )
    client = servers().client()
    waiter = {"Delay": 0.05, "MaxAttempts": 200}
    client.get_waiter("function_active_v2").wait(FunctionName="creating", WaiterConfig=waiter)
    client.get_waiter("function_updated_v2").wait(FunctionName="updating", WaiterConfig=waiter)
    for name in ("creating", "updating"):
        config = client.get_function_configuration(FunctionName=name)
        assert (config["State"], config["LastUpdateStatus"]) == ("Active", "Successful")
        assert not {"StateReason", "LastUpdateStatusReason"} & set(config)
