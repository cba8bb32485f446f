"""The bwrap command line built from a spec: namespaces, mounts, user and the exec chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambent.sandbox import Bind, SandboxSpec, UserStrategy
from lambent.sandbox.bwrap import BwrapFds, BwrapSetup, bwrap_argv, parse_version
from lambent.sandbox.shell import ARGV0, LOAD_ENV, Shell

DASH = Shell("/usr/bin/dash", exact=True, env_tool="/usr/bin/env")
BASH = Shell("/bin/sh", exact=False, env_tool="/usr/bin/env")
VIEW = ("--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin")
FDS = BwrapFds(passwd=7, group=8)
SECRET = "wJalrXUtnFEMI/K7MDENG"


def setup(user: UserStrategy = UserStrategy.SETPRIV, **fields: object) -> BwrapSetup:
    values: dict[str, object] = {
        "bwrap": "/usr/bin/bwrap",
        "version": (0, 8, 0),
        "user": user,
        "setpriv": "/usr/bin/setpriv",
        "shell": DASH,
        "host_view": VIEW,
    }
    return BwrapSetup(**(values | fields))  # type: ignore[arg-type]


def spec(**fields: object) -> SandboxSpec:
    values: dict[str, object] = {
        "name": "fn",
        "argv": ("/var/runtime/bootstrap", "--flag"),
        "env": {"AWS_SECRET_ACCESS_KEY": SECRET, "LD_PRELOAD": "/var/task/evil.so"},
        "code_dir": Path("/data/code/abc"),
        "memory_mib": 128,
        "tmp_mib": 16,
    }
    return SandboxSpec(**(values | fields))  # type: ignore[arg-type]


def options(argv: list[str]) -> list[str]:
    return argv[: argv.index("--")]


def command(argv: list[str]) -> list[str]:
    return argv[argv.index("--") + 1 :]


def pairs(argv: list[str], flag: str) -> list[tuple[str, str]]:
    return [(argv[i + 1], argv[i + 2]) for i, a in enumerate(argv) if a == flag]


def test_namespaces_and_lifetime() -> None:
    opts = options(bwrap_argv(setup(), spec(), FDS))
    for flag in ("--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc",
                 "--unshare-uts"):  # fmt: skip
        assert flag in opts
    # The host network stays: the runtime reaches the Runtime API on 127.0.0.1.
    assert "--unshare-net" not in opts and "--unshare-all" not in opts
    assert "--unshare-user" not in opts  # setpriv strategy: real uid 993 on the host


def test_mounts() -> None:
    opts = options(
        bwrap_argv(setup(), spec(binds=(Bind.same_path("/root/.pyenv/versions/3.11.7"),)), FDS)
    )
    view = opts.index("--ro-bind")
    assert opts[view : view + 6] == list(VIEW)
    assert pairs(opts, "--ro-bind")[1:] == [
        ("/data/code/abc", "/var/task"),
        ("/root/.pyenv/versions/3.11.7", "/root/.pyenv/versions/3.11.7"),
    ]
    assert pairs(opts, "--ro-bind-data") == [("7", "/etc/passwd"), ("8", "/etc/group")]
    tmp = opts.index("--tmpfs")
    assert opts[tmp - 4 : tmp + 2] == ["--perms", "1777", "--size", str(16 * 2**20), "--tmpfs",
                                       "/tmp"]  # fmt: skip
    assert opts[opts.index("--proc") :][:4] == ["--proc", "/proc", "--dev", "/dev"]
    assert opts[opts.index("/opt") - 1 :][:2] == ["--dir", "/opt"]
    # Parents of mount points are made 0755 (bwrap alone would make them 0700), parents first.
    dirs = [opts[i + 1] for i, a in enumerate(opts) if a == "--dir"]
    assert dirs == ["/root", "/root/.pyenv", "/root/.pyenv/versions", "/var", "/opt"]
    assert opts.index("/var/task") > opts.index("/var")
    # The root is made read-only after every mount point exists; then the working directory.
    assert opts[-4:] == ["--remount-ro", "/", "--chdir", "/var/task"]


def test_layers_mount_at_opt() -> None:
    opts = options(bwrap_argv(setup(), spec(opt_dir=Path("/data/layers/x")), FDS))
    assert ("/data/layers/x", "/opt") in pairs(opts, "--ro-bind")
    assert "/opt" not in [opts[i + 1] for i, a in enumerate(opts) if a == "--dir"]


def test_setpriv_drops_to_uid_993_before_the_environment_loader() -> None:
    cmd = command(bwrap_argv(setup(), spec(), FDS))
    assert cmd == [
        "/usr/bin/setpriv", "--reuid=993", "--regid=990", "--clear-groups", "--inh-caps=-all",
        "--bounding-set=-all", "--",
        "/usr/bin/dash", "-c", LOAD_ENV, ARGV0, "/var/runtime/bootstrap", "--flag",
    ]  # fmt: skip


def test_the_environment_is_never_on_a_command_line() -> None:
    argv = bwrap_argv(setup(), spec(), FDS)
    assert not [a for a in argv if SECRET in a or "evil" in a]


def test_user_namespace_strategy() -> None:
    argv = bwrap_argv(setup(UserStrategy.USERNS, setpriv=None), spec(), FDS)
    opts = options(argv)
    start = opts.index("--unshare-user")
    assert opts[start : start + 6] == ["--unshare-user", "--uid", "993", "--gid", "990",
                                       "--disable-userns"]  # fmt: skip
    assert command(argv)[0] == "/usr/bin/dash"
    older = options(bwrap_argv(setup(UserStrategy.USERNS, version=(0, 7, 0)), spec(), FDS))
    assert "--disable-userns" not in older


def test_cgroup_handshake_fds_come_before_the_command() -> None:
    opts = options(bwrap_argv(setup(), spec(), BwrapFds(7, 8, info=9, block=10)))
    assert opts[-4:] == ["--info-fd", "9", "--block-fd", "10"]
    assert "--info-fd" not in bwrap_argv(setup(), spec(), FDS)


@pytest.mark.parametrize(
    ("env", "hop"),
    [({}, ["/usr/bin/env", "-u", "SHLVL"]), ({"SHLVL": "1"}, [])],
)
def test_a_shell_that_adds_shlvl_gets_an_env_hop(env: dict[str, str], hop: list[str]) -> None:
    cmd = command(bwrap_argv(setup(shell=BASH), spec(env=env), FDS))
    loader = cmd.index(ARGV0)
    assert cmd[loader + 1 :] == [*hop, "/var/runtime/bootstrap", "--flag"]


def test_version_parsing() -> None:
    assert parse_version("bubblewrap 0.8.0\n") == (0, 8, 0)
    assert parse_version("bubblewrap 0.11.1") == (0, 11, 1)
    assert parse_version("") == ()
    assert parse_version("bubblewrap dev") == ()


def test_a_spare_has_an_empty_task_directory_until_taken() -> None:
    opts = options(bwrap_argv(setup(), spec(code_dir=None), FDS))
    assert not [target for _, target in pairs(opts, "--ro-bind") if target == "/var/task"]
    assert "/var/task" in [opts[i + 1] for i, a in enumerate(opts) if a == "--dir"]
    assert opts[opts.index("--chdir") + 1] == "/var/task"
