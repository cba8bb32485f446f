"""The host view: only the listed parts of a (fake) host, and the sandbox's identity."""

from __future__ import annotations

import os
from pathlib import Path

from lambent.sandbox.hostview import GROUP, PASSWD, directories_for, host_view_args


def test_view_of_a_merged_usr_host(tmp_path: Path) -> None:
    (tmp_path / "usr" / "bin").mkdir(parents=True)
    (tmp_path / "lib64").mkdir()
    os.symlink("usr/bin", tmp_path / "bin")
    etc = tmp_path / "etc"
    (etc / "ssl" / "certs").mkdir(parents=True)
    (etc / "ssl" / "private").mkdir()
    (etc / "hosts").write_text("127.0.0.1 localhost\n")
    (etc / "shadow").write_text("root:*:1::::::\n")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "resolv.conf").write_text("nameserver 1.1.1.1\n")
    os.symlink("../run/resolv.conf", etc / "resolv.conf")
    os.symlink("/nonexistent/zone", etc / "localtime")  # dangling: left out

    args = list(host_view_args(tmp_path))
    assert args == [
        "--ro-bind", str(tmp_path / "usr"), "/usr",
        "--symlink", "usr/bin", "/bin",
        "--ro-bind", str(tmp_path / "lib64"), "/lib64",
        "--dir", "/etc",
        "--ro-bind", str(etc / "hosts"), "/etc/hosts",
        "--ro-bind", str(etc / "resolv.conf"), "/etc/resolv.conf",
        "--ro-bind", str(etc / "ssl"), "/etc/ssl",
    ]  # fmt: skip
    assert "/etc/shadow" not in args


def test_parent_directories_come_parents_first() -> None:
    assert directories_for(["/var/task", "/var/runtime", "/root/.pyenv/versions/3"]) == [
        "--dir", "/root",
        "--dir", "/root/.pyenv",
        "--dir", "/root/.pyenv/versions",
        "--dir", "/var",
    ]  # fmt: skip
    assert directories_for(["/etc/ssl/certs"], frozenset({"/etc"})) == ["--dir", "/etc/ssl"]


def test_the_sandbox_user_is_lambdas() -> None:
    assert "sbx_user1051:x:993:990::/home/sbx_user1051:/sbin/nologin" in PASSWD.splitlines()
    assert "sbx_user1051:x:990:" in GROUP.splitlines()
