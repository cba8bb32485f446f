"""The ``lambent`` command."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import click
import uvloop

from lambent.server import Settings, default_data_dir, serve
from lambent.server.settings import DEFAULT_ACCOUNT, DEFAULT_PORT


@click.group()
def main() -> None:
    """Lambent: a self-hosted, AWS Lambda-compatible serverless platform."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="LAMBENT_HOST")
@click.option("--port", default=DEFAULT_PORT, show_default=True, envvar="LAMBENT_PORT")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="LAMBENT_DATA_DIR",
    help="Where state and code live  [default: ~/.local/share/lambent]",
)
@click.option(
    "--account-id", default=DEFAULT_ACCOUNT, show_default=True, envvar="LAMBENT_ACCOUNT_ID"
)
def server(host: str, port: int, data_dir: Path | None, account_id: str) -> None:
    """Serve the Lambda API (and everything else) on one port."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = Settings(
        host=host, port=port, data_dir=data_dir or default_data_dir(), account_id=account_id
    )
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(settings))
