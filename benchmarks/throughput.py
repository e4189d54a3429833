"""GET throughput and latency of the emulator against `prism mock openapi.yaml` (the usual
spec-driven mock), with wrk on loopback, at a few concurrency levels."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from typing import Any

from .processes import TOKEN, emulator, prism

CONCURRENCY = (1, 10, 50)
RUNS = 3
SECONDS = 4
# Prism answers any id matching the spec's pattern with the documented example.
PRISM_TASK_ID = "842250903629086785"


def wrk_binary() -> str | None:
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            capture_output=True,
            timeout=300,
            check=False,
        )
        found = shutil.which("wrk")
    return found


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk_once(wrk: str, url: str, connections: int) -> dict[str, float]:
    command = [
        wrk, "-t1", f"-c{connections}", f"-d{SECONDS}s", "--latency", "--timeout", "5s",
        "-H", f"Authorization: Bearer {TOKEN}", url,
    ]  # fmt: skip
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=SECONDS + 30, check=True
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def measure(wrk: str, url: str) -> list[dict[str, float]]:
    rows = []
    for connections in CONCURRENCY:
        runs = [wrk_once(wrk, url, connections) for _ in range(RUNS)]
        rps = [r["rps"] for r in runs]
        rows.append(
            {
                "connections": connections,
                "rps": statistics.median(rps),
                "rps_spread": (max(rps) - min(rps)) / statistics.median(rps),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "non_2xx": sum(r["non_2xx"] for r in runs),
            }
        )
    return rows


def run() -> dict[str, Any]:
    wrk = wrk_binary()
    if wrk is None:
        return {"skipped": "wrk is not installed (Debian package wrk)"}
    result: dict[str, Any] = {"runs": RUNS, "seconds": SECONDS}
    with emulator() as (url, seeded):
        result["emulator"] = measure(
            wrk, f"{url}/kling/v1/videos/image2video/{seeded['SUCCESS']}"
        )
    with prism() as url:
        if url is None:
            result["prism"] = None
            result["skipped_prism"] = (
                "Prism could not be installed from the npm registry"
            )
        else:
            result["prism"] = measure(
                wrk, f"{url}/kling/v1/videos/image2video/{PRISM_TASK_ID}"
            )
    if result["prism"]:
        ratios = [
            e["rps"] / p["rps"]
            for e, p in zip(result["emulator"], result["prism"], strict=True)
        ]
        result["ratios"] = ratios
        result["met"] = min(ratios) >= 3.0
    result["target"] = "emulator at least 3x Prism's throughput"
    return result
