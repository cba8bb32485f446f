"""The one frozen Settings the server is built from (CLI flags, LAMBENT_* variables, defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lambent.domain.limits import CONCURRENT_EXECUTIONS

DEFAULT_PORT = 3001  # `sam local start-lambda`'s port, so existing setups keep working
DEFAULT_ACCOUNT = "000000000000"


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "lambent"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=default_data_dir)
    account_id: str = DEFAULT_ACCOUNT
    concurrent_executions: int = CONCURRENT_EXECUTIONS

    @property
    def database_path(self) -> Path:
        return self.data_dir / "lambent.db"

    @property
    def code_dir(self) -> Path:
        return self.data_dir / "code"
