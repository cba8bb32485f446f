"""The AWS CLI as tests run it: an endpoint, dummy credentials, no user configuration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The AWS CLI version 1 (from PyPI, next to the tests' Python) has no `aws logs tail`;
#: version 2 has, and Debian packages it (`apt-get install awscli`).
_V2_CANDIDATES = ("/usr/bin/aws", "/usr/local/bin/aws")


def cli_v1() -> str | None:
    """The tests' own CLI (the ``awscli`` test dependency), else any ``aws`` on PATH."""
    beside = Path(sys.executable).parent / "aws"
    return str(beside) if beside.exists() else shutil.which("aws")


def cli_v2() -> str | None:
    for candidate in _V2_CANDIDATES:
        if Path(candidate).exists():
            version = subprocess.run(
                [candidate, "--version"], capture_output=True, text=True, check=False
            )
            if version.stdout.startswith("aws-cli/2"):
                return candidate
    return None


class Cli:
    def __init__(self, command: str, endpoint: str, home: Path) -> None:
        self.command = command
        self.endpoint = endpoint
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "HOME"
        }
        self.env = {
            **inherited,
            "HOME": str(home),
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "AWS_PAGER": "",
            "AWS_MAX_ATTEMPTS": "1",
            "PYTHONUNBUFFERED": "1",
        }

    def argv(self, *args: str) -> list[str]:
        return [self.command, "--endpoint-url", self.endpoint, *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a command (its output is JSON, the CLI's default)."""
        return subprocess.run(
            self.argv(*args), env=self.env, capture_output=True, text=True, timeout=60, check=False
        )

    def json(self, *args: str) -> Any:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None
