"""The ``lambent`` command."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from pathlib import Path

import click
import uvloop
from rich.console import Console
from rich.table import Table

from lambent.domain.limits import ASYNC_PAYLOAD_MAX, CONCURRENT_EXECUTIONS
from lambent.runtimes import (
    MIN_PYTHON,
    install_python,
    node_installation,
    python_installations,
)
from lambent.server import Settings, default_data_dir, serve
from lambent.server.settings import (
    ASYNC_CONCURRENCY,
    DEFAULT_ACCOUNT,
    DEFAULT_PORT,
    SPARE_ENVIRONMENTS,
    default_runtimes_dir,
    passthrough,
)

_RUNTIMES_DIR = click.option(
    "--runtimes-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="LAMBENT_RUNTIMES_DIR",
    help="Where runtime clients are installed  [default: ~/.cache/lambent/runtimes]",
)


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
@click.option(
    "--isolation",
    type=click.Choice(["auto", "bwrap", "process"]),
    default="auto",
    show_default=True,
    envvar="LAMBENT_ISOLATION",
    help="How functions are sandboxed; auto picks the strongest available and says which.",
)
@click.option(
    "--strict-runtimes",
    is_flag=True,
    envvar="LAMBENT_STRICT_RUNTIMES",
    help="Fail invocations of runtimes the host lacks instead of using the nearest version.",
)
@click.option(
    "--keep-alive",
    type=float,
    default=300.0,
    show_default=True,
    envvar="LAMBENT_KEEP_ALIVE",
    help="Seconds an idle execution environment stays warm.",
)
@click.option(
    "--account-concurrency",
    type=click.IntRange(min=1),
    default=CONCURRENT_EXECUTIONS,
    show_default=True,
    envvar="LAMBENT_ACCOUNT_CONCURRENCY",
    help="Concurrent executions an account and region may run (AWS's default is 1000).",
)
@click.option(
    "--max-async-payload",
    type=click.IntRange(min=1),
    default=ASYNC_PAYLOAD_MAX,
    show_default=True,
    envvar="LAMBENT_MAX_ASYNC_PAYLOAD",
    help="Largest Event (asynchronous) invocation payload, in bytes.",
)
@click.option(
    "--retry-delay-scale",
    type=click.FloatRange(min=0.0, min_open=True),
    default=1.0,
    show_default=True,
    envvar="LAMBENT_RETRY_DELAY_SCALE",
    help="Multiplies every asynchronous retry delay and event age (0.01: minutes become "
    "fractions of a second).",
)
@click.option(
    "--async-concurrency",
    type=click.IntRange(min=1),
    default=ASYNC_CONCURRENCY,
    show_default=True,
    envvar="LAMBENT_ASYNC_CONCURRENCY",
    help="How many asynchronous events of one function run at a time.",
)
@click.option(
    "--spare-environments",
    type=click.IntRange(min=0),
    default=SPARE_ENVIRONMENTS,
    show_default=True,
    envvar="LAMBENT_SPARE_ENVIRONMENTS",
    help="Sandboxes per Python version and per Node.js started ahead, runtime already "
    "loaded, for cold starts to take (needs root and bwrap); 0 starts every environment "
    "afresh.",
)
@_RUNTIMES_DIR
def server(
    host: str,
    port: int,
    data_dir: Path | None,
    account_id: str,
    isolation: str,
    strict_runtimes: bool,
    keep_alive: float,
    spare_environments: int,
    account_concurrency: int,
    max_async_payload: int,
    retry_delay_scale: float,
    async_concurrency: int,
    runtimes_dir: Path | None,
) -> None:
    """Serve the Lambda API (and everything else) on one port."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = Settings(
        host=host,
        port=port,
        data_dir=data_dir or default_data_dir(),
        account_id=account_id,
        isolation=isolation,
        strict_runtimes=strict_runtimes,
        keep_alive_s=keep_alive,
        spare_environments=spare_environments,
        concurrent_executions=account_concurrency,
        runtimes_dir=runtimes_dir or default_runtimes_dir(),
        passthrough_env=passthrough(os.environ),
        max_async_payload=max_async_payload,
        retry_delay_scale=retry_delay_scale,
        async_concurrency=async_concurrency,
    )
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(settings))


@main.group(invoke_without_command=True)
@_RUNTIMES_DIR
@click.pass_context
def runtimes(context: click.Context, runtimes_dir: Path | None) -> None:
    """List the runtimes this host can run."""
    context.obj = runtimes_dir or default_runtimes_dir()
    if context.invoked_subcommand is not None:
        return
    table = Table("runtime", "runs on", "runtime client")
    for version, found in sorted(python_installations().items()):
        if version < MIN_PYTHON:
            state = "unsupported by awslambdaric: runs on the nearest supported version"
        elif (context.obj / f"python{version[0]}.{version[1]}").is_dir():
            state = "installed"
        else:
            state = "missing: run `lambent runtimes install`"
        table.add_row(f"python{version[0]}.{version[1]}", str(found.executable), state)
    node = node_installation()
    if node is not None:
        table.add_row(f"nodejs{node.version[0]}.x", str(node.executable), "shipped")
    table.add_row("provided.al2, provided.al2023", "the function's bootstrap", "-")
    Console().print(table)


@runtimes.command("install")
@click.pass_context
def runtimes_install(context: click.Context) -> None:
    """Install the Python runtime client for every Python on this host that supports it."""
    target: Path = context.obj
    failures = 0
    for version, found in sorted(python_installations().items()):
        if version < MIN_PYTHON:
            continue
        try:
            installed = install_python(target, found)
        except (OSError, subprocess.CalledProcessError) as e:
            failures += 1
            click.echo(f"python{version[0]}.{version[1]}: not installed ({e})", err=True)
            continue
        click.echo(f"python{version[0]}.{version[1]}: {installed}")
    if failures:
        raise SystemExit(1)
