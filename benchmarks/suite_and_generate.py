"""Wall time of the contract suite against the emulator and of `make generate`'s work."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .processes import ROOT

GENERATE_RUNS = 3


def contract_suite() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as reports:
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-m", "kling_contract", "--reports", reports],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        wall = time.monotonic() - started
        cases = sum(
            json.loads(path.read_text()).get("test_cases", {}).get("generated", 0)
            for path in Path(reports).glob("*/report.json")
        )
    return {
        "passed": completed.returncode == 0,
        "wall": wall,
        "cases": cases,
        "cases_per_second": cases / wall,
        "target": "under 60 s with at least 1,000 generated cases",
        "met": completed.returncode == 0 and wall < 60 and cases >= 1000,
    }


def generate() -> dict[str, Any]:
    """The generation step in its checking mode: the same work, into a temporary folder,
    so that the benchmark never touches generated/."""
    times = []
    for _ in range(GENERATE_RUNS):
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "tools/generate_client.py", "--check"],
            cwd=ROOT,
            capture_output=True,
            timeout=300,
            check=True,
        )
        times.append(time.monotonic() - started)
    return {"runs": times, "median": statistics.median(times)}
