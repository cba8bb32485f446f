"""The one frozen Settings the server is built from (CLI flags, LAMBENT_* variables, defaults)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lambent.domain.limits import ASYNC_PAYLOAD_MAX, CONCURRENT_EXECUTIONS

DEFAULT_PORT = 3001  # `sam local start-lambda`'s port, so existing setups keep working
DEFAULT_ACCOUNT = "000000000000"
#: Two back-to-back cold starts per runtime take spares; a spare is replaced ~70 ms later.
SPARE_ENVIRONMENTS = 2
#: Per function: enough to keep a laptop's cores busy, few enough not to drown it.
ASYNC_CONCURRENCY = 10


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "lambent"


def default_runtimes_dir() -> Path:
    return Path.home() / ".cache" / "lambent" / "runtimes"


def passthrough(environ: Mapping[str, str]) -> dict[str, str]:
    """The server's endpoint settings that function environments inherit."""
    return {k: v for k, v in environ.items() if k.startswith("AWS_ENDPOINT_URL")}


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=default_data_dir)
    account_id: str = DEFAULT_ACCOUNT
    concurrent_executions: int = CONCURRENT_EXECUTIONS
    #: ``auto`` (the strongest available), ``bwrap`` or ``process``.
    isolation: str = "auto"
    #: Where each Python runtime's client (awslambdaric) and SDK (boto3) are installed.
    runtimes_dir: Path = field(default_factory=default_runtimes_dir)
    #: Refuse to run a runtime on a neighbouring version when the host lacks it.
    strict_runtimes: bool = False
    #: Idle environments are shut down after this many seconds.
    keep_alive_s: float = 300.0
    #: Sandboxes per runtime installation started ahead, runtime client imported, for cold
    #: starts to take (``lambent.environments.spares``); 0: every cold start starts afresh.
    spare_environments: int = SPARE_ENVIRONMENTS
    #: Variables every function environment gets from the server's own environment
    #: (``AWS_ENDPOINT_URL*``), so functions reach the services the server reaches.
    passthrough_env: Mapping[str, str] = field(default_factory=dict)
    #: Event (asynchronous) invocation payloads larger than this are refused (AWS: 1 MB).
    max_async_payload: int = ASYNC_PAYLOAD_MAX
    #: Multiplies every asynchronous retry delay and event age: 0.01 plays AWS's minutes
    #: of retries, and its hours of event age, in seconds (tests).
    retry_delay_scale: float = 1.0
    #: One function's asynchronous events run at most this many at a time.
    async_concurrency: int = ASYNC_CONCURRENCY

    @property
    def database_path(self) -> Path:
        return self.data_dir / "lambent.db"

    @property
    def events_path(self) -> Path:
        """Queued asynchronous events, their pending deliveries and their counters."""
        return self.data_dir / "events.db"

    @property
    def code_dir(self) -> Path:
        return self.data_dir / "code"
