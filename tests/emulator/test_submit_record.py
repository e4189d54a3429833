"""The emulator's own record of the tasks submits created: /emulator/submits."""

from __future__ import annotations

import httpx

from kling_emulator.server import EmulatorServer

from ..conftest import TOKEN_1, make_config

BODY = {"model": "kling-v1", "prompt": "a cat", "image": "https://example.com/cat.png"}


def test_every_created_task_is_recorded_with_its_external_task_id() -> None:
    with (
        EmulatorServer(make_config()) as server,
        httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN_1}"}
        ) as http,
    ):
        assert http.get("/emulator/submits").json() == {"count": 0, "created": []}
        first = http.post(
            "/kling/v1/videos/image2video",
            json={**BODY, "metadata": {"external_task_id": "job-1"}},
        )
        http.post("/kling/v1/videos/image2video", json=BODY)
        # Refused: no task, nothing billed, nothing recorded.
        http.post("/kling/v1/videos/image2video", json={"prompt": "no model"})
        record = http.get("/emulator/submits").json()
    assert record["count"] == 2
    assert record["created"][0] == {
        "task_id": first.json()["task_id"],
        "external_task_id": "job-1",
        "user": 1,
    }
    assert record["created"][1]["external_task_id"] == ""
