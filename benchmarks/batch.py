"""Batches over a journal: what the journal costs per submit and per state change, and a
1,000-job `batch` beside `submit` + `wait_many` on the same emulator (wall time, requests and
connections opened per task), with the client's keep-alive and with httpx's 5 s default.

`python -m benchmarks.batch` runs this section alone and writes it into report.md.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpcore
import httpx

from kling_emulator.config import Lifecycle, Refresh
from kling_gateway import AsyncKlingClient, RefreshSchedule, Task, WaitPolicy, _settings
from kling_gateway._batch import job_digest
from kling_gateway._journal import Journal

from .many_waits import submit_tasks
from .processes import TOKEN, emulator

JOBS = 1000
LIFECYCLE = (
    60.0  # seconds from submit to final: passes 10 s apart, more than httpx's 5 s
)
MAX_CONNECTIONS = 20
JOURNAL_ROUNDS = 500
HERE = Path(__file__).resolve().parent
TITLE = "## Batches over a journal"


def _journal_costs() -> dict[str, float]:
    """Milliseconds per change on this machine's disk: a submit's two (intent and task id,
    each a FULL commit, fsynced) and a final status or saved file (NORMAL)."""
    jobs = [{"prompt": f"shot {n}"} for n in range(JOURNAL_ROUNDS)]
    with tempfile.TemporaryDirectory(dir=HERE) as folder:
        journal = Journal.open(
            Path(folder) / "b.db", [job_digest(j) for j in jobs], [None] * len(jobs)
        )
        timings: dict[str, list[float]] = {"submit": [], "change": []}
        for n in range(JOURNAL_ROUNDS):
            started = time.perf_counter()
            journal.record_sending(n)
            journal.record_submitted(n, f"task_{n}")
            timings["submit"].append(time.perf_counter() - started)
            started = time.perf_counter()
            journal.record_final(n, True, "SUCCESS", None)
            timings["change"].append(time.perf_counter() - started)
        journal.close()
    return {
        "submit_ms": statistics.median(timings["submit"]) * 1000,
        "change_ms": statistics.median(timings["change"]) * 1000,
        "submit_p90_ms": statistics.quantiles(timings["submit"], n=10)[-1] * 1000,
    }


class _Counting(httpcore.AsyncNetworkBackend):
    """The pool's own network backend, counting the TCP connections it opens."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self.inner, self.opened = inner, 0

    async def connect_tcp(
        self, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        self.opened += 1
        return await self.inner.connect_tcp(*args, **kwargs)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class _Requests(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.sent = inner, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@contextmanager
def _counted(client: AsyncKlingClient) -> Iterator[tuple[_Counting, _Requests]]:
    """The client's own pool (its limits and keep-alive), with its connections and requests
    counted."""
    http = client._http
    bounded = http._transport
    pool = bounded._inner._pool  # type: ignore[attr-defined]
    backend = _Counting(pool._network_backend)
    pool._network_backend = backend
    requests = _Requests(bounded)
    http._transport = requests
    yield backend, requests


async def _wait_many(url: str, policy: WaitPolicy) -> dict[str, Any]:
    async with AsyncKlingClient(
        url, TOKEN, max_connections=MAX_CONNECTIONS, wait=policy
    ) as client:
        with _counted(client) as (backend, requests):
            started = time.monotonic()
            ids = await submit_tasks(client, JOBS, MAX_CONNECTIONS, "wait_many")
            results = await client.wait_many(ids, deadline=600)
            wall = time.monotonic() - started
    return {
        "wall": wall,
        "succeeded": sum(isinstance(r, Task) for r in results),
        "requests_per_task": requests.sent / JOBS,
        "connections": backend.opened,
        "connections_per_task": backend.opened / JOBS,
    }


async def _batch(url: str, policy: WaitPolicy) -> dict[str, Any]:
    jobs = [
        {"model": "kling-v1", "image": "https://example.com/a.png", "prompt": f"b {n}"}
        for n in range(JOBS)
    ]
    with tempfile.TemporaryDirectory(dir=HERE) as folder:
        async with AsyncKlingClient(
            url, TOKEN, max_connections=MAX_CONNECTIONS, wait=policy
        ) as client:
            with _counted(client) as (backend, requests):
                started = time.monotonic()
                results = await client.batch(
                    jobs, journal=Path(folder) / "b.db", deadline=600
                )
                wall = time.monotonic() - started
    return {
        "wall": wall,
        "succeeded": sum(r.state == "succeeded" for r in results),
        "requests_per_task": requests.sent / JOBS,
        "connections": backend.opened,
        "connections_per_task": backend.opened / JOBS,
    }


def run() -> dict[str, Any]:
    scale = Lifecycle.scaled(LIFECYCLE).scale
    period = Refresh().period * scale
    policy = WaitPolicy(schedule=RefreshSchedule.for_period(period), deadline=600)
    results: dict[str, Any] = {
        "jobs": JOBS,
        "lifecycle": LIFECYCLE,
        "period": period,
        "max_connections": MAX_CONNECTIONS,
        "keepalive_expiry": _settings.KEEPALIVE_EXPIRY,
        "journal": _journal_costs(),
    }
    # One emulator for all three runs; a channel per task keeps its passes one tick long.
    with emulator(LIFECYCLE, "B", "--channels", "4096") as (url, _):
        results["batch"] = asyncio.run(_batch(url, policy))
        results["wait_many"] = asyncio.run(_wait_many(url, policy))
        # As before: httpx's default keep-alive, shorter than the gap between polls.
        kept = _settings.KEEPALIVE_EXPIRY
        _settings.KEEPALIVE_EXPIRY = 5.0
        try:
            results["wait_many_5s_keepalive"] = asyncio.run(_wait_many(url, policy))
        finally:
            _settings.KEEPALIVE_EXPIRY = kept
    return results


def section(results: dict[str, Any] | None) -> list[str]:
    if results is None:
        return []
    journal, rows = results["journal"], []
    for name, label in (
        ("batch", "`batch` (journal, no downloads)"),
        ("wait_many", "`submit` + `wait_many`"),
        (
            "wait_many_5s_keepalive",
            "`submit` + `wait_many`, 5 s keep-alive (httpx's default)",
        ),
    ):
        r = results[name]
        rows.append(
            f"| {label} | {r['wall']:.1f} s | {r['succeeded']} of {results['jobs']} | "
            f"{r['requests_per_task']:.2f} | {r['connections']} | "
            f"{r['connections_per_task']:.3f} |"
        )
    return [
        TITLE,
        "",
        (
            f"The journal on this machine's disk (median of {JOURNAL_ROUNDS}): a submit's two "
            f"records (its intent before sending and its task id after, each fsynced) cost "
            f"{journal['submit_ms']:.2f} ms (p90 {journal['submit_p90_ms']:.2f} ms); a later state "
            f"change (final status, saved file; not fsynced, which a process crash survives) "
            f"{journal['change_ms']:.3f} ms."
        ),
        "",
        (
            f"{results['jobs']} jobs against one emulator process whose tasks take "
            f"{results['lifecycle']:.0f} s, refreshed in passes every {results['period']:.1f} s "
            f"and polled in step with them; pool of {results['max_connections']} connections, "
            f"keep-alive {results['keepalive_expiry']:.0f} s unless said; the three runs one "
            "after the other."
        ),
        "",
        "| way | wall time | succeeded | requests per task | connections opened | per task |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        (
            f"What the batch adds is its journal: {2 * results['jobs']} fsynced commits on "
            f"the event loop, {journal['submit_ms'] * results['jobs'] / 1000:.1f} s at "
            "this disk's median, against an emulator that answers a submit in about a "
            "millisecond (a real gateway takes hundreds). With httpx's 5 s keep-alive, "
            f"shorter than the {results['period']:.0f} s between two polls of a task, the same "
            f"wait opened {results['wait_many_5s_keepalive']['connections']} connections; with "
            f"the client's {results['keepalive_expiry']:.0f} s, "
            f"{results['wait_many']['connections']}, the pool's size."
        ),
        "",
    ]


def write_section(results: dict[str, Any], report: Path = HERE / "report.md") -> None:
    """This section into report.md, replacing its last version."""
    text = report.read_text()
    lines = section(results)
    start = text.find(TITLE)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines)
    else:
        end = text.find("\n## ", start + len(TITLE))
        rest = "" if end == -1 else text[end + 1 :]
        text = text[:start] + "\n".join(lines) + ("\n" + rest if rest else "")
    report.write_text(text)


if __name__ == "__main__":
    import sys

    # With a file of figures a run printed: that run's section, written again.
    if len(sys.argv) > 1:
        figures = json.loads(Path(sys.argv[1]).read_text())
    else:
        figures = run()
        print(json.dumps(figures, indent=1))
    write_section(figures)
