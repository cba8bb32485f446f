"""Run every benchmark against a real server, print a table, write bench/results.json."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from tests.helpers import LambentProcess

from bench import async_events, control_plane, density, invoke
from bench.stats import machine

RESULTS = Path(__file__).parent / "results.json"


def _note(stats: dict[str, Any]) -> str:
    if "ratio_p50_vs_baseline" in stats:
        return f"p50 = {stats['ratio_p50_vs_baseline']}x baseline"
    if "overhead_p50_ms" in stats:
        return f"p50 overhead over HTTP baseline: {stats['overhead_p50_ms']:.3f} ms"
    for rate, unit in (("events_per_s", "events/s"), ("per_s", "invocations/s")):
        if rate in stats:
            note = f"{stats[rate]:.0f} {unit}"
            if "ratio_vs_dryrun" in stats:
                note += f" ({stats['ratio_vs_dryrun']}x DryRun)"
            if "transactions" in stats:
                note += f" in {stats['transactions']} transactions"
            return note
    return ""


def _table(results: dict[str, Any]) -> Table:
    table = Table(title="Lambent benchmarks (milliseconds)")
    for column in ("benchmark", "n", "p50", "p90", "p99", "max", "note"):
        table.add_column(column)
    for group, figures in results["benchmarks"].items():
        if not all(isinstance(stats, dict) for stats in figures.values()):
            # Figures that are not latencies: one row, the figures as its note.
            note = ", ".join(f"{key} {value}" for key, value in figures.items())
            table.add_row(group, "", "", "", "", "", note)
            continue
        for name, stats in figures.items():
            table.add_row(
                f"{group}.{name}",
                str(stats["n"]),
                f"{stats['p50_ms']:.3f}",
                f"{stats['p90_ms']:.3f}",
                f"{stats['p99_ms']:.3f}",
                f"{stats['max_ms']:.3f}",
                _note(stats),
            )
    return table


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = LambentProcess(Path(tmp) / "data").start()
        try:
            results: dict[str, Any] = {
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": machine(),
                "benchmarks": {
                    "control_plane": control_plane.run(server),
                    "invoke": invoke.run(server),
                    "async_events": async_events.run(server),
                    "density": density.run(server),
                },
            }
        finally:
            server.stop()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    Console(width=120).print(_table(results))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
