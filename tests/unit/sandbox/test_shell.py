"""The shell wrapper's inputs: environment assignments and the process-mode join script."""

from __future__ import annotations

import shlex
from pathlib import Path

from lambent.sandbox.shell import ARGV0, JOIN_FAILED, Shell, env_assignments, join_and_exec

DASH = Shell("/usr/bin/dash", exact=True, env_tool="/usr/bin/env")


def test_assignments_unset_pwd_and_quote_everything() -> None:
    env = {"A": "it's", "B": "$(reboot)\nx", "C": ""}
    text = env_assignments(env).decode()
    assert text.splitlines()[0] == "unset PWD"
    assert "export A='it'\"'\"'s'\n" in text
    assert "export B='$(reboot)\nx'\n" in text
    assert "export C=''\n" in text
    # What a POSIX shell would make of each value is exactly the value.
    for name, value in env.items():
        quoted = text.split(f"export {name}=", 1)[1]
        assert shlex.split(quoted, posix=True)[0] == value or value == ""


def test_a_given_pwd_is_exported_not_unset() -> None:
    text = env_assignments({"PWD": "/var/task"}).decode()
    assert text == "export PWD=/var/task\n"


def test_join_script_arguments() -> None:
    files = [Path("/cg/memory/x/cgroup.procs"), Path("/cg/pids/x/cgroup.procs")]
    argv = join_and_exec(DASH, files, {"A": "1"}, ["/bin/prog", "arg"])
    assert argv[:2] == ["/usr/bin/dash", "-c"]
    script = argv[2]
    assert f"exit {JOIN_FAILED}" in script and "unset PWD" in script
    assert argv[3:] == [ARGV0, "2", *map(str, files), "/bin/prog", "arg"]


def test_join_script_keeps_a_given_pwd() -> None:
    argv = join_and_exec(DASH, [], {"PWD": "/srv/it's"}, ["/bin/prog"])
    assert "PWD='/srv/it'\"'\"'s'; export PWD" in argv[2]
    assert argv[3:] == [ARGV0, "0", "/bin/prog"]
