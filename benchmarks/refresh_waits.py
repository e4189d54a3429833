"""Waiting in step with the gateway's refresh passes: requests per task and the delay
between the gateway recording a task's final state and `wait` returning, for the refresh
schedule (the default), the interval schedule (the default before 0.3) and the ideal.
All tasks are submitted first, then waited for with `wait_many` (requests in flight
bounded by the pool of 50).

The emulator runs in its own process (its /emulator/tasks/<id>/refreshes route tells when
each final state was written) at real speed unless KLING_BENCH_WAIT_SCALE says otherwise
(0.5 runs twice as fast; every delay is also given as a share of the refresh period, but
the gateway's clocks still count whole seconds, so a faster run is harder on the delay).
Every task has a channel to itself, so passes come every 15 s as on a lightly loaded
gateway; one more run puts 20 tasks on each channel, where passes outlast a second and come
every 30 s.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from typing import Any

import httpx

from kling_emulator.config import Lifecycle, Refresh
from kling_gateway import (
    AsyncKlingClient,
    IntervalSchedule,
    RefreshSchedule,
    Task,
    WaitPolicy,
)

from .many_waits import submit_tasks
from .processes import TOKEN, emulator

SCALE = float(os.environ.get("KLING_BENCH_WAIT_SCALE", "1"))
PERIOD = Refresh().period * SCALE
LIFECYCLE = Lifecycle().total * SCALE  # Kling's 90 s from submit to a final state
SCHEDULES: dict[str, RefreshSchedule | IntervalSchedule] = {
    "refresh": RefreshSchedule(period=PERIOD, margin=0.25 * SCALE, probe=2.5 * SCALE),
    "interval": IntervalSchedule(
        interval=2.0 * SCALE, max_interval=15.0 * SCALE, backoff=1.5
    ),
}
TARGET_RATIO = 1.3
# A second at real speed; scaled runs keep the share of the period (the gateway's clocks
# still count whole seconds there, so a scaled run flatters nothing).
TARGET_MEDIAN_DELAY_PERIODS = 1.0 / 15.0


async def _wait_all(url: str, name: str, count: int) -> dict[str, Any]:
    """Submit `count` tasks, wait for all of them on one schedule, and measure."""
    requests: dict[str, int] = {}

    async def count_request(request: httpx.Request) -> None:
        task_id = request.url.path.rsplit("/", 1)[-1]
        if request.method == "GET":
            requests[task_id] = requests.get(task_id, 0) + 1

    policy = WaitPolicy(schedule=SCHEDULES[name], deadline=LIFECYCLE * 4 + 60)
    async with AsyncKlingClient(url, TOKEN, wait=policy, max_connections=50) as client:
        client._http.event_hooks["request"].append(count_request)
        returned: dict[str, float] = {}

        def seen(task: Task) -> None:
            if task.status == "SUCCESS":
                returned[task.task_id] = time.time()

        ids = await submit_tasks(client, count, 50, name)
        # wait_many keeps requests in flight within the pool, as a caller would.
        results = await client.wait_many(ids, on_progress=seen)
        assert all(isinstance(result, Task) for result in results), results
        refreshes = [await _refreshes(client, url, task_id) for task_id in ids]
    delays = [
        returned[task_id] - r["written_at"]
        for task_id, r in zip(ids, refreshes, strict=True)
    ]
    spent = sum(requests[task_id] for task_id in ids)
    ideal = sum(r["refreshes"] for r in refreshes)
    return _figures(delays, spent, ideal, count)


async def _refreshes(
    client: AsyncKlingClient, url: str, task_id: str
) -> dict[str, Any]:
    answer = await client._http.get(f"{url}/emulator/tasks/{task_id}/refreshes")
    answer.raise_for_status()
    refreshed: dict[str, Any] = answer.json()
    assert refreshed["status"] == "SUCCESS", refreshed
    return refreshed


def _figures(delays: list[float], spent: int, ideal: int, count: int) -> dict[str, Any]:
    ordered = sorted(delays)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    median = statistics.median(ordered)
    return {
        "tasks": count,
        "requests_per_task": spent / count,
        "ideal_requests_per_task": ideal / count,
        "ratio_to_ideal": spent / ideal,
        "median_delay_s": median,
        "p99_delay_s": p99,
        "median_delay_periods": median / PERIOD,
        "p99_delay_periods": p99 / PERIOD,
    }


def _scenario(
    count: int, tasks_per_channel: int, generation: str = "B"
) -> dict[str, Any]:
    """Both schedules side by side on one emulator (each task's channel shared with
    `tasks_per_channel - 1` others)."""
    channels = max(1, 2 * count // tasks_per_channel)
    options = ("--channels", str(channels))
    with emulator(LIFECYCLE, generation, *options) as (url, _):

        async def both() -> list[dict[str, Any]]:
            return list(
                await asyncio.gather(
                    *(_wait_all(url, name, count) for name in SCHEDULES)
                )
            )

        figures = dict(zip(SCHEDULES, asyncio.run(both()), strict=True))
    return {
        "generation": generation,
        "tasks_per_channel": tasks_per_channel,
        "channels": channels,
        **figures,
    }


def run() -> dict[str, Any]:
    one = _scenario(1, 1)
    one_a = _scenario(1, 1, "A")
    # Generation C's Kling route carries Kling's times, not the gateway's: a wait polls the
    # gateway's own task (/v1/video/generations/{id}) once it sees the plugin's envelope.
    one_c = _scenario(1, 1, "C")
    many = _scenario(1000, 1)
    many_c = _scenario(1000, 1, "C")
    loaded = _scenario(1000, 20)
    refresh = [one["refresh"], many["refresh"], one_c["refresh"], many_c["refresh"]]
    return {
        "scale": SCALE,
        "period_s": PERIOD,
        "lifecycle_s": LIFECYCLE,
        "one_task": one,
        "one_task_generation_a": one_a,
        "one_task_generation_c": one_c,
        "thousand_tasks": many,
        "thousand_tasks_generation_c": many_c,
        "thousand_tasks_20_per_channel": loaded,
        "target": f"refresh schedule: at most {TARGET_RATIO}x the ideal requests per task "
        "and a median delay under 1/15 of the period (1 s at real speed), "
        "for 1 and 1,000 tasks on a gateway refreshing every 15 s, generations B and C",
        "met": all(
            r["ratio_to_ideal"] <= TARGET_RATIO
            and r["median_delay_periods"] < TARGET_MEDIAN_DELAY_PERIODS
            for r in refresh
        ),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
