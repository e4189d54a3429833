"""The emulator behaves like the real gateway; openapi.yaml judges every answer."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from kling_common.generation import Generation
from kling_common.wire import VIDEO_DURATION
from kling_emulator.app import create_app
from kling_emulator.config import EmulatorConfig, Faults, Lifecycle
from kling_emulator.server import EmulatorServer

from ..clocks import SteppedClock
from ..conftest import BANNED, FAST_LIFECYCLE_SECONDS, TOKEN_1, TOKEN_2, make_config
from ..spec_tools import assert_conforms

SUBMIT = "/kling/v1/videos/image2video"
QUERY = "/kling/v1/videos/image2video/{task_id}"
TEXT_SUBMIT = "/kling/v1/videos/text2video"
TEXT_QUERY = "/kling/v1/videos/text2video/{task_id}"
# The wire format that works on both generations (see openapi.yaml).
GOOD_SUBMIT = {
    "model": "kling-v1-6",
    "model_name": "kling-v1-6",
    "image": "https://example.com/a.png",
    "prompt": "a cat",
    "duration": "5",
}


def with_kling(**fields: Any) -> dict[str, Any]:
    """GOOD_SUBMIT with Kling-only fields where both generations read them."""
    return {**GOOD_SUBMIT, **fields, "metadata": dict(fields)}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def http(emulator: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=emulator.base_url, timeout=10)


def query(http: httpx.Client, task_id: str, token: str = TOKEN_1) -> httpx.Response:
    return http.get(f"/kling/v1/videos/image2video/{task_id}", headers=auth(token))


def checked(
    spec: dict[str, Any], path: str, method: str, response: httpx.Response
) -> Any:
    """The body, after checking status, body and the request-id header against the spec."""
    assert response.headers.get("x-oneapi-request-id"), (
        "every answer carries a request id"
    )
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert_conforms(spec, path, method, response.status_code, body)
    return body


def submit(
    http: httpx.Client,
    spec: dict[str, Any],
    body: dict[str, Any] | None = None,
    token: str = TOKEN_1,
    path: str = SUBMIT,
) -> str:
    response = http.post(path, json=body or GOOD_SUBMIT, headers=auth(token))
    assert response.status_code == 200, response.text
    task_id: str = checked(spec, path, "post", response)["task_id"]
    return task_id


def wait_final(
    http: httpx.Client,
    spec: dict[str, Any],
    task_id: str,
    lifecycle: float = FAST_LIFECYCLE_SECONDS,
) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10 * lifecycle + 5
    while time.monotonic() < deadline:
        task = checked(spec, QUERY, "get", query(http, task_id))["data"]
        if not seen or seen[-1]["status"] != task["status"]:
            seen.append(task)
        if task["status"] in {"SUCCESS", "FAILURE"}:
            return seen
        time.sleep(lifecycle / 20)
    raise AssertionError(f"task never finished: {[t['status'] for t in seen]}")


def step_until_final(
    http: httpx.Client,
    spec: dict[str, Any],
    task_id: str,
    clock: SteppedClock,
    lifecycle: float,
) -> list[dict[str, Any]]:
    """Each change of status, read once per step of the emulator's clock: a thirtieth of
    the lifecycle, a fifth of the shortest state, so that none is missed."""
    seen: list[dict[str, Any]] = []
    for _ in range(200):
        task = checked(spec, QUERY, "get", query(http, task_id))["data"]
        if not seen or seen[-1]["status"] != task["status"]:
            seen.append(task)
        if task["status"] in {"SUCCESS", "FAILURE"}:
            return seen
        clock.advance(lifecycle / 30)
    raise AssertionError(f"task never finished: {[t['status'] for t in seen]}")


# -- lifecycle ----------------------------------------------------------------------------


# Each state, on the emulator's stepped clock, lasts several steps.
SEEN_LIFECYCLE_SECONDS = 3.0


@pytest.mark.parametrize("generation", [Generation.A, Generation.B])
def test_a_task_goes_through_its_lifecycle(
    spec: dict[str, Any], generation: Generation
) -> None:
    lifecycle = Lifecycle.scaled(SEEN_LIFECYCLE_SECONDS)
    clock = SteppedClock()
    with (
        EmulatorServer(
            make_config(generation=generation, lifecycle=lifecycle), clock=clock
        ) as emulator,
        httpx.Client(base_url=emulator.base_url, timeout=10) as http,
    ):
        clock.advance(SEEN_LIFECYCLE_SECONDS / 100)  # between two refresh ticks
        task_id = submit(http, spec)
        seen = step_until_final(http, spec, task_id, clock, SEEN_LIFECYCLE_SECONDS)
        video_answer = httpx.get(
            seen[-1]["data"]["data"]["task_result"]["videos"][0]["url"]
        )
    assert [t["status"] for t in seen] == [
        "NOT_START",
        "SUBMITTED",
        "IN_PROGRESS",
        "SUCCESS",
    ]
    assert [t["progress"] for t in seen] == ["0%", "10%", "30%", "100%"]
    assert [t["data"]["data"]["task_status"] for t in seen] == [
        "submitted",
        "submitted",
        "processing",
        "succeed",
    ]
    first, final = seen[0], seen[-1]
    assert (
        first["start_time"] == 0
        and first["finish_time"] == 0
        and first["submit_time"] > 0
    )
    assert final["finish_time"] >= final["start_time"] >= final["submit_time"]
    video = final["data"]["data"]["task_result"]["videos"][0]
    assert (
        video["url"].startswith(emulator.base_url)
        and video["duration"] == VIDEO_DURATION
    )
    assert final["task_id"] == task_id
    if emulator.config.generation is Generation.B:
        assert task_id.startswith("task_") and len(task_id) == 37
        # Generation B leaves fail_reason empty and puts the URL in result_url.
        assert final["fail_reason"] == "" and final["result_url"] == video["url"]
        assert final["properties"]["input"] == ""  # nothing in the gateway fills it
        assert "result_url" not in first
    else:
        assert final["fail_reason"] == video["url"]  # generation A's quirk
        assert task_id.isdigit() and "id" not in final and "properties" not in final
    assert video_answer.headers["content-type"] == "video/mp4"


def test_a_failing_task_ends_in_failure_with_a_reason(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    task_id = submit(http, spec, {**GOOD_SUBMIT, "prompt": "a cat [fail]"})
    final = wait_final(http, spec, task_id)[-1]
    assert final["status"] == "FAILURE" and final["progress"] == "100%"
    assert (
        final["fail_reason"]
        and final["data"]["data"]["task_status_msg"] == final["fail_reason"]
    )
    assert "task_result" not in final["data"]["data"]


def test_text_to_video_submits_and_queries(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    response = http.post(
        TEXT_SUBMIT,
        json={"model": "kling-v1", "model_name": "kling-v1", "prompt": "rain"},
        headers=auth(TOKEN_1),
    )
    task_id = checked(spec, TEXT_SUBMIT, "post", response)["task_id"]
    task = checked(
        spec,
        TEXT_QUERY,
        "get",
        http.get(f"/kling/v1/videos/text2video/{task_id}", headers=auth(TOKEN_1)),
    )
    assert task["data"]["action"] == "textGenerate"


def test_a_submit_answers_in_the_openai_video_shape_with_each_generations_status(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    """Since 2025-10-11 every submit route answers the OpenAI video shape: generation A with
    Kling's id and an empty status (the gateway built from 8aa025f6e), B with its own id,
    "queued", and X-New-Api-Other-Ratios."""
    response = http.post(SUBMIT, json=GOOD_SUBMIT, headers=auth(TOKEN_1))
    body = checked(spec, SUBMIT, "post", response)
    assert body["object"] == "video" and body["progress"] == 0
    assert body["id"] == body["task_id"] and body["model"] == "kling-v1-6"
    if emulator.config.generation is Generation.A:
        assert body["status"] == "" and body["task_id"].isdigit()
        assert "x-new-api-other-ratios" not in response.headers
    else:
        assert body["status"] == "queued" and body["task_id"].startswith("task_")
        assert response.headers["x-new-api-other-ratios"] == "{}"


def test_seeded_tasks_cover_every_status(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    statuses = spec["components"]["schemas"]["TaskStatus"]["enum"]
    for user, token in [(1, TOKEN_1), (2, TOKEN_2)]:
        assert set(emulator.seeded[user]) == set(statuses)
        for status, task_id in emulator.seeded[user].items():
            task = checked(spec, QUERY, "get", query(http, task_id, token))["data"]
            assert task["status"] == status and task["task_id"] == task_id
    if emulator.config.generation is Generation.A:
        assert emulator.seeded[1]["SUCCESS"] == "842250903629086785"


# -- scoping and errors ---------------------------------------------------------------------


def test_a_user_cannot_see_another_users_task(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    task_id = submit(http, spec, token=TOKEN_1)
    theirs = query(http, task_id, TOKEN_2)
    unknown = query(http, "999999999999999999", TOKEN_2)
    assert theirs.status_code == unknown.status_code == 400
    assert checked(spec, QUERY, "get", theirs) == checked(spec, QUERY, "get", unknown)
    assert theirs.json()["code"] == "task_not_exist"
    assert query(http, task_id, TOKEN_1).status_code == 200


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer"}, 401),
        (auth("sk-wrong"), 401),
        ({"Authorization": "Basic abc"}, 401),
        (auth(BANNED), 403),
    ],
    ids=["missing", "empty", "unknown", "not bearer", "banned"],
)
def test_authentication_errors(
    http: httpx.Client,
    spec: dict[str, Any],
    emulator: EmulatorServer,
    headers: dict[str, str],
    status: int,
) -> None:
    task_id = emulator.seeded[1]["SUCCESS"]
    for response, path, method in [
        (
            http.get(f"/kling/v1/videos/image2video/{task_id}", headers=headers),
            QUERY,
            "get",
        ),
        (http.post(SUBMIT, json=GOOD_SUBMIT, headers=headers), SUBMIT, "post"),
    ]:
        assert response.status_code == status
        body = checked(spec, path, method, response)
        assert body["error"]["type"] == "new_api_error"
        assert body["error"]["message"].endswith(
            f"(request id: {response.headers['x-oneapi-request-id']})"
        )


def test_token_without_sk_prefix_is_the_same_token(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    assert (
        query(
            http, emulator.seeded[1]["SUCCESS"], TOKEN_1.removeprefix("sk-")
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"image": "x", "prompt": "p"}, 400, None),  # no model: routing layer shape
        ({"model": "", "model_name": "", "image": "x", "prompt": "p"}, 400, None),
        (
            {"model": "kling-v1", "model_name": "kling-v1", "image": "x"},
            400,
            "invalid_request",
        ),
        (
            {"model": "kling-v1", "model_name": "kling-v1", "image": "x", "prompt": ""},
            400,
            "invalid_request",
        ),
        ({**GOOD_SUBMIT, "prompt": " \t\n\u3000"}, 400, "invalid_request"),
        (with_kling(cfg_scale="high"), 500, "build_request_failed"),
        # A coordinate past Go's 64-bit int does not decode (as 2b0efd8 answered 9.57e28).
        (
            with_kling(
                dynamic_masks=[
                    {
                        "mask": "m",
                        "trajectories": [{"x": 2**63, "y": 1}, {"x": 2, "y": 2}],
                    }
                ]
            ),
            500,
            "build_request_failed",
        ),
        ({**GOOD_SUBMIT, "duration": "7"}, 400, "fail_to_fetch_task"),
        (with_kling(cfg_scale=1.5), 400, "fail_to_fetch_task"),
        ({**GOOD_SUBMIT, "mode": "turbo"}, 400, "fail_to_fetch_task"),
        ({**GOOD_SUBMIT, "prompt": "x" * 2501}, 400, "fail_to_fetch_task"),
        (
            with_kling(image_tail="t", camera_control={"type": "down_back"}),
            400,
            "fail_to_fetch_task",
        ),
        (
            with_kling(camera_control={"type": "simple", "config": {"zoom": 11}}),
            400,
            "fail_to_fetch_task",
        ),
        (
            with_kling(
                dynamic_masks=[{"mask": "m", "trajectories": [{"x": 1, "y": 1}]}]
            ),
            400,
            "fail_to_fetch_task",
        ),
    ],
)
def test_submit_validation_follows_the_gateway(
    http: httpx.Client,
    spec: dict[str, Any],
    body: dict[str, Any],
    status: int,
    code: str | None,
) -> None:
    response = http.post(SUBMIT, json=body, headers=auth(TOKEN_1))
    assert response.status_code == status, response.text
    answer = checked(spec, SUBMIT, "post", response)
    if code is None:
        assert answer["error"]["type"] == "new_api_error"
    else:
        assert answer["code"] == code and answer["data"] is None
    if code == "fail_to_fetch_task":
        assert json.loads(answer["message"])["code"] == 1201  # Kling's own body


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "invalid JSON request body"),
        (b"\xff\xfe\x00", "invalid JSON request body"),
        (b"", "invalid JSON request body"),
        (b"[1, 2]", "Model name not specified"),
        (b'"text"', "Model name not specified"),
        (b"null", "Model name not specified"),
    ],
    ids=["broken", "binary", "empty", "array", "string", "null"],
)
def test_malformed_submit_bodies_are_refused_by_the_routing_layer(
    http: httpx.Client, spec: dict[str, Any], content: bytes, message: str
) -> None:
    response = http.post(
        SUBMIT,
        content=content,
        headers={**auth(TOKEN_1), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert message in checked(spec, SUBMIT, "post", response)["error"]["message"]


def test_huge_body_is_refused_without_reading_it_all(spec: dict[str, Any]) -> None:
    with EmulatorServer(
        EmulatorConfig(max_body_bytes=1024, seed_tasks=False)
    ) as server:
        big = json.dumps({**GOOD_SUBMIT, "image": "A" * 100_000})
        response = httpx.post(
            server.base_url + SUBMIT, content=big, headers=auth(TOKEN_1)
        )
        assert response.status_code == 400
        assert (
            "too large" in checked(spec, SUBMIT, "post", response)["error"]["message"]
        )


@pytest.mark.parametrize(
    "task_id",
    [
        "a?b",
        "a#b",
        "%00",
        "ü",
        "x" * 5000,
        " ",
        "a\nb",
        "\r\n",
    ],
)
def test_odd_task_ids_are_unknown_tasks(
    http: httpx.Client, spec: dict[str, Any], task_id: str
) -> None:
    from urllib.parse import quote

    response = http.get(
        f"/kling/v1/videos/image2video/{quote(task_id, safe='')}", headers=auth(TOKEN_1)
    )
    assert response.status_code == 400
    assert checked(spec, QUERY, "get", response)["code"] == "task_not_exist"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/unknown"), ("POST", "/api/x?y=1"), ("DELETE", "/assets/a.js")],
)
def test_unmatched_api_paths_answer_a_json_404(
    http: httpx.Client, method: str, path: str
) -> None:
    response = http.request(method, path, headers=auth(TOKEN_1))
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "message": f"Invalid URL ({method} {path.split('?')[0]})",
            "type": "invalid_request_error",
            "param": "",
            "code": "",
        }
    }
    assert response.headers["x-oneapi-request-id"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", QUERY.format(task_id="1")),
        ("POST", QUERY.format(task_id="1")),
        ("HEAD", QUERY.format(task_id="1")),
        ("PUT", SUBMIT),
        ("GET", SUBMIT),
        ("GET", QUERY.format(task_id="a/b")),
        ("GET", QUERY.format(task_id="..%2Fx")),
        ("POST", SUBMIT + "//"),  # gin redirects only a single trailing slash here
        ("GET", "/kling/v2/anything"),
    ],
)
def test_everything_else_is_the_dashboards_html_page(
    http: httpx.Client, method: str, path: str
) -> None:
    response = http.request(method, path, headers=auth(TOKEN_1))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    if method != "HEAD":
        assert response.text.startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("method", "path", "status", "location"),
    [
        ("GET", QUERY.format(task_id="1/"), 301, QUERY.format(task_id="1")),
        (
            "GET",
            QUERY.format(task_id="1/") + "?a=b",
            301,
            QUERY.format(task_id="1?a=b"),
        ),
        ("POST", SUBMIT + "/", 307, SUBMIT),
        # An id of "/": gin takes the empty parameter as a match, and redirects to a path
        # that is no route (Starlette sent it to the submit route, a POST).
        ("GET", QUERY.format(task_id="%2F"), 301, QUERY.format(task_id="")),
        ("GET", QUERY.format(task_id="%C4%80%2F"), 301, QUERY.format(task_id="%C4%80")),
    ],
)
def test_a_trailing_slash_is_redirected_as_gin_does(
    http: httpx.Client, method: str, path: str, status: int, location: str
) -> None:
    """gin.New()'s RedirectTrailingSlash: same method only, 301 for GET, 307 otherwise."""
    response = http.request(
        method, path, headers={**auth(TOKEN_1), "Origin": "http://127.0.0.1:9"}
    )
    assert response.status_code == status
    assert response.headers["location"] == location
    # Written before any middleware: no request id, version or CORS headers.
    assert not {"x-oneapi-request-id", "x-new-api-version"} & set(response.headers)
    assert "access-control-allow-origin" not in response.headers


# -- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["429", "502", "503", "504"])
def test_status_faults_per_request(
    http: httpx.Client, emulator: EmulatorServer, kind: str
) -> None:
    response = http.get(
        QUERY.format(task_id=emulator.seeded[1]["SUCCESS"]),
        headers={**auth(TOKEN_1), "X-Emulator-Fault": kind},
    )
    assert response.status_code == int(kind)
    assert response.json()["data"] is None and response.headers["x-oneapi-request-id"]
    # The gateway itself never sends Retry-After (only a proxy in front may).
    assert "retry-after" not in response.headers


def test_body_faults_per_request(http: httpx.Client, emulator: EmulatorServer) -> None:
    path = QUERY.format(task_id=emulator.seeded[1]["SUCCESS"])
    malformed = http.get(
        path, headers={**auth(TOKEN_1), "X-Emulator-Fault": "malformed"}
    )
    assert malformed.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        malformed.json()
    truncated = http.get(
        path, headers={**auth(TOKEN_1), "X-Emulator-Fault": "truncated"}
    )
    with pytest.raises(json.JSONDecodeError):
        truncated.json()
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(path, headers={**auth(TOKEN_1), "X-Emulator-Fault": "drop"})
    # The server survives all of them.
    assert http.get(path, headers=auth(TOKEN_1)).status_code == 200


def test_latency_fault_per_request(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    path = QUERY.format(task_id=emulator.seeded[1]["SUCCESS"])
    started = time.monotonic()
    http.get(path, headers={**auth(TOKEN_1), "X-Emulator-Fault": "latency=0.3"})
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("kind", ["429", "503", "malformed", "drop"])
def test_faults_per_run(kind: str) -> None:
    config = EmulatorConfig(faults=Faults(rates={kind: 1.0}, retry_after=7))
    with (
        EmulatorServer(config) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        path = QUERY.format(task_id=server.seeded[1]["SUCCESS"])
        if kind == "drop":
            with pytest.raises(httpx.RemoteProtocolError):
                client.get(path, headers=auth(TOKEN_1))
            return
        response = client.get(path, headers=auth(TOKEN_1))
        if kind == "malformed":
            assert response.status_code == 200 and response.text.startswith("<html>")
        else:
            assert response.status_code == int(kind)
        if kind == "429":
            assert response.headers["retry-after"] == "7"


def test_fault_rates_are_shares_of_requests() -> None:
    config = EmulatorConfig(faults=Faults(rates={"503": 0.5}, seed=1))
    with (
        EmulatorServer(config) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        path = QUERY.format(task_id=server.seeded[1]["SUCCESS"])
        codes = [
            client.get(path, headers=auth(TOKEN_1)).status_code for _ in range(200)
        ]
    assert set(codes) == {200, 503}
    assert 60 <= codes.count(503) <= 140


def test_faults_are_off_by_default(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    path = QUERY.format(task_id=emulator.seeded[1]["SUCCESS"])
    assert {http.get(path, headers=auth(TOKEN_1)).status_code for _ in range(50)} == {
        200
    }


def test_unknown_fault_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Faults(rates={"418": 1.0})
    with pytest.raises(ValueError, match="within 0..1"):
        Faults(rates={"503": 2.0})


# -- bounds and concurrency -----------------------------------------------------------------


def test_old_finished_tasks_are_evicted(spec: dict[str, Any]) -> None:
    config = EmulatorConfig(
        max_tasks=20, seed_tasks=True, lifecycle=Lifecycle.scaled(0.01)
    )
    with (
        EmulatorServer(config) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        seeded = len(server.store)
        ids = [submit(client, spec) for _ in range(50)]
        time.sleep(0.05)
        ids += [submit(client, spec) for _ in range(10)]
        assert len(server.store) == 20
        assert server.store.evicted == seeded + 60 - 20
        assert query(client, ids[0]).status_code == 400  # the oldest went first
        assert query(client, ids[-1]).status_code == 200
        assert (
            query(client, server.seeded[1]["SUCCESS"]).status_code == 200
        )  # seeded tasks stay


def test_many_parallel_submits_and_polls_keep_state_consistent(
    emulator: EmulatorServer,
) -> None:
    count, in_flight = 200, 20

    async def run() -> tuple[list[str], list[httpx.Response]]:
        # No more requests queued than connections: httpcore's pool walks every connection
        # for each queued request, and at 50 that cost more than the server did.
        bound = asyncio.Semaphore(in_flight)
        limits = httpx.Limits(max_connections=in_flight)
        async with httpx.AsyncClient(
            base_url=emulator.base_url, limits=limits, timeout=10, headers=auth(TOKEN_2)
        ) as client:

            async def send(method: str, url: str, **kwargs: Any) -> httpx.Response:
                async with bound:
                    return await client.request(method, url, **kwargs)

            submits = await asyncio.gather(
                *(send("POST", SUBMIT, json=GOOD_SUBMIT) for _ in range(count))
            )
            ids = [r.json()["task_id"] for r in submits]
            polls = await asyncio.gather(
                *(send("GET", f"/kling/v1/videos/image2video/{i}") for i in ids)
            )
            return ids, list(polls)

    ids, polls = asyncio.run(asyncio.wait_for(run(), timeout=60))
    assert len(set(ids)) == count
    assert [p.status_code for p in polls] == [200] * count
    assert [p.json()["data"]["task_id"] for p in polls] == ids


def test_the_console_script_serves_and_writes_seeded_ids(tmp_path: Any) -> None:
    ids_file = tmp_path / "ids.json"
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = [
        sys.executable,
        "-m",
        "kling_emulator",
        "--port",
        str(port),
        "--generation",
        "A",
        "--ids-file",
        str(ids_file),
        "--lifecycle",
        "1",
    ]
    proc = subprocess.Popen(script, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                ids = json.loads(ids_file.read_text())
                response = httpx.get(
                    f"http://127.0.0.1:{port}/kling/v1/videos/image2video/{ids['1']['SUCCESS']}",
                    headers=auth(TOKEN_1),
                )
                break
            except (OSError, ValueError, httpx.TransportError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert (
            response.status_code == 200
            and response.json()["data"]["status"] == "SUCCESS"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_embedded_server_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmulatorServer(host="0.0.0.0")


# -- hostile requests ------------------------------------------------------------------------


def test_deeply_nested_json_is_the_documented_400(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    response = http.post(
        SUBMIT,
        content=body,
        headers={**auth(TOKEN_1), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert "invalid JSON" in checked(spec, SUBMIT, "post", response)["error"]["message"]


@pytest.mark.parametrize("field", ["model", "prompt", "external_task_id"])
def test_a_lone_surrogate_never_breaks_a_later_answer(
    http: httpx.Client, spec: dict[str, Any], field: str
) -> None:
    body: dict[str, Any] = {**GOOD_SUBMIT, "metadata": {}}
    body[field] = "PLACEHOLDER"
    if field == "model":
        body["model_name"] = "PLACEHOLDER"
    if field == "external_task_id":
        body["metadata"][field] = "PLACEHOLDER"
    raw = json.dumps(body).replace('"PLACEHOLDER"', '"x\\ud800y"')
    response = http.post(
        SUBMIT,
        content=raw.encode(),
        headers={**auth(TOKEN_1), "content-type": "application/json"},
    )
    if (
        field == "model"
    ):  # no channel serves it: the refusal names it, and still renders
        assert response.status_code == 503, response.text
        message = checked(spec, SUBMIT, "post", response)["error"]["message"]
        assert "x\ufffdy" in message
        return
    assert response.status_code == 200, response.text
    task_id = response.json()["task_id"]
    for _ in range(3):  # every later answer about the task still renders
        task = checked(spec, QUERY, "get", query(http, task_id))["data"]
        assert task["task_id"] == task_id
    sent = http.get(f"/emulator/tasks/{task_id}/forwarded").json()["kling_request"]
    assert sent[field] == "x\ufffdy"  # as Go's decoder reads it


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_non_finite_latency_fault_is_refused(
    http: httpx.Client, emulator: EmulatorServer, value: str
) -> None:
    response = http.get(
        QUERY.format(task_id=emulator.seeded[1]["SUCCESS"]),
        headers={**auth(TOKEN_1), "X-Emulator-Fault": f"latency={value}"},
    )
    assert response.status_code == 400 and "finite" in response.text


@pytest.mark.parametrize("option", ["--latency", "--lifecycle", "--failure-rate"])
def test_non_finite_options_are_usage_errors(option: str) -> None:
    from click.testing import CliRunner

    from kling_emulator.__main__ import main as emulator_main

    result = CliRunner().invoke(emulator_main, [option, "nan"])
    assert result.exit_code == 2 and "finite" in result.output


def test_eviction_is_in_submission_order_and_keeps_seeded_tasks() -> None:
    from kling_emulator.tasks import TaskRecord, TaskStore

    def record(task_id: str, frozen: str | None = None) -> Any:
        return lambda row: TaskRecord(
            task_id=task_id,
            kling_id="1",
            user_id=1,
            action="generate",
            model="m",
            prompt="p",
            external_task_id="",
            submitted_at=0.0,
            lifecycle=Lifecycle(),
            fails=False,
            row_id=row,
            frozen_status=frozen,
        )

    store = TaskStore(max_tasks=3)
    store.add(record("seed", "SUCCESS"))
    for name in "abcd":
        store.add(record(name))
    assert [t for t in "abcd" if store.find(t)] == ["c", "d"]
    assert store.find("seed") is not None and store.evicted == 2 and len(store) == 3


def test_ctrl_c_stops_a_console_server_without_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """uvicorn shuts down on Ctrl-C, then raises the interrupt again: a foreground server
    stopped that way ends normally (no click 'Aborted!', no make error)."""
    import uvicorn

    from kling_common.serving import serve_forever

    def interrupted(self: uvicorn.Server) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(uvicorn.Server, "run", interrupted)
    serve_forever(create_app(EmulatorConfig()), "127.0.0.1", 0)
    assert "stopped" in capsys.readouterr().err


def test_the_start_banner_names_the_tokens_it_accepts() -> None:
    from click.testing import CliRunner

    from kling_emulator.__main__ import main as emulator_main

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kling_emulator.__main__.serve_forever", lambda *a, **k: None)
        shown = CliRunner().invoke(emulator_main, ["--port", "0"]).output
    assert "tokens: sk-emulatoruser1 (user 1)" in shown
    assert "sk-emulatorexhausted (user 1, quota used up: 401)" in shown
    assert "sk-emulatorbroke (user 3, balance used up: 403 on submit)" in shown
