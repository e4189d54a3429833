"""The client's own CPU per GET, without a server: the same answer served by
`httpx.MockTransport` to plain httpx plus json.loads (the floor), the generated client and
the hand-written client, interleaved round by round. Loopback wall time (client_overhead.py)
is dominated by the server and its noise; this is what the client itself costs."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from kling_gateway import KlingClient
from kling_gateway_api import Client
from kling_gateway_api.api.tasks import get_image_to_video_task

from .client_overhead import rows, side_by_side

ROUNDS = 7
REQUESTS_PER_ROUND = 2000
TASK_ID = "task_3f9a1c7e5b2d4a6c8e0f1a2b3c4d5e6f"
# A finished generation B task as the gateway answers it (the spec's example, abridged).
ANSWER = json.dumps(
    {
        "code": "success",
        "message": "",
        "data": {
            "task_id": TASK_ID,
            "action": "generate",
            "status": "SUCCESS",
            "fail_reason": "",
            "submit_time": 1763971200,
            "start_time": 1763971215,
            "finish_time": 1763971290,
            "progress": "100%",
            "data": {
                "code": 0,
                "message": "SUCCEED",
                "request_id": "6a1c2e0b-5d44-4f0e-9a0f-3c2b1a0d9e8f",
                "data": {
                    "task_id": "842250903629086785",
                    "task_status": "succeed",
                    "task_status_msg": "",
                    "task_info": {},
                    "created_at": 1763971200123,
                    "updated_at": 1763971290456,
                    "task_result": {
                        "videos": [
                            {
                                "id": "842250903629086786",
                                "url": "https://cdn.example/v.mp4",
                                "duration": "5.1",
                            }
                        ]
                    },
                },
            },
            "id": 42,
            "created_at": 1763971200,
            "updated_at": 1763971290,
            "platform": "50",
            "user_id": 1,
            "group": "default",
            "channel_id": 1,
            "quota": 1000,
            "result_url": "https://cdn.example/v.mp4",
        },
    }
).encode()
HEADERS = {
    "content-type": "application/json",
    "date": "Wed, 24 Nov 2026 05:41:02 GMT",
    "x-oneapi-request-id": "20261124054102123456789ABCDEF",
}


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=ANSWER, headers=HEADERS)


def run() -> dict[str, object]:
    base = "http://gateway.test"
    path = f"/kling/v1/videos/image2video/{TASK_ID}"
    plain = httpx.Client(base_url=base, transport=httpx.MockTransport(_answer))
    generated = Client(base_url=base)
    generated.set_httpx_client(
        httpx.Client(base_url=base, transport=httpx.MockTransport(_answer))
    )
    client = KlingClient(base, "sk-bench", transport=httpx.MockTransport(_answer))
    ways: dict[str, Callable[[], object]] = {
        "httpx + json.loads": lambda: json.loads(plain.get(path).content),
        "generated client": lambda: get_image_to_video_task.sync(
            TASK_ID, client=generated
        ),
        "kling_gateway client": lambda: client.get(TASK_ID),
    }
    samples = side_by_side(
        ways, ROUNDS, REQUESTS_PER_ROUND, clock=time.process_time, warm_up=200
    )
    plain.close()
    client.close()
    return {
        "rows": rows(samples, "httpx + json.loads", "us", 1e6),
        "rounds": ROUNDS,
        "requests_per_round": REQUESTS_PER_ROUND,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
