"""The emulator's unified video routes: the same tasks, tokens and passes as the Kling routes,
answered as the gateway built from source answers them; openapi.yaml judges every JSON body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kling_common.generation import Generation
from kling_common.wire import VIDEO_DURATION
from kling_contract.checks import VIDEO_STATUS_OF
from kling_emulator.server import EmulatorServer

from ..clocks import SteppedClock
from ..conftest import FAST_LIFECYCLE_SECONDS, LIMITED, TOKEN_1, TOKEN_2, make_config
from .test_kling_routes import GOOD_SUBMIT, auth, checked, submit

GENERATIONS = "/v1/video/generations"
VIDEOS = "/v1/videos"
UNIFIED_BODY = {
    "model": "kling-v1-6",
    "prompt": "a cat turns its head",
    "image": "https://example.com/a.png",
    "duration": 5,
    "metadata": {"negative_prompt": "blurry"},
}


@pytest.fixture(scope="module", params=["A", "B"])
def emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """This module's emulators run on a stepped clock: a task moves on only when a test
    steps it, so each state is seen however slowly a loaded machine answers."""
    config = make_config(generation=Generation(request.param))
    with EmulatorServer(config, clock=SteppedClock()) as server:
        yield server


@pytest.fixture
def clock(emulator: EmulatorServer) -> SteppedClock:
    stepped = emulator.app.state.gateway.clock
    assert isinstance(stepped, SteppedClock)
    return stepped


def between_ticks(emulator: EmulatorServer, clock: SteppedClock) -> None:
    """Step to halfway between two refresh ticks: a task submitted on a tick is refreshed
    at once, and its NOT_START never shows."""
    passes = emulator.store.passes
    assert passes is not None
    offset = (clock() - passes.origin) % passes.period
    clock.advance((passes.period / 2 - offset) % passes.period)


@pytest.fixture
def http(emulator: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=emulator.base_url, timeout=10)


def unified_submit(
    http: httpx.Client,
    spec: dict[str, Any],
    path: str = VIDEOS,
    body: dict[str, Any] | None = None,
) -> str:
    return submit(http, spec, body or UNIFIED_BODY, path=path)


def both_reads(
    http: httpx.Client, spec: dict[str, Any], task_id: str, token: str = TOKEN_1
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The task on the envelope route and as a video, read between two envelope reads that
    agree, so that no refresh pass wrote the task in between."""

    def envelope() -> dict[str, Any]:
        path = f"{GENERATIONS}/{{task_id}}"
        response = http.get(f"{GENERATIONS}/{task_id}", headers=auth(token))
        task: dict[str, Any] = checked(spec, path, "get", response)["data"]
        return task

    for _ in range(20):
        before = envelope()
        video = checked(
            spec,
            f"{VIDEOS}/{{task_id}}",
            "get",
            http.get(f"{VIDEOS}/{task_id}", headers=auth(token)),
        )
        after = envelope()
        if (before["status"], before["progress"]) == (
            after["status"],
            after["progress"],
        ):
            return after, video
    raise AssertionError("a refresh pass came between every pair of reads")


def read_until_final(
    http: httpx.Client, spec: dict[str, Any], task_id: str, clock: SteppedClock
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each change of status, as (task, video) read back to back, the clock stepped by a
    thirtieth of the lifecycle between reads: a fifth of the shortest state."""
    seen: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for _ in range(200):
        task, video = both_reads(http, spec, task_id)
        if not seen or seen[-1][0]["status"] != task["status"]:
            seen.append((task, video))
        if task["status"] in {"SUCCESS", "FAILURE"}:
            return seen
        clock.advance(FAST_LIFECYCLE_SECONDS / 30)
    raise AssertionError(f"task never finished: {[t['status'] for t, _ in seen]}")


def content(http: httpx.Client, task_id: str, token: str = TOKEN_1) -> httpx.Response:
    return http.get(f"{VIDEOS}/{task_id}/content", headers=auth(token))


def test_every_gateway_status_reads_as_its_video_status(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    """The seeded tasks, one frozen in each status: NOT_START reads "unknown" (not final),
    SUBMITTED and QUEUED "queued", and so on, with the progress as a number."""
    for status, task_id in emulator.seeded[1].items():
        task, video = both_reads(http, spec, task_id)
        assert task["status"] == status
        assert video["status"] == VIDEO_STATUS_OF[status]
        assert video["progress"] == int(task["progress"].rstrip("%") or 0)


@pytest.mark.parametrize("path", [VIDEOS, GENERATIONS])
def test_a_unified_task_reads_alike_on_both_families_through_its_lifecycle(
    http: httpx.Client,
    spec: dict[str, Any],
    clock: SteppedClock,
    emulator: EmulatorServer,
    path: str,
) -> None:
    between_ticks(emulator, clock)
    task_id = unified_submit(http, spec, path)
    seen = read_until_final(http, spec, task_id, clock)
    statuses = [task["status"] for task, _ in seen]
    lifecycle = ["NOT_START", "SUBMITTED", "IN_PROGRESS", "SUCCESS"]
    assert statuses == lifecycle
    for task, video in seen:
        # The adaptor's quirks: no task_id, an empty model, Kling's milliseconds.
        assert video["status"] == VIDEO_STATUS_OF[task["status"]]
        assert video["progress"] == int(task["progress"].rstrip("%"))
        assert video["id"] == task_id and "task_id" not in video
        assert video["object"] == "video" and video["model"] == ""
        assert video["created_at"] > 10**12  # milliseconds
        assert video["completed_at"] >= video["created_at"]  # present while running
        if task["status"] != "SUCCESS":
            assert "metadata" not in video and "seconds" not in video
    final, final_video = seen[-1]
    videos = final["data"]["data"]["task_result"]["videos"]
    assert final_video["metadata"]["url"] == videos[0]["url"]
    assert final_video["seconds"] == VIDEO_DURATION and "error" not in final_video


def test_a_task_from_the_kling_routes_reads_on_the_unified_ones(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    task_id = submit(http, spec)
    task, video = both_reads(http, spec, task_id)
    assert task["task_id"] == task_id and video["id"] == task_id


def test_a_failed_video_carries_klings_reason(
    http: httpx.Client, spec: dict[str, Any], clock: SteppedClock
) -> None:
    body = {**UNIFIED_BODY, "prompt": "a cat [fail]"}
    task_id = unified_submit(http, spec, body=body)
    final, video = read_until_final(http, spec, task_id, clock)[-1]
    assert final["status"] == "FAILURE" and video["status"] == "failed"
    assert video["error"] == {"message": final["fail_reason"], "code": ""}
    assert "metadata" not in video


def test_without_an_image_a_unified_submit_makes_text_to_video(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    body = {"model": "kling-v1", "prompt": "rain on a window", "size": "720x1280"}
    task_id = unified_submit(http, spec, GENERATIONS, body)
    task, _ = both_reads(http, spec, task_id)
    assert task["action"] == "textGenerate"


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data"],
)
def test_form_submits_on_the_unified_routes_are_read_and_billed(
    http: httpx.Client,
    spec: dict[str, Any],
    emulator: EmulatorServer,
    content_type: str,
) -> None:
    """Generation A too: but its urlencoded form's duration is text, which A refused."""
    fields = {"model": "kling-v1", "prompt": "a paper boat"}
    if (
        content_type == "multipart/form-data"
        or emulator.config.generation is Generation.B
    ):
        fields["duration"] = "5"
    if content_type == "multipart/form-data":
        response = http.post(
            VIDEOS,
            files={k: (None, v) for k, v in fields.items()},
            headers=auth(TOKEN_1),
        )
    else:
        response = http.post(VIDEOS, data=fields, headers=auth(TOKEN_1))
    assert response.status_code == 200, response.text
    assert checked(spec, VIDEOS, "post", response)["task_id"]


@pytest.mark.parametrize("path", [VIDEOS, GENERATIONS])
def test_unknown_and_foreign_ids_are_task_not_exist_on_both_families(
    http: httpx.Client, spec: dict[str, Any], path: str
) -> None:
    task_id = unified_submit(http, spec)
    for asked, token in (("task_nosuchtask", TOKEN_1), (task_id, TOKEN_2)):
        response = http.get(f"{path}/{asked}", headers=auth(token))
        assert response.status_code == 400
        body = checked(spec, f"{path}/{{task_id}}", "get", response)
        assert body["code"] == "task_not_exist"


def test_content_streams_the_video_of_a_finished_task_only(
    http: httpx.Client, spec: dict[str, Any], clock: SteppedClock
) -> None:
    task_id = unified_submit(http, spec)
    refused = content(http, task_id)
    assert refused.status_code == 400
    error = checked(spec, f"{VIDEOS}/{{task_id}}/content", "get", refused)["error"]
    assert error["message"].startswith("Task is not completed yet, current status: ")
    assert error["type"] == "invalid_request_error" and "code" not in error
    read_until_final(http, spec, task_id, clock)
    served = content(http, task_id)
    assert served.status_code == 200
    assert served.headers["content-type"] == "video/mp4"
    assert served.headers["cache-control"] == "public, max-age=86400"
    assert served.content[4:8] == b"ftyp"


def test_content_of_an_unknown_or_foreign_task_is_404_in_its_own_shape(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    task_id = unified_submit(http, spec)
    for asked, token in (("task_nosuchtask", TOKEN_1), (task_id, TOKEN_2)):
        response = content(http, asked, token)
        assert response.status_code == 404
        body = checked(spec, f"{VIDEOS}/{{task_id}}/content", "get", response)
        assert body == {
            "error": {"message": "Task not found", "type": "invalid_request_error"}
        }


def test_a_remix_of_an_unknown_task_is_task_not_exist_and_of_a_known_one_per_generation(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    """Generation A (the gateway built from 8aa025f6e) makes a new task on the origin's
    model; B (e2c7aa7) panics in its origin-task lookup."""
    path = f"{VIDEOS}/{{video_id}}/remix"
    unknown = http.post(
        f"{VIDEOS}/task_nosuchtask/remix",
        json={"prompt": "again"},
        headers=auth(TOKEN_1),
    )
    assert unknown.status_code == 400
    body = checked(spec, path, "post", unknown)
    assert (body["code"], body["message"]) == (
        "task_not_exist",
        "task_origin_not_exist",
    )
    task_id = unified_submit(http, spec, body={**UNIFIED_BODY, "model": "kling-v1-5"})
    known = http.post(
        f"{VIDEOS}/{task_id}/remix", json={"prompt": "again"}, headers=auth(TOKEN_1)
    )
    answer = checked(spec, path, "post", known)
    if emulator.config.generation is Generation.A:
        assert known.status_code == 200 and answer["task_id"] != task_id
        task, _ = both_reads(http, spec, answer["task_id"])
        assert task["action"] == "textGenerate"  # the body had no image
    else:
        assert known.status_code == 500 and answer["error"]["type"] == "new_api_panic"


def test_kling_only_fields_reach_kling_from_metadata_only_on_the_unified_routes(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    """No converter runs on the unified routes: a top-level cfg_scale is ignored (a value
    Kling refuses goes through), the same value inside metadata is refused."""
    top_level = {**UNIFIED_BODY, "cfg_scale": 3}
    assert http.post(VIDEOS, json=top_level, headers=auth(TOKEN_1)).status_code == 200
    inside = {**UNIFIED_BODY, "metadata": {"cfg_scale": 3}}
    refused = http.post(VIDEOS, json=inside, headers=auth(TOKEN_1))
    assert refused.status_code == 400, refused.text
    assert checked(spec, VIDEOS, "post", refused)["code"] == "fail_to_fetch_task"


def test_the_kling_routes_duration_as_text_is_refused_on_generation_a(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    """The Kling routes' wire format sends duration as text ("5"): generation B's unified
    routes read it, generation A's task request decodes duration as an int only."""
    response = http.post(GENERATIONS, json=dict(GOOD_SUBMIT), headers=auth(TOKEN_1))
    body = checked(spec, GENERATIONS, "post", response)
    if emulator.config.generation is Generation.A:
        assert response.status_code == 400 and body["code"] == "invalid_request"
        assert body["message"] == (
            "json: cannot unmarshal string into Go struct field .Alias.duration of type int"
        )
    else:
        assert response.status_code == 200 and body["task_id"]


def test_content_with_a_model_limited_token_per_generation(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    """Generation A ran the distributor on /content: a model-limited token asking for an
    unknown id is refused 403, as on its query routes; B has no distributor there: 404."""
    response = content(http, "task_nosuchtask", LIMITED)
    body = checked(spec, f"{VIDEOS}/{{task_id}}/content", "get", response)
    if emulator.config.generation is Generation.A:
        assert response.status_code == 403 and body["error"]["type"] == "new_api_error"
    else:
        assert (
            response.status_code == 404 and body["error"]["message"] == "Task not found"
        )


def test_a_metadata_type_error_is_wrapped_as_each_generation_wraps_it(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    """B wraps it twice (the adaptor and taskcommon.UnmarshalMetadata), A once (8aa025f6e)."""
    body = {**UNIFIED_BODY, "metadata": {"duration": 5}}
    response = http.post(VIDEOS, json=body, headers=auth(TOKEN_1))
    answer = checked(spec, VIDEOS, "post", response)
    assert response.status_code == 500 and answer["code"] == "build_request_failed"
    wraps = 2 if emulator.config.generation is Generation.B else 1
    assert answer["message"] == "unmarshal metadata failed: " * wraps + (
        "json: cannot unmarshal number into Go struct field requestPayload.duration "
        "of type string"
    )
