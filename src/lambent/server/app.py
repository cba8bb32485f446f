"""Wiring: everything built from one Settings, served on one port, shut down cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from lambent import control, invoke
from lambent.domain.clock import system_clock
from lambent.environments import CodeCache
from lambent.observability import LogService
from lambent.protocol import FrontDoor, JsonService, RawHandler, RestJsonService, service_model
from lambent.server.execution import execution
from lambent.server.routes import CODE_PREFIX, HEALTH_PATH, CodeDownload, health
from lambent.server.settings import Settings
from lambent.store import BlobStore, Database, log_schema, schema
from lambent.store.code import in_use

log = logging.getLogger("lambent")


@dataclass(frozen=True, slots=True)
class Platform:
    """The running platform: what the HTTP server serves and what shutdown must close."""

    app: FrontDoor
    db: Database
    settler: control.Settler
    #: Functions' logs: the Logs API, and the sink the execution layer appends to.
    logs: LogService


@asynccontextmanager
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    db = Database(settings.database_path, schema.MIGRATIONS)
    blobs = BlobStore(settings.code_dir)
    # Packages written by a predecessor that died before committing their rows.
    swept = await db.write(lambda c: blobs.sweep(in_use(c)))
    if swept:
        log.info("removed %d unreferenced code packages", swept)
    code = CodeCache(settings.data_dir / "run", settings.code_dir)

    async def prepare(package: str, layers: Sequence[str]) -> None:
        await code.package(package)
        await code.layers(layers)

    settler = control.Settler(db, prepare)
    await settler.recover()
    model = service_model("lambda")
    deps = control.ControlDeps(
        db=db,
        blobs=blobs,
        clock=system_clock,
        fetch_s3=control.fetch_s3,
        settler=settler,
        runtimes=list(model.shape_for("Runtime").enum),
        concurrent_executions=settings.concurrent_executions,
    )
    # Logs have a database (and a database thread) of their own: appending log lines
    # never waits behind the control plane's writes, nor they behind logs.
    logs_db = Database(settings.data_dir / "logs.db", log_schema.MIGRATIONS)
    logs = LogService(logs_db, system_clock)
    logs.start()
    logs_api = JsonService(
        service_model("logs"),
        logs.handlers(),
        settings.account_id,
        validation_code="InvalidParameterException",
    )
    try:
        async with execution(settings, db, code, logs) as invoke_deps:
            handlers = {**control.bind(deps), **invoke.bind(invoke_deps)}
            api = RestJsonService(model, handlers, settings.account_id, control.SELF_VALIDATED)
            routes: dict[str, RawHandler] = {CODE_PREFIX: CodeDownload(blobs), HEALTH_PATH: health}
            yield Platform(FrontDoor(api, routes, [logs_api]), db, settler, logs)
    finally:
        await settler.drain()
        await logs.close()
        logs_db.close()
        db.close()


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM, then stop cleanly: no new connections, in-flight
    requests finish, idle connections close, settling work is drained, the database is
    closed."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with platform(settings) as running:
            front = running.app
            try:
                server = await loop.create_server(
                    front.connection, settings.host, settings.port, reuse_address=True
                )
            except OSError as e:
                raise SystemExit(
                    f"lambent: cannot listen on {settings.host}:{settings.port}: {e.strerror}"
                ) from None
            log.info(
                "Lambent listening on http://%s:%d (data %s, account %s)",
                settings.host,
                settings.port,
                settings.data_dir,
                settings.account_id,
            )
            await stop.wait()
            server.close()
            await front.finish()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
