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

from bench import async_events, control_plane, invoke
from bench.stats import machine

RESULTS = Path(__file__).parent / "results.json"


def _table(results: dict[str, Any]) -> Table:
    table = Table(title="Lambent benchmarks (milliseconds)")
    for column in ("benchmark", "n", "p50", "p90", "p99", "max", "note"):
        table.add_column(column)
    for group, figures in results["benchmarks"].items():
        for name, stats in figures.items():
            note = ""
            if "ratio_p50_vs_baseline" in stats:
                note = f"p50 = {stats['ratio_p50_vs_baseline']}x baseline"
            if "overhead_p50_ms" in stats:
                note = f"p50 overhead over HTTP baseline: {stats['overhead_p50_ms']:.3f} ms"
            if "events_per_s" in stats:
                note = f"{stats['events_per_s']:.0f} events/s"
                if "ratio_vs_dryrun" in stats:
                    note += f" ({stats['ratio_vs_dryrun']}x DryRun)"
                if "transactions" in stats:
                    note += f" in {stats['transactions']} transactions"
            table.add_row(
                f"{group}.{name}",
                str(stats["n"]),
                f"{stats['p50_ms']:.3f}",
                f"{stats['p90_ms']:.3f}",
                f"{stats['p99_ms']:.3f}",
                f"{stats['max_ms']:.3f}",
                note,
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
                },
            }
        finally:
            server.stop()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    Console(width=120).print(_table(results))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
