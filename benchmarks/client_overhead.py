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


def _timed(call: Callable[[], object], count: int) -> float:
    """Seconds per call, over `count` calls."""
    started = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - started) / count


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
        for call in ways.values():  # warm up connections and code paths
            _timed(call, 50)
        samples: dict[str, list[float]] = {name: [] for name in ways}
        for round_number in range(ROUNDS):
            order = list(ways)[round_number % 3 :] + list(ways)[: round_number % 3]
            for name in order:
                samples[name].append(_timed(ways[name], REQUESTS_PER_ROUND))
        plain.close()
        client.close()
    floor = statistics.median(samples["httpx + json.loads"])
    rows = []
    for name, values in samples.items():
        median = statistics.median(values)
        rows.append(
            {
                "way": name,
                "median_ms": median * 1000,
                "min_ms": min(values) * 1000,
                "max_ms": max(values) * 1000,
                "ratio": median / floor,
            }
        )
    ratio = rows[-1]["ratio"]
    return {
        "rows": rows,
        "rounds": ROUNDS,
        "requests_per_round": REQUESTS_PER_ROUND,
        "target": "kling_gateway client within 1.15x of httpx + json.loads",
        "met": isinstance(ratio, float) and ratio <= 1.15,
    }
