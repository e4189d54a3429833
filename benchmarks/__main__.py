"""Run every benchmark once, print the figures and write benchmarks/report.md."""

from __future__ import annotations

import datetime
import json
import os
import time
from collections.abc import Callable
from typing import Any

from . import (
    batch,
    client_cpu,
    client_overhead,
    many_waits,
    refresh_waits,
    report,
    suite_and_generate,
    throughput,
)

SECTIONS: dict[str, Callable[[], dict[str, Any]]] = {
    "client_overhead": client_overhead.run,
    "client_cpu": client_cpu.run,
    "many_waits": many_waits.run,
    "refresh_waits": refresh_waits.run,
    "batch": batch.run,
    "throughput": throughput.run,
    "contract_suite": suite_and_generate.contract_suite,
    "generate": suite_and_generate.generate,
}


def main() -> int:
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "cpus": os.cpu_count(),
    }
    for name, run in SECTIONS.items():
        started = time.monotonic()
        print(f"== {name} ...", flush=True)
        results[name] = run()
        print(json.dumps(results[name], indent=1, default=str), flush=True)
        print(f"== {name}: {time.monotonic() - started:.1f} s", flush=True)
    path = report.write(results)
    (path.parent / "results.json").write_text(
        json.dumps(results, indent=1, default=str) + "\n"
    )
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
