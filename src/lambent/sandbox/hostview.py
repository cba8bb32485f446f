"""The minimal read-only view of the host that a bwrap sandbox sees, and its user identity.

Only what programs need to run is exposed: ``/usr`` and the library/binary directories
(as symlinks where the host has merged ``/usr``), and a short list of ``/etc`` entries for
name resolution, TLS certificates, time zones and the dynamic loader. ``/etc/passwd`` and
``/etc/group`` are synthesized so that the sandbox user has a name, as on Lambda. Computed
once per launcher: nothing on the start path touches the host's filesystem for this.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Final

#: Lambda runs functions as ``sbx_user1051``, uid 993, gid 990.
SANDBOX_UID: Final = 993
SANDBOX_GID: Final = 990
SANDBOX_USER: Final = "sbx_user1051"

PASSWD: Final = (
    "root:x:0:0:root:/root:/sbin/nologin\n"
    f"{SANDBOX_USER}:x:{SANDBOX_UID}:{SANDBOX_GID}::/home/{SANDBOX_USER}:/sbin/nologin\n"
    "nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n"
)
GROUP: Final = f"root:x:0:\n{SANDBOX_USER}:x:{SANDBOX_GID}:\nnobody:x:65534:\n"

_TOP_LEVEL: Final = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
#: The /etc entries a runtime needs: name resolution, TLS trust (Debian's ssl, Fedora's
#: pki and crypto-policies), time zone, the loader's cache, Debian's alternatives. Each
#: is a mount costing ~0.1 ms per start, so the list is short. Shadow files and the
#: host's own configuration stay out; ``ssl``/``pki`` hold private-key directories, but
#: those are root's 0700/0710 and closed to the sandbox user.
_ETC_ENTRIES: Final = (
    "hosts",
    "resolv.conf",
    "nsswitch.conf",
    "gai.conf",
    "services",
    "protocols",
    "ssl",
    "pki",
    "crypto-policies",
    "localtime",
    "ld.so.cache",
    "alternatives",
    "os-release",
)


def host_view_args(host_root: Path = Path("/")) -> tuple[str, ...]:
    """bwrap arguments exposing the minimal host view, for what exists on this host.

    Symlinked top-level directories (merged /usr) are recreated as symlinks, which costs
    no mount. ``/etc`` entries are bind-mounted through any symlink they are (e.g.
    ``resolv.conf`` pointing into ``/run``), so their content is there without ``/run``.
    """
    args: list[str] = []
    for name in _TOP_LEVEL:
        path = host_root / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            args += ["--ro-bind", str(path), f"/{name}"]
    present = [e for e in _ETC_ENTRIES if (host_root / "etc" / e).exists()]  # follows symlinks
    targets = [f"/etc/{entry}" for entry in present]
    # /etc always: the synthesized passwd and group go there even on a host without entries.
    args += ["--dir", "/etc", *directories_for(targets, frozenset({"/etc"}))]
    for entry, target in zip(present, targets, strict=True):
        args += ["--ro-bind", str(host_root / "etc" / entry), target]
    return tuple(args)


def directories_for(targets: list[str], existing: frozenset[str] = frozenset()) -> list[str]:
    """``--dir`` arguments creating the parents of mount points, parents first.

    bwrap would create missing parents itself, but with mode 0700 owned by root, which
    the sandbox user could not enter; ``--dir`` makes them 0755.
    """
    parents: set[str] = set()
    for target in targets:
        parent = posixpath.dirname(target)
        while parent not in ("/", "") and parent not in existing:
            parents.add(parent)
            parent = posixpath.dirname(parent)
    args: list[str] = []
    for directory in sorted(parents):
        args += ["--dir", directory]
    return args
