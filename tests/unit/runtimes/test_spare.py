"""The Python spare's messages and its stub's warm-up: what is kept, what runs again."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambent.runtimes.spare import (
    Ready,
    become,
    boot_argv,
    environ_size,
    module_names,
    stub_source,
)
from lambent.runtimes.spare import python_stub as stub_module

PACKAGE = "lambent_spare_probe"


def test_boot_reads_the_stub_from_the_channel_descriptor() -> None:
    argv = boot_argv("/usr/bin/python3.12", 17)
    assert argv[:2] == ("/usr/bin/python3.12", "-c")
    assert "fileno=17" in argv[2]
    compile(argv[2], "<boot>", "exec")  # valid on its own
    assert b"def main(" in stub_source()


def test_ready_message_round_trip_and_garbage() -> None:
    ready = Ready.parse(b'{"modules": ["json", "simplejson"], "environ_room": 16500}')
    assert ready == Ready(frozenset({"json", "simplejson"}), 16500)
    for garbage in (b"", b"[]", b'{"modules": 3}', b"\xff"):
        with pytest.raises(ValueError, match="not a spare's ready message"):
            Ready.parse(garbage)


def test_become_and_environment_size() -> None:
    message = become({"A": "1"}, "app.handler", "/var/task", ("/var/task", "/opt"))
    assert message == (
        b'{"env": {"A": "1"}, "handler": "app.handler", "cwd": "/var/task", '
        b'"refresh": ["/var/task", "/opt"]}'
    )
    assert environ_size({"A": "1", "LONG": "é"}) == len(b"A=1\0LONG=\xc3\xa9\0")


def test_module_names_of_a_code_directory(tmp_path: Path) -> None:
    for name in ("app.py", "simplejson.cpython-312-x86_64-linux-gnu.so", "README"):
        (tmp_path / name).write_text("")
    (tmp_path / "boto3").mkdir()
    assert module_names(tmp_path) == {"app", "simplejson", "boto3"}
    assert module_names(tmp_path / "missing") == frozenset()


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    """A package whose modules read the environment in the ways a client's can."""
    root = tmp_path / PACKAGE
    root.mkdir()
    files = {
        "__init__.py": "",
        "reader.py": "import os\nLEVEL = os.environ.get('LOG_LEVEL')\n",
        "user.py": f"from {PACKAGE}.reader import LEVEL\n",
        "helper.py": "import os\ndef compute():\n    return os.getenv('X')\n",
        "calls.py": "from . import helper\nVALUE = helper.compute()\n",
        "lister.py": "import os\nNAMES = sorted(os.environ)\n",
        "plain.py": "import json\nfrom . import helper\n",
        "native_user.py": (
            "try:\n    import runtime_client\nexcept ImportError:\n    runtime_client = None\n"
        ),
    }
    for name, text in files.items():
        (root / name).write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        yield root
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith(PACKAGE)]:
            del sys.modules[name]


def test_warm_up_forgets_what_read_the_environment_and_who_imported_it(package: Path) -> None:
    names = ("user", "calls", "lister", "plain", "native_user")
    stub_module._warm(tuple(f"{PACKAGE}.{name}" for name in names))
    kept = sorted(n.rpartition(".")[2] for n in sys.modules if n.startswith(PACKAGE + "."))
    # reader read at import, user imported a value from it; calls read through a function
    # it called (helper itself did not read while being imported); lister iterated; the
    # native client's importer must load it afresh.
    assert kept == ["helper", "plain"]
    assert "runtime_client" not in sys.modules  # the block is lifted again


def test_a_forgotten_module_is_imported_again_even_from_its_package(package: Path) -> None:
    """``from package import module`` must not find the old module as an attribute."""
    stub_module._warm((f"{PACKAGE}.reader",))
    assert not hasattr(sys.modules[PACKAGE], "reader")
    exec(f"from {PACKAGE} import reader", {})
    assert sys.modules[f"{PACKAGE}.reader"].LEVEL is None
