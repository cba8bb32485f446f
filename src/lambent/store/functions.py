"""Functions, their versions and aliases in SQLite (called on the database thread)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lambent.domain.arn import LATEST

Config = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Code:
    """The SHA-256s of a function version's package and of its layers' code, in order."""

    package: str
    layers: tuple[str, ...] = ()


def _load(text: str) -> Config:
    loaded: Config = json.loads(text)
    return loaded


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def exists(c: sqlite3.Connection, account: str, region: str, name: str) -> bool:
    row = c.execute(
        "SELECT 1 FROM functions WHERE account=? AND region=? AND name=?",
        (account, region, name),
    ).fetchone()
    return row is not None


def get_version(
    c: sqlite3.Connection, account: str, region: str, name: str, version: str
) -> Config | None:
    row = c.execute(
        "SELECT config FROM function_versions "
        "WHERE account=? AND region=? AND name=? AND version=?",
        (account, region, name, version),
    ).fetchone()
    return None if row is None else _load(row[0])


def code(c: sqlite3.Connection, account: str, region: str, name: str, version: str) -> Code:
    row = c.execute(
        "SELECT code_sha256, layer_code FROM function_versions "
        "WHERE account=? AND region=? AND name=? AND version=?",
        (account, region, name, version),
    ).fetchone()
    if row is None:
        raise LookupError(f"no version {version} of {name}")
    return Code(str(row[0]), tuple(json.loads(row[1])))


def versions(c: sqlite3.Connection, account: str, region: str, name: str) -> list[Config]:
    """All versions of a function, ``$LATEST`` first, then by number."""
    rows = c.execute(
        "SELECT config FROM function_versions WHERE account=? AND region=? AND name=? "
        "ORDER BY version != ?, CAST(version AS INTEGER)",
        (account, region, name, LATEST),
    )
    return [_load(r[0]) for r in rows]


def create(
    c: sqlite3.Connection,
    account: str,
    region: str,
    config: Config,
    code: Code,
    tags: dict[str, str],
) -> None:
    name = config["FunctionName"]
    c.execute(
        "INSERT INTO functions (account, region, name, tags) VALUES (?, ?, ?, ?)",
        (account, region, name, _dump(tags)),
    )
    put_version(c, account, region, config, code)


def put_version(
    c: sqlite3.Connection, account: str, region: str, config: Config, code: Code
) -> None:
    c.execute(
        "INSERT OR REPLACE INTO function_versions "
        "(account, region, name, version, config, code_sha256, layer_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            account,
            region,
            config["FunctionName"],
            config["Version"],
            _dump(config),
            code.package,
            _dump(list(code.layers)),
        ),
    )


def update_config(
    c: sqlite3.Connection,
    account: str,
    region: str,
    config: Config,
    layers: Sequence[str] | None = None,
) -> None:
    """Replace a version's configuration, keeping its package; ``layers`` (the SHA-256s of
    its layers' code) replaces the layers' code when given."""
    c.execute(
        "UPDATE function_versions SET config=?, layer_code=COALESCE(?, layer_code) "
        "WHERE account=? AND region=? AND name=? AND version=?",
        (
            _dump(config),
            None if layers is None else _dump(list(layers)),
            account,
            region,
            config["FunctionName"],
            config["Version"],
        ),
    )


def delete_version(
    c: sqlite3.Connection, account: str, region: str, name: str, version: str
) -> None:
    c.execute(
        "DELETE FROM function_versions WHERE account=? AND region=? AND name=? AND version=?",
        (account, region, name, version),
    )
    c.execute(
        "DELETE FROM function_policies WHERE account=? AND region=? AND function=? AND qualifier=?",
        (account, region, name, version),
    )


def delete(c: sqlite3.Connection, account: str, region: str, name: str) -> None:
    c.execute(
        "DELETE FROM functions WHERE account=? AND region=? AND name=?", (account, region, name)
    )


def next_version(c: sqlite3.Connection, account: str, region: str, name: str) -> int:
    """Reserve the next version number; numbers are never reused, as in AWS."""
    row = c.execute(
        "UPDATE functions SET last_version = last_version + 1 "
        "WHERE account=? AND region=? AND name=? RETURNING last_version",
        (account, region, name),
    ).fetchone()
    return int(row[0])


def page_latest(
    c: sqlite3.Connection, account: str, region: str, after: str, limit: int, all_versions: bool
) -> list[Config]:
    """Configurations ordered by (name, version), starting after the ``after`` key."""
    version_filter = "" if all_versions else "AND version = '$LATEST' "
    rows = c.execute(
        "SELECT config, name || char(0) || printf('%010d', CASE version WHEN '$LATEST' THEN 0 "
        "ELSE CAST(version AS INTEGER) END) AS k FROM function_versions "
        f"WHERE account=? AND region=? {version_filter}AND k > ? ORDER BY k LIMIT ?",
        (account, region, after, limit),
    )
    return [_load(r[0]) for r in rows]


def reserved_concurrency(c: sqlite3.Connection, account: str, region: str, name: str) -> int | None:
    """The function's reserved concurrency; raises LookupError for an unknown function."""
    row = c.execute(
        "SELECT reserved_concurrency FROM functions WHERE account=? AND region=? AND name=?",
        (account, region, name),
    ).fetchone()
    if row is None:
        raise LookupError(name)
    return None if row[0] is None else int(row[0])


def set_reserved_concurrency(
    c: sqlite3.Connection, account: str, region: str, name: str, value: int | None
) -> None:
    c.execute(
        "UPDATE functions SET reserved_concurrency=? WHERE account=? AND region=? AND name=?",
        (value, account, region, name),
    )


def reserved_total(c: sqlite3.Connection, account: str, region: str, excluding: str = "") -> int:
    """What the account's functions (but ``excluding``) take out of its unreserved
    concurrency: their reservations, and the provisioned concurrency of those without one
    (AWS: provisioned concurrency counts towards the account's unreserved concurrency)."""
    (total,) = c.execute(
        "SELECT COALESCE(SUM(COALESCE(reserved_concurrency, (SELECT SUM(p.requested) "
        "FROM provisioned_concurrency p WHERE p.account=f.account AND p.region=f.region "
        "AND p.function=f.name))), 0) FROM functions f "
        "WHERE f.account=? AND f.region=? AND f.name != ?",
        (account, region, excluding),
    ).fetchone()
    return int(total)


def tags(c: sqlite3.Connection, account: str, region: str, name: str) -> dict[str, str] | None:
    row = c.execute(
        "SELECT tags FROM functions WHERE account=? AND region=? AND name=?",
        (account, region, name),
    ).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def set_tags(
    c: sqlite3.Connection, account: str, region: str, name: str, value: dict[str, str]
) -> None:
    c.execute(
        "UPDATE functions SET tags=? WHERE account=? AND region=? AND name=?",
        (_dump(value), account, region, name),
    )


def unsettled(c: sqlite3.Connection) -> Iterator[tuple[str, str, Config]]:
    """Configurations whose creation or update had not finished (after a restart)."""
    rows = c.execute(
        "SELECT account, region, config FROM function_versions WHERE "
        "json_extract(config, '$.State') = 'Pending' "
        "OR json_extract(config, '$.LastUpdateStatus') = 'InProgress'"
    )
    for account, region, config in rows:
        yield account, region, _load(config)


def total_code_size(c: sqlite3.Connection, account: str, region: str) -> tuple[int, int]:
    """``(bytes of code, number of functions)`` of an account and region, as AWS counts."""
    (size,) = c.execute(
        "SELECT COALESCE(SUM(json_extract(config, '$.CodeSize')), 0) FROM function_versions "
        "WHERE account=? AND region=?",
        (account, region),
    ).fetchone()
    (layer_size,) = c.execute(
        "SELECT COALESCE(SUM(json_extract(config, '$.Content.CodeSize')), 0) FROM layer_versions "
        "WHERE account=? AND region=?",
        (account, region),
    ).fetchone()
    (count,) = c.execute(
        "SELECT COUNT(*) FROM functions WHERE account=? AND region=?", (account, region)
    ).fetchone()
    return int(size) + int(layer_size), int(count)


def get_alias(
    c: sqlite3.Connection, account: str, region: str, function: str, name: str
) -> Config | None:
    row = c.execute(
        "SELECT config FROM aliases WHERE account=? AND region=? AND function=? AND name=?",
        (account, region, function, name),
    ).fetchone()
    return None if row is None else _load(row[0])


def aliases(c: sqlite3.Connection, account: str, region: str, function: str) -> list[Config]:
    rows = c.execute(
        "SELECT config FROM aliases WHERE account=? AND region=? AND function=? ORDER BY name",
        (account, region, function),
    )
    return [_load(r[0]) for r in rows]


def put_alias(
    c: sqlite3.Connection, account: str, region: str, function: str, config: Config
) -> None:
    c.execute(
        "INSERT OR REPLACE INTO aliases (account, region, function, name, config) "
        "VALUES (?, ?, ?, ?, ?)",
        (account, region, function, config["Name"], _dump(config)),
    )


def delete_alias(
    c: sqlite3.Connection, account: str, region: str, function: str, name: str
) -> None:
    c.execute(
        "DELETE FROM aliases WHERE account=? AND region=? AND function=? AND name=?",
        (account, region, function, name),
    )
    c.execute(
        "DELETE FROM function_policies WHERE account=? AND region=? AND function=? AND qualifier=?",
        (account, region, function, name),
    )
