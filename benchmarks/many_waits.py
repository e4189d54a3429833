"""Submit and wait for 1,000 tasks at once through the async client, against the emulator
at a fast clock: wall time against the ideal (one lifecycle), requests per task, peak
connections and memory."""

from __future__ import annotations

import asyncio
import resource
import threading
import time
from pathlib import Path
from typing import Any, Self

import httpx

from kling_gateway import AsyncKlingClient, IntervalSchedule, Task, WaitPolicy

from .processes import TOKEN, emulator

TASKS = 1000
# Seconds from submit to SUCCESS in the emulator: a fast clock (a real task takes minutes),
# long enough that submitting 1,000 tasks on 2 shared cores is not most of the run.
LIFECYCLE = 30.0
MAX_CONNECTIONS = 50
# Submits in flight: the run is CPU-bound on 2 cores, more only adds contention.
SUBMIT_CONCURRENCY = 10
# A steady 2 s poll against a smooth clock: each task is seen final at most 2 s after it
# is, for ~15 GETs a task. (refresh_waits.py measures waiting against refresh passes.)
POLICY = WaitPolicy(
    schedule=IntervalSchedule(interval=2.0, max_interval=2.0, backoff=1.0),
    deadline=120.0,
)


def _connections_to(port: int) -> int:
    """Established TCP connections from this process's side to `port` (Linux /proc)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if remote_port == port and fields[3] == "01":  # 01 = ESTABLISHED
                count += 1
    return count


class PeakConnections:
    """Samples the connection count every 20 ms in a thread while the run lasts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _connections_to(self.port))

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def submit_tasks(
    client: AsyncKlingClient, count: int, concurrency: int, label: str
) -> list[str]:
    """Submit `count` image-to-video tasks, at most `concurrency` at a time; their ids."""
    limit = asyncio.Semaphore(concurrency)

    async def submit(index: int) -> str:
        async with limit:
            answer = await client.submit(
                model="kling-v1",
                image="https://example.com/a.png",
                prompt=f"{label} {index}",
            )
            return answer.task_id

    return list(await asyncio.gather(*(submit(i) for i in range(count))))


class _CountingGets(httpx.AsyncHTTPTransport):
    """httpx's own transport, counting the polls (GET requests) it sends."""

    def __init__(self) -> None:
        super().__init__(
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS,
                max_keepalive_connections=MAX_CONNECTIONS,
            )
        )
        self.gets = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.gets += request.method == "GET"
        return await super().handle_async_request(request)


async def _run(url: str) -> dict[str, Any]:
    counting = _CountingGets()
    async with AsyncKlingClient(
        url, TOKEN, max_connections=MAX_CONNECTIONS, wait=POLICY, transport=counting
    ) as client:
        started = time.monotonic()
        ids = await submit_tasks(client, TASKS, SUBMIT_CONCURRENCY, "task")
        submitted = time.monotonic() - started
        results = await client.wait_many(ids)
        wall = time.monotonic() - started
    succeeded = sum(isinstance(r, Task) for r in results)
    return {
        "wall": wall,
        "submit_phase": submitted,
        "succeeded": succeeded,
        "gets": counting.gets,
    }


def run() -> dict[str, Any]:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with emulator(LIFECYCLE, "B", "--smooth-clock") as (url, _):
        port = int(url.rsplit(":", 1)[1])
        with PeakConnections(port) as connections:
            outcome = asyncio.run(_run(url))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ratio = outcome["wall"] / LIFECYCLE
    # The last task cannot be final before (end of submits + one lifecycle): what waiting adds.
    waiting_ratio = outcome["wall"] / (outcome["submit_phase"] + LIFECYCLE)
    return {
        "waiting_ratio": waiting_ratio,
        **outcome,
        "tasks": TASKS,
        "ideal": LIFECYCLE,
        "ratio": ratio,
        "requests_per_task": (outcome["gets"] + TASKS) / TASKS,
        "peak_connections": connections.peak,
        "max_connections": MAX_CONNECTIONS,
        "peak_rss_mib": rss_after / 1024,
        "rss_growth_mib": (rss_after - rss_before) / 1024,
        "target": "within 1.25x of the ideal, no more connections than the pool allows",
        "met": ratio <= 1.25
        and connections.peak <= MAX_CONNECTIONS
        and outcome["succeeded"] == TASKS,
    }
