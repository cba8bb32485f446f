"""SandboxSpec and Bind: what is accepted, and the copy of the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lambent.sandbox import Bind, SandboxSpec

CODE = Path("/srv/code")


def make(**fields: Any) -> SandboxSpec:
    base: dict[str, Any] = {
        "name": "fn-1",
        "argv": ("/var/runtime/bootstrap",),
        "env": {"A": "1"},
        "code_dir": CODE,
        "memory_mib": 128,
    }
    return SandboxSpec(**(base | fields))


def test_defaults_follow_lambda() -> None:
    spec = make()
    assert (spec.tmp_mib, spec.max_processes, spec.opt_dir, spec.binds) == (512, 1024, None, ())


def test_environment_is_a_private_read_only_copy() -> None:
    env = {"A": "1"}
    spec = make(env=env)
    env["B"] = "2"
    assert dict(spec.env) == {"A": "1"}
    with pytest.raises(TypeError):
        spec.env["C"] = "3"  # type: ignore[index]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "../escape"}, "name must match"),
        ({"name": ""}, "name must match"),
        ({"name": "a" * 129}, "name must match"),
        ({"argv": ()}, "argv must name a program"),
        ({"argv": ("a\0b",)}, "NUL"),
        ({"env": {"NOT-A-NAME": "x"}}, "not exportable"),
        ({"env": {"1ABC": "x"}}, "not exportable"),
        ({"env": {"A": "x\0y"}}, "contains NUL"),
        ({"code_dir": Path("relative")}, "must be absolute"),
        ({"opt_dir": Path("relative")}, "must be absolute"),
        ({"memory_mib": 0}, "memory_mib must be positive"),
        ({"tmp_mib": 0}, "tmp_mib must be positive"),
        ({"max_processes": 0}, "max_processes must be positive"),
    ],
)
def test_invalid_specs_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(**fields)


def test_bind_same_path() -> None:
    bind = Bind.same_path("/root/.pyenv/versions/3.11.7")
    assert bind == Bind(Path("/root/.pyenv/versions/3.11.7"), "/root/.pyenv/versions/3.11.7")


@pytest.mark.parametrize(
    "target",
    ["/", "/tmp", "/proc", "/dev/shm", "/etc/passwd", "/usr/local", "/var/task", "/opt/x",
     "/lib64", "/sys"],
)  # fmt: skip
def test_binds_stay_out_of_managed_places(target: str) -> None:
    with pytest.raises(ValueError, match="manages"):
        Bind(Path("/srv/x"), target)


@pytest.mark.parametrize("target", ["relative", "/var/../etc", "/var/runtime/"])
def test_bind_targets_are_absolute_and_normalised(target: str) -> None:
    with pytest.raises(ValueError, match="normalised"):
        Bind(Path("/srv/x"), target)


def test_bind_sources_are_absolute() -> None:
    with pytest.raises(ValueError, match="absolute"):
        Bind(Path("runtime"), "/var/runtime")


@pytest.mark.parametrize("target", ["/var/runtime", "/var/lang", "/tmp/cache", "/root/.nvm"])
def test_usual_bind_targets_are_fine(target: str) -> None:
    assert Bind(Path("/srv/x"), target).target == target


def test_passed_descriptors_are_extra_ones() -> None:
    assert make(pass_fds=[9]).pass_fds == (9,)
    with pytest.raises(ValueError, match="pass_fds are extra descriptors"):
        make(pass_fds=(2,))
