"""The same sequential GETs of one task through plain httpx (the floor), the generated client
and the hand-written client, interleaved round by round so that noise hits all three alike."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import httpx

from kling_gateway import KlingClient
from kling_gateway_api import Client
from kling_gateway_api.api.tasks import get_image_to_video_task

from .processes import TOKEN, emulator

ROUNDS = 7
REQUESTS_PER_ROUND = 400


def side_by_side(
    ways: dict[str, Callable[[], object]],
    rounds: int,
    per_round: int,
    clock: Callable[[], float] = time.perf_counter,
    warm_up: int = 50,
) -> dict[str, list[float]]:
    """Seconds of `clock` per call of each way, one figure per round, the ways interleaved
    round by round (the order rotating) so that noise hits all of them alike."""

    def per_call(call: Callable[[], object], count: int) -> float:
        started = clock()
        for _ in range(count):
            call()
        return (clock() - started) / count

    for call in ways.values():  # warm up connections, code paths and caches
        per_call(call, warm_up)
    names = list(ways)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(per_call(ways[name], per_round))
    return samples


def rows(
    samples: dict[str, list[float]], floor: str, unit: str, scale: float
) -> list[dict[str, object]]:
    """Median, min and max per way in `unit` (seconds times `scale`), and the ratio of each
    median to the `floor` way's."""
    base = statistics.median(samples[floor])
    return [
        {
            "way": name,
            f"median_{unit}": statistics.median(values) * scale,
            f"min_{unit}": min(values) * scale,
            f"max_{unit}": max(values) * scale,
            "ratio": statistics.median(values) / base,
        }
        for name, values in samples.items()
    ]


def run() -> dict[str, object]:
    with emulator() as (url, seeded):
        task_id = seeded["SUCCESS"]
        headers = {"Authorization": f"Bearer {TOKEN}"}
        path = f"/kling/v1/videos/image2video/{task_id}"
        plain = httpx.Client(base_url=url, headers=headers)
        generated = Client(base_url=url)
        generated.set_httpx_client(httpx.Client(base_url=url, headers=headers))
        client = KlingClient(url, TOKEN)
        ways: dict[str, Callable[[], object]] = {
            "httpx + json.loads": lambda: json.loads(plain.get(path).content),
            "generated client": lambda: get_image_to_video_task.sync(
                task_id, client=generated
            ),
            "kling_gateway client": lambda: client.get(task_id),
        }
        samples = side_by_side(ways, ROUNDS, REQUESTS_PER_ROUND)
        plain.close()
        client.close()
    table = rows(samples, "httpx + json.loads", "ms", 1000)
    ratio = table[-1]["ratio"]
    return {
        "rows": table,
        "rounds": ROUNDS,
        "requests_per_round": REQUESTS_PER_ROUND,
        "target": "kling_gateway client within 1.15x of httpx + json.loads",
        "met": isinstance(ratio, float) and ratio <= 1.15,
    }
