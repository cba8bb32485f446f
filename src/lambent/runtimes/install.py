"""Installing the Python runtime client (awslambdaric) and SDK (boto3) per interpreter.

Each lands in a directory of its own, mounted at /var/runtime in the sandbox: never the
platform's virtual environment, whose packages functions must not see.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lambent.runtimes.discovery import Installation

PACKAGES = ("awslambdaric", "boto3")
#: awslambdaric supports these interpreter versions.
MIN_PYTHON = (3, 9)


def python_runtime_dir(runtimes_dir: Path, installation: Installation) -> Path:
    major, minor = installation.version
    return runtimes_dir / f"python{major}.{minor}"


def install_python(runtimes_dir: Path, installation: Installation) -> Path:
    """Install the packages with the interpreter's own pip (awslambdaric has a native
    extension per Python version); atomic: a half-done install is never used."""
    target = python_runtime_dir(runtimes_dir, installation)
    if target.is_dir():
        return target
    runtimes_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=runtimes_dir))
    try:
        subprocess.run(
            [
                str(installation.executable),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-warn-conflicts",
                "--target",
                str(staging),
                *PACKAGES,
            ],
            check=True,
        )
        # mkdtemp made it private: the sandbox's unprivileged user must read it.
        staging.chmod(0o755)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
