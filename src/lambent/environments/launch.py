"""What a runtime process is started with: argv and the environment variables AWS sets.

AWS documents the variables in "Defined runtime environment variables"; the function's
own ``Environment.Variables`` come on top (reserved keys were refused when configured).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambent.environments.layout import Layout
from lambent.runtimes import Language, RuntimeChoice

#: Starts the external extensions (the executables in /opt/extensions, AWS's rule) in the
#: environment, then becomes the runtime: all one process tree in one sandbox.
_WITH_EXTENSIONS = (
    'dir="$1"; shift; for e in "$dir"/*; do '
    'if [ -f "$e" ] && [ -x "$e" ]; then "$e" & fi; done; exec "$@"'
)
#: ``AWS_LAMBDA_EXEC_WRAPPER``: the managed runtimes' bootstrap hands the runtime's own
#: command line to the wrapper script, after the checks (and messages, and exit statuses)
#: AWS's bootstrap makes.
_WITH_WRAPPER = (
    'w="$AWS_LAMBDA_EXEC_WRAPPER"; '
    'if [ ! -f "$w" ]; then echo "$w: does not exist"; exit 127; fi; '
    'if [ ! -x "$w" ]; then echo "$w: is not an executable"; exit 126; fi; '
    'exec "$w" "$@"'
)
#: What AWS's Node.js bootstrap gives every function (``global.gc``, 80 KiB headers for
#: the function's own HTTP clients). Its heap sizes, derived from the memory size, are not
#: passed: one command line for every memory size is what lets a spare serve any function.
_NODE_FLAGS = ("--expose-gc", "--max-http-header-size=81920")
_LANG = "en_US.UTF-8"
_TZ = ":UTC"


@dataclass(frozen=True, slots=True)
class Identity:
    """Which function version an environment serves, and how it is named in logs."""

    account: str
    region: str
    name: str
    version: str
    memory_mb: int
    handler: str
    log_group: str
    log_stream: str
    initialization_type: str = "on-demand"


@dataclass(frozen=True, slots=True)
class Launch:
    argv: tuple[str, ...]
    env: dict[str, str]


def _python(
    choice: RuntimeChoice, layout: Layout, handler: str
) -> tuple[tuple[str, ...], dict[str, str]]:
    assert choice.installation is not None
    major, minor = choice.installation.version
    site = f"{layout.opt}/python/lib/python{major}.{minor}/site-packages"
    # AWS's order: the function's code, then layers, then the runtime's own packages.
    path = ":".join((layout.task, site, f"{layout.opt}/python", layout.runtime))
    # awslambdaric takes the handler as its argument, as AWS's python bootstrap passes it.
    argv = (str(choice.installation.executable), "-m", "awslambdaric", handler)
    return argv, {"PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}


def _nodejs(choice: RuntimeChoice, layout: Layout) -> tuple[tuple[str, ...], dict[str, str]]:
    assert choice.installation is not None
    major = choice.installation.version[0]
    node_path = ":".join(
        (
            f"{layout.opt}/nodejs/node{major}/node_modules",
            f"{layout.opt}/nodejs/node_modules",
            f"{layout.runtime}/node_modules",
            layout.runtime,
            layout.task,
        )
    )
    argv = (str(choice.installation.executable), *_NODE_FLAGS, f"{layout.runtime}/index.mjs")
    return argv, {"NODE_PATH": node_path}


def _provided(code: Path, opt: Path | None, layout: Layout) -> tuple[str, ...]:
    """A custom runtime's ``bootstrap``: the function's, else a layer's (AWS's order)."""
    if (code / "bootstrap").is_file():
        return (f"{layout.task}/bootstrap",)
    if opt is not None and (opt / "bootstrap").is_file():
        return (f"{layout.opt}/bootstrap",)
    return (f"{layout.task}/bootstrap",)  # missing: the start fails as AWS's does


def launch(
    identity: Identity,
    choice: RuntimeChoice,
    layout: Layout,
    config: Mapping[str, Any],
    *,
    code: Path,
    opt: Path | None,
    runtime_api: str,
    credentials: Mapping[str, str],
    extensions: Sequence[str] = (),
) -> Launch:
    """argv and environment for one execution environment's runtime process (and its
    external extensions, started first when there are any)."""
    if choice.language is Language.PYTHON:
        argv, extra = _python(choice, layout, identity.handler)
    elif choice.language is Language.NODEJS:
        argv, extra = _nodejs(choice, layout)
    else:
        argv, extra = _provided(code, opt, layout), {}
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": identity.name,
        "AWS_LAMBDA_FUNCTION_VERSION": identity.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(identity.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": identity.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": identity.log_stream,
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_INITIALIZATION_TYPE": identity.initialization_type,
        "AWS_REGION": identity.region,
        "AWS_DEFAULT_REGION": identity.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{choice.identifier}",
        "_HANDLER": identity.handler,
        "LAMBDA_TASK_ROOT": layout.task,
        "LAMBDA_RUNTIME_DIR": layout.runtime,
        "TZ": _TZ,
        "LANG": _LANG,
        "PATH": f"/usr/local/bin:/usr/bin:/bin:{layout.opt}/bin",
        "LD_LIBRARY_PATH": ":".join(
            (f"{layout.runtime}/lib", layout.task, f"{layout.task}/lib", f"{layout.opt}/lib")
        ),
        **credentials,
        **extra,
    }
    logging = config.get("LoggingConfig") or {}
    if logging.get("LogFormat") == "JSON":
        env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        env["AWS_LAMBDA_LOG_LEVEL"] = logging.get("ApplicationLogLevel", "INFO")
    env.update((config.get("Environment") or {}).get("Variables") or {})
    if env.get("AWS_LAMBDA_EXEC_WRAPPER") and choice.language is not Language.PROVIDED:
        argv = ("/bin/sh", "-c", _WITH_WRAPPER, "lambent-wrapper", *argv)
    if extensions:
        argv = (
            "/bin/sh",
            "-c",
            _WITH_EXTENSIONS,
            "lambent-init",
            f"{layout.opt}/extensions",
            *argv,
        )
    return Launch(argv, env)


def external_extensions(opt: Path | None) -> tuple[str, ...]:
    """The names of the external extensions a layer set ships (``/opt/extensions/*``)."""
    directory = None if opt is None else opt / "extensions"
    if directory is None or not directory.is_dir():
        return ()
    return tuple(
        sorted(e.name for e in directory.iterdir() if e.is_file() and os.access(e, os.X_OK))
    )
