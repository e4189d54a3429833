"""The client on the gateway's three route families, without I/O: the Kling routes,
`/v1/video/generations` and `/v1/videos`, driven by scripted answers on a fake clock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import kling_gateway as kg
from kling_gateway._flows import Fetch, Send, Sleep
from kling_gateway._response import TASK_STATUS_OF_VIDEO

from .test_flows import FakeClock, always, core, drive, response

CREATED_MS = 1_796_351_800_123
UPDATED_MS = 1_796_351_890_456


def video_body(task_id: str, status: str, **fields: Any) -> dict[str, Any]:
    """GET /v1/videos/{id} for a Kling task, as the gateway's adaptor writes it."""
    body: dict[str, Any] = {
        "id": task_id,
        "object": "video",
        "model": "",
        "status": status,
        "progress": {"completed": 100, "failed": 100, "in_progress": 30}.get(status, 0),
        "created_at": CREATED_MS,
        "completed_at": UPDATED_MS,
    }
    if status == "completed":
        body |= {"seconds": "5.1", "metadata": {"url": "https://cdn.example/v.mp4"}}
    return body | fields


def videos(*statuses: str) -> Any:
    """Answers GET /v1/videos/{id} with each status in turn, then the last one."""
    remaining = list(statuses)

    def answer(send: Send, now: float) -> httpx.Response:
        assert send.url.startswith("/v1/videos/"), send.url
        status = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return response(send, 200, video_body(send.url.rsplit("/", 1)[1], status))

    return answer


def test_a_video_is_read_in_the_clients_terms_times_in_seconds() -> None:
    clock = FakeClock()
    result, seen = drive(
        core(clock).get("task_abc", route="videos"), videos("completed"), clock
    )
    assert (seen[0].method, seen[0].url) == ("GET", "/v1/videos/task_abc")
    task = result.parsed
    assert (task.task_id, task.status, task.progress) == ("task_abc", "SUCCESS", "100%")
    assert task.submit_time == task.created_at == CREATED_MS // 1000
    assert task.finish_time == task.updated_at == UPDATED_MS // 1000
    assert kg.video_urls(task) == ["https://cdn.example/v.mp4"]
    assert task.data is None and kg.is_final(task) and kg.is_success(task)


def test_a_running_video_has_no_finish_time_though_the_route_sends_completed_at() -> (
    None
):
    clock = FakeClock()
    result, _ = drive(
        core(clock).get("t1", route="videos"), videos("in_progress"), clock
    )
    task = result.parsed
    assert (task.status, task.progress) == ("IN_PROGRESS", "30%")
    assert task.finish_time is None and task.updated_at == UPDATED_MS // 1000


@pytest.mark.parametrize(
    ("video", "status"),
    [(video.value, task.value) for video, task in TASK_STATUS_OF_VIDEO.items()],
)
def test_every_video_status_reads_as_the_kling_routes_status(
    video: str, status: str
) -> None:
    clock = FakeClock()
    result, _ = drive(core(clock).get("t1", route="videos"), videos(video), clock)
    # The enum, as the other families' generated parser gives it.
    assert result.parsed.status is kg.TaskStatus(status)


def test_the_client_reads_video_statuses_as_the_spec_maps_them(
    spec: dict[str, Any],
) -> None:
    """Each video status becomes a task status the spec lists for it (VideoStatus
    x-gateway-status), so one task reads alike on every family."""
    table = spec["components"]["schemas"]["VideoStatus"]["x-gateway-status"]
    assert {video.value for video in TASK_STATUS_OF_VIDEO} == set(table)
    for video, task in TASK_STATUS_OF_VIDEO.items():
        assert task.value in table[video.value]


def test_a_wait_on_videos_goes_on_through_unknown_and_ends_on_completed() -> None:
    """OpenAI's own SDK stops at "unknown" (a task no refresh pass reached yet): this
    client reads it as NOT_START and keeps polling."""
    clock = FakeClock()
    seen_statuses: list[str] = []
    task, seen = drive(
        core(clock).wait(
            "t1",
            route="videos",
            interval=1.0,
            on_progress=lambda t: seen_statuses.append(str(t.status)),
        ),
        videos("unknown", "unknown", "queued", "in_progress", "completed"),
        clock,
    )
    assert task.status == "SUCCESS"
    assert seen_statuses == ["NOT_START", "SUBMITTED", "IN_PROGRESS", "SUCCESS"]
    assert sum(isinstance(action, Send) for action in seen) == 5


def test_a_failed_video_raises_with_its_error_message() -> None:
    clock = FakeClock()

    def answer(send: Send, now: float) -> httpx.Response:
        body = video_body("t1", "failed", error={"message": "risk control", "code": ""})
        return response(send, 200, body)

    with pytest.raises(kg.TaskFailedError, match="risk control"):
        drive(core(clock).wait("t1", route="videos"), answer, clock)


def test_a_status_no_family_documents_is_kept_and_is_not_final() -> None:
    clock = FakeClock()
    with pytest.raises(kg.WaitTimeoutError) as raised:
        drive(
            core(clock).wait("t1", route="videos", interval=1.0, deadline=3.0),
            videos("paused"),
            clock,
        )
    assert raised.value.task is not None and raised.value.task.status == "paused"


def test_the_compact_answer_of_later_gateways_is_read_too() -> None:
    """new-api #7194: `task_id`, a task status, progress as text, seconds, no URL."""
    clock = FakeClock()

    def answer(send: Send, now: float) -> httpx.Response:
        body = {
            "task_id": "t1",
            "status": "SUCCESS",
            "progress": "100%",
            "created_at": 1_796_351_800,
            "finished_at": 1_796_351_890,
            "fail_reason": "",
            "platform": "50",
        }
        return response(send, 200, body)

    result, _ = drive(core(clock).get("t1", route="videos"), answer, clock)
    task = result.parsed
    assert (task.task_id, task.status, task.progress) == ("t1", "SUCCESS", "100%")
    assert (task.submit_time, task.finish_time) == (1_796_351_800, 1_796_351_890)
    assert kg.video_urls(task) == []


@pytest.mark.parametrize(
    "body",
    [
        {"id": "another", "status": "queued"},
        {"status": "queued"},
        {"id": "t1", "status": 3},
        {"id": "t1", "status": "queued", "progress": [1]},
    ],
)
def test_a_video_answer_of_the_wrong_shape_or_task_is_malformed(
    body: dict[str, Any],
) -> None:
    clock = FakeClock()
    with pytest.raises(kg.MalformedResponseError):
        drive(
            core(clock).get("t1", route="videos"),
            lambda send, now: response(send, 200, body),
            clock,
        )


def test_unknown_ids_are_task_not_found_on_the_unified_families() -> None:
    clock = FakeClock()
    refused = {"code": "task_not_exist", "message": "task_not_exist", "data": None}
    for route in ("generations", "videos"):
        with pytest.raises(kg.TaskNotFoundError):
            drive(
                core(clock).get("t1", route=route),
                lambda send, now: response(send, 400, refused),
                clock,
            )


def test_the_generations_family_reads_the_kling_routes_envelope() -> None:
    clock = FakeClock()
    result, seen = drive(
        core(clock).get("t1", route="generations"), always("IN_PROGRESS"), clock
    )
    assert seen[0].url == "/v1/video/generations/t1"
    assert result.parsed.status == "IN_PROGRESS"


@pytest.mark.parametrize(
    ("route", "path"),
    [("videos", "/v1/videos"), ("generations", "/v1/video/generations")],
)
def test_a_unified_submit_sends_the_gateways_task_request(
    route: kg.Route, path: str
) -> None:
    """Kling-only fields in metadata only (a unified route reads them nowhere else),
    duration as the integer the route reads, no model_name."""
    clock = FakeClock()
    submitted = {"id": "task_new", "task_id": "task_new", "object": "video"}
    result, seen = drive(
        core(clock).submit(
            route=route,
            model="kling-v1-6",
            prompt="a cat",
            image="https://example.com/a.png",
            duration="10",
            negative_prompt="blurry",
            cfg_scale=0.3,
            metadata={"aspect_ratio": "9:16"},
        ),
        lambda send, now: response(send, 200, submitted),
        clock,
    )
    send = seen[0]
    assert (send.method, send.url) == ("POST", path)
    assert send.json == {
        "model": "kling-v1-6",
        "prompt": "a cat",
        "image": "https://example.com/a.png",
        "duration": 10,
        "metadata": {
            "aspect_ratio": "9:16",
            "negative_prompt": "blurry",
            "cfg_scale": 0.3,
        },
    }
    assert result.parsed.task_id == "task_new"


def test_a_unified_submit_without_an_image_is_text_to_video_and_not_refused() -> None:
    clock = FakeClock()
    submitted = {"id": "task_new", "task_id": "task_new"}
    _, seen = drive(
        core(clock).submit(route="videos", model="kling-v1", prompt="rain"),
        lambda send, now: response(send, 200, submitted),
        clock,
    )
    assert seen[0].json == {"model": "kling-v1", "prompt": "rain"}


def test_a_unified_submit_refuses_a_duration_the_route_would_read_as_five() -> None:
    clock = FakeClock()
    with pytest.raises(kg.InvalidRequestError, match="whole number"):
        drive(
            core(clock).submit(
                route="videos", model="kling-v1", prompt="rain", duration="5.5"
            ),
            always("SUCCESS"),
            clock,
        )


def test_a_unified_submit_naming_its_task_may_be_retried() -> None:
    """external_task_id inside metadata makes the submit safe to send again."""
    clock = FakeClock()
    answers = iter([502, 200])

    def answer(send: Send, now: float) -> httpx.Response:
        if next(answers) == 502:
            return response(send, 502, {"code": "x", "message": "bad gateway"})
        return response(send, 200, {"task_id": "t1"})

    result, seen = drive(
        core(clock).submit(
            route="videos", model="kling-v1", prompt="p", external_task_id="mine-1"
        ),
        answer,
        clock,
    )
    assert seen[0].json["metadata"] == {"external_task_id": "mine-1"}
    assert result.retries_taken == 1 and [type(a) for a in seen] == [Send, Sleep, Send]


def _download(answer: Any, destination: str, **options: Any) -> list[Any]:
    """The actions of a download of task t1 read on /v1/videos."""
    clock = FakeClock()
    flow = core(clock).download("t1", destination, route="videos", **options)
    return list(drive(flow, answer, clock)[1])


def _compact_success_without_tasks_routes(send: Send, now: float) -> httpx.Response:
    """A finished task without a URL, on a gateway that serves no /v1/tasks routes (its
    NoRoute answer there)."""
    if send.url.startswith("/v1/tasks/"):
        invalid = f"Invalid URL ({send.method} {send.url})"
        body = {"error": {"message": invalid, "type": "invalid_request_error"}}
        return response(send, 404, body)
    return response(
        send, 200, {"task_id": "t1", "status": "SUCCESS", "progress": "100%"}
    )


def test_a_download_without_a_url_is_fetched_through_the_gateways_content_route(
    tmp_path: Any,
) -> None:
    seen = _download(
        _compact_success_without_tasks_routes,
        f"{tmp_path}/",
        extra_headers={"X-Trace": "t"},
    )
    assert [s.url for s in seen if isinstance(s, Send)][-1] == "/v1/tasks/t1/artifacts"
    fetch = seen[-1]
    assert isinstance(fetch, Fetch)
    assert fetch.url == "http://gw.test/v1/videos/t1/content"
    assert fetch.headers["Authorization"] == "Bearer sk-flows"
    assert fetch.headers["X-Trace"] == "t"
    assert "sk-flows" not in repr(fetch), "the token never shows"
    assert fetch.destination == tmp_path / "t1.mp4"


def test_a_download_with_a_url_goes_to_that_url_without_the_token(
    tmp_path: Any,
) -> None:
    seen = _download(videos("completed"), f"{tmp_path}/")
    fetch = seen[-1]
    assert isinstance(fetch, Fetch) and fetch.url == "https://cdn.example/v.mp4"
    assert fetch.headers == {}


def test_the_content_route_serves_only_the_first_video(tmp_path: Any) -> None:
    with pytest.raises(kg.DownloadError, match="first video"):
        _download(_compact_success_without_tasks_routes, f"{tmp_path}/", index=1)


def test_an_unfinished_task_is_not_downloaded_from_any_route(tmp_path: Any) -> None:
    with pytest.raises(kg.DownloadError, match="no video"):
        _download(videos("in_progress"), f"{tmp_path}/")


def _submit_answer_examples() -> list[tuple[str, dict[str, Any]]]:
    import yaml

    from ..conftest import SPEC_PATH

    spec = yaml.safe_load(SPEC_PATH.read_text())
    for documented in spec["components"]["responses"].values():
        media = documented.get("content", {}).get("application/json", {})
        if media.get("schema", {}).get("$ref", "").endswith("/SubmittedTask"):
            return [(name, e["value"]) for name, e in media["examples"].items()]
    raise AssertionError("the spec documents no submit answer")


@pytest.mark.parametrize(("name", "answer"), _submit_answer_examples())
def test_every_documented_submit_answer_gives_the_id_to_poll(
    name: str, answer: dict[str, Any]
) -> None:
    """Kling's create answer (gateways before 2025-10-11), generation A's empty status, B's
    "queued", and a future answer without task_id: the id to poll comes out of each."""
    clock = FakeClock()
    result, _ = drive(
        core(clock).submit(model="kling-v1", prompt="p", image="https://e.com/a.png"),
        lambda send, now: response(send, 200, answer),
        clock,
    )
    # Generation C's create answer names the task in data.task_id only.
    expected = answer.get("task_id") or answer.get("id") or answer["data"]["task_id"]
    assert result.parsed.task_id == expected
