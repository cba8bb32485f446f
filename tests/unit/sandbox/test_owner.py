"""Owner directories: which server a group of sandbox cgroups belongs to, and if it lives."""

from __future__ import annotations

from pathlib import Path

from lambent.sandbox.owner import OwnerId, dead_owner_dirs, process_start_ticks

# Field 22 (start time) is 4242; the command name holds spaces and a parenthesis.
STAT = "77 (my (odd) name) S 1 77 77 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 4242 0 0\n"


def fake_proc(tmp_path: Path, processes: dict[int, int]) -> Path:
    proc = tmp_path / "proc"
    for pid, start in processes.items():
        (proc / str(pid)).mkdir(parents=True)
        (proc / str(pid) / "stat").write_text(STAT.replace("4242", str(start)))
    return proc


def test_dirname_round_trip() -> None:
    owner = OwnerId(1234, 5678)
    assert owner.dirname == "owner-1234-5678"
    assert OwnerId.parse(owner.dirname) == owner
    assert OwnerId.parse("lambent.server") is None
    assert OwnerId.parse("owner-12") is None


def test_start_time_tells_a_reused_pid_apart(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {77: 4242})
    assert process_start_ticks(77, proc) == 4242
    assert process_start_ticks(78, proc) is None
    assert OwnerId(77, 4242).is_alive(proc)
    assert not OwnerId(77, 1).is_alive(proc)
    assert not OwnerId(78, 4242).is_alive(proc)


def test_current_process() -> None:
    me = OwnerId.current()
    assert me.is_alive()


def test_only_dead_owners_are_leftovers(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {77: 4242, 88: 10})
    base = tmp_path / "cg" / "lambent"
    for name in ("owner-77-4242", "owner-88-9", "owner-99-1", "owner-5-5", "unrelated"):
        (base / name).mkdir(parents=True)
    me = OwnerId(5, 5)  # ourselves: never a leftover, alive or not
    dead = sorted(p.name for p in dead_owner_dirs(base, me, proc))
    assert dead == ["owner-88-9", "owner-99-1"]
    assert dead_owner_dirs(tmp_path / "missing", me, proc) == []
