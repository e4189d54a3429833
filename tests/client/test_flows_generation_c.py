"""Generation C (new-api 1.0, the Kling task plugin) as the client's core reads it, on a fake
clock: Kling's own envelope on the Kling routes, the plugin's error shape, the create answer,
the gateway's own view on /v1/tasks, and downloads through the artifact list.

The answers are the plugin's own renders, recorded by running it (tests/data/generation-c).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import httpx
import pytest

import kling_gateway as kg
from kling_gateway._download import download_failure
from kling_gateway._flows import Fetch, Send
from kling_gateway._response import PROGRESS_OF_STATUS, TASK_STATUS_OF_KLING
from kling_gateway_api.models import TaskStatus

from ..generation_c import GATEWAY_ID, KLING_ID, rendered
from .test_flows import FakeClock, core, drive, response

KLING_ROUTE = f"/kling/v1/videos/image2video/{GATEWAY_ID}"
TASKS_ROUTE = f"/v1/tasks/{GATEWAY_ID}"
GENERATIONS_ROUTE = f"/v1/video/generations/{GATEWAY_ID}"
ACCESS = "Zm9yLXRoZS10ZXN0cy1vbmx5LW5vdC1hLXJlYWwtbWFjLXZhbHVl"


def _status(name: str) -> dict[str, Any]:
    return copy.deepcopy(rendered("native.taskStatus", name))


def summary(status: str, progress: str, reason: str = "") -> dict[str, Any]:
    return {
        "task_id": GATEWAY_ID,
        "platform": "kling",
        "status": status,
        "progress": progress,
        "fail_reason": reason,
        "created_at": 1788400001,
        "finished_at": 1788400391 if status in ("SUCCESS", "FAILURE") else 0,
    }


def gateway_task(
    status: str, progress: str, reason: str = "", kling: str | None = None
) -> dict[str, Any]:
    """The gateway's own task on /v1/video/generations/{id}, its wrapper unchanged in
    generation C: the gateway's status and reason, a pass's write time, Kling's answer."""
    return {
        "code": "success",
        "message": "",
        "data": {
            "task_id": GATEWAY_ID,
            "platform": "kling",
            "action": "image_to_video",
            "status": status,
            "progress": progress,
            "fail_reason": reason,
            "created_at": 1788400001,
            "updated_at": 1788400031,
            "data": _status(kling) if kling else None,
        },
    }


NOT_A_ROUTE = {
    "error": {
        "message": f"Invalid URL (GET {GENERATIONS_ROUTE})",
        "type": "invalid_request_error",
        "param": "",
        "code": "",
    }
}


class Scripted:
    """A generation C gateway: each route answers its next scripted body (the last one
    again once the script runs out), and every request is kept."""

    def __init__(self, **scripts: list[tuple[int, Any]]) -> None:
        self.scripts = scripts
        self.sent: list[str] = []

    def __call__(self, send: Send, now: float) -> httpx.Response:
        self.sent.append(send.url)
        route = next(name for name in self.scripts if send.url.startswith(name))
        script = self.scripts[route]
        status, body = script.pop(0) if len(script) > 1 else script[0]
        return response(send, status, body)


@pytest.mark.parametrize(
    ("name", "status", "urls"),
    [
        ("created", TaskStatus.SUBMITTED, []),
        ("submitted", TaskStatus.SUBMITTED, []),
        ("processing", TaskStatus.IN_PROGRESS, []),
        (
            "succeed",
            TaskStatus.SUCCESS,
            [f"https://cdn.kling.example/videos/{KLING_ID}.mp4"],
        ),
        ("failed", TaskStatus.FAILURE, []),
        ("no_data/FAILURE", TaskStatus.FAILURE, []),
        ("no_data/IN_PROGRESS", TaskStatus.IN_PROGRESS, []),
    ],
)
def test_every_render_of_the_plugin_reads_as_a_task_in_the_clients_terms(
    name: str, status: TaskStatus, urls: list[str]
) -> None:
    clock = FakeClock()
    body = _status(name)
    answer, _ = drive(
        core(clock).get(GATEWAY_ID, route="image2video"),
        lambda send, now: response(send, 200, body),
        clock,
    )
    task = answer.parsed
    assert task.task_id == GATEWAY_ID
    assert task.status is status
    assert task.progress == PROGRESS_OF_STATUS[status]
    assert kg.video_urls(task) == urls
    assert kg.is_final(task) == (status in (TaskStatus.SUCCESS, TaskStatus.FAILURE))
    if status is TaskStatus.FAILURE:
        assert kg.fail_reason_of(task) == body["data"]["task_status_msg"]


def test_kling_milliseconds_become_seconds_and_kling_updated_at_is_no_write_time() -> (
    None
):
    clock = FakeClock()
    body = _status("succeed")
    answer, _ = drive(
        core(clock).get(GATEWAY_ID, route="image2video"),
        lambda send, now: response(send, 200, body),
        clock,
    )
    task = answer.parsed
    assert task.created_at == task.submit_time == 1788400001
    assert task.finish_time == 1788400061
    # Kling's updated_at is Kling's clock: waiting must not take it for a refresh pass.
    assert task.updated_at is None and task.raw().updated_at is kg.UNSET


def test_the_status_map_is_the_plugins() -> None:
    """The plugin's parseTaskResult, run on each Kling status, decides the gateway's."""
    for name, kling_status in [
        ("submitted", "submitted"),
        ("processing", "processing"),
        ("succeed", "succeed"),
        ("failed", "failed"),
    ]:
        plugin = rendered("parseTaskResult", name)["status"]
        assert TASK_STATUS_OF_KLING[kling_status] == plugin


def test_an_answer_naming_another_task_is_malformed() -> None:
    clock = FakeClock()
    body = _status("processing")
    body["data"]["task_id"] = KLING_ID  # Kling's own id leaked
    with pytest.raises(kg.MalformedResponseError, match="another task"):
        drive(
            core(clock).get(GATEWAY_ID, route="image2video"),
            lambda send, now: response(send, 200, body),
            clock,
        )


def test_a_status_kling_never_sent_is_kept_and_is_not_final() -> None:
    clock = FakeClock()
    body = _status("processing")
    body["data"]["task_status"] = "paused"
    answer, _ = drive(
        core(clock).get(GATEWAY_ID, route="image2video"),
        lambda send, now: response(send, 200, body),
        clock,
    )
    assert answer.parsed.status == "paused"
    assert not kg.is_final(answer.parsed)


def test_an_unknown_task_is_task_not_found_also_as_a_404() -> None:
    clock = FakeClock()
    body = rendered("native.error", "404/task_not_found")
    with pytest.raises(kg.TaskNotFoundError) as raised:
        drive(
            core(clock).get(GATEWAY_ID),
            lambda send, now: response(send, 404, body),
            clock,
        )
    assert raised.value.status_code == 404
    assert raised.value.code == "task_not_found"
    assert isinstance(raised.value, kg.NotFoundError)


@pytest.mark.parametrize(
    ("name", "status", "raised"),
    [
        ("400/invalid_request", 400, kg.BadRequestError),
        ("429/rate_limit_exceeded", 429, kg.RateLimitError),
        ("503/server_error", 503, kg.ServerError),
    ],
)
def test_the_plugins_errors_keep_their_code_and_message(
    name: str, status: int, raised: type[kg.APIStatusError]
) -> None:
    fake = FakeClock()
    body = rendered("native.error", name)
    with pytest.raises(raised) as caught:
        drive(
            core(fake, retry=kg.RetryPolicy(max_retries=0)).submit(
                model="kling-v2-6", prompt="p", image="https://e.com/a.png"
            ),
            lambda send, now: response(send, status, body),
            fake,
        )
    assert caught.value.code == body["code"]
    assert body["message"] in str(caught.value)


def test_a_submit_reads_the_create_answer() -> None:
    clock = FakeClock()
    body = rendered("native.taskCreated", "created")
    answer, _ = drive(
        core(clock).submit(model="kling-v1", prompt="p", image="https://e.com/a.png"),
        lambda send, now: response(send, 200, body),
        clock,
    )
    assert answer.parsed.task_id == GATEWAY_ID


def test_a_wait_ends_with_the_gateways_reason_for_a_task_it_failed_itself() -> None:
    """The trap: the Kling route keeps showing 'processing' for a task the gateway failed
    (here after 20 failed polls). The wait reads the gateway's own task on
    /v1/video/generations and ends with its reason, long before its deadline."""
    reason = "poll failed: transient (HTTP 503): Task request failed"
    gateway = Scripted(
        **{
            KLING_ROUTE: [(200, _status("processing"))],
            GENERATIONS_ROUTE: [
                (200, gateway_task("IN_PROGRESS", "30%", kling="processing")),
                (200, gateway_task("IN_PROGRESS", "30%", kling="processing")),
                (200, gateway_task("FAILURE", "100%", reason, kling="processing")),
            ],
        }
    )
    clock = FakeClock()
    started = clock.now
    with pytest.raises(kg.TaskFailedError) as failed:
        drive(core(clock).wait(GATEWAY_ID, deadline=3600), gateway, clock)
    assert failed.value.reason == reason
    assert clock.now - started < 300
    assert gateway.sent[0] == KLING_ROUTE
    assert set(gateway.sent[1:]) == {GENERATIONS_ROUTE}


def test_a_wait_that_succeeds_returns_the_gateways_task_with_its_videos() -> None:
    gateway = Scripted(
        **{
            KLING_ROUTE: [(200, _status("processing"))],
            GENERATIONS_ROUTE: [
                (200, gateway_task("IN_PROGRESS", "30%", kling="processing")),
                (200, gateway_task("SUCCESS", "100%", kling="succeed")),
            ],
        }
    )
    clock = FakeClock()
    task, _ = drive(core(clock).wait(GATEWAY_ID, deadline=3600), gateway, clock)
    assert task.status is TaskStatus.SUCCESS
    assert kg.video_urls(task) == [f"https://cdn.kling.example/videos/{KLING_ID}.mp4"]
    assert gateway.sent.count(KLING_ROUTE) == 1


def test_a_success_without_a_url_there_asks_the_kling_route_for_the_videos() -> None:
    gateway = Scripted(
        **{
            KLING_ROUTE: [(200, _status("processing")), (200, _status("succeed"))],
            GENERATIONS_ROUTE: [(200, gateway_task("SUCCESS", "100%"))],
        }
    )
    clock = FakeClock()
    task, _ = drive(core(clock).wait(GATEWAY_ID, deadline=3600), gateway, clock)
    assert kg.video_urls(task)
    assert gateway.sent[-1] == KLING_ROUTE


def test_a_task_already_final_on_the_kling_route_needs_no_other_request() -> None:
    gateway = Scripted(**{KLING_ROUTE: [(200, _status("succeed"))]})
    clock = FakeClock()
    task, _ = drive(core(clock).wait(GATEWAY_ID, deadline=60), gateway, clock)
    assert task.status is TaskStatus.SUCCESS
    assert gateway.sent == [KLING_ROUTE]


def test_without_the_gateways_own_view_a_wait_polls_the_kling_route() -> None:
    gateway = Scripted(
        **{
            KLING_ROUTE: [
                (200, _status("processing")),
                (200, _status("processing")),
                (200, _status("failed")),
            ],
            GENERATIONS_ROUTE: [(404, NOT_A_ROUTE)],
        }
    )
    clock = FakeClock()
    with pytest.raises(kg.TaskFailedError, match="risk control"):
        drive(core(clock).wait(GATEWAY_ID, deadline=3600), gateway, clock)
    assert gateway.sent.count(GENERATIONS_ROUTE) == 1


def test_a_get_gives_the_gateways_status_and_reason_as_a_wait_does() -> None:
    """One read of a task the gateway failed itself: not Kling's stale 'processing' from
    the Kling route, but the gateway's FAILURE and reason, in one more request."""
    reason = "poll failed: transient (HTTP 503): Task request failed"
    gateway = Scripted(
        **{
            KLING_ROUTE: [(200, _status("processing"))],
            GENERATIONS_ROUTE: [
                (200, gateway_task("FAILURE", "100%", reason, kling="processing"))
            ],
        }
    )
    clock = FakeClock()
    answer, _ = drive(core(clock).get(GATEWAY_ID), gateway, clock)
    assert answer.parsed.status is TaskStatus.FAILURE
    assert kg.fail_reason_of(answer.parsed) == reason
    assert gateway.sent == [KLING_ROUTE, GENERATIONS_ROUTE]


def test_a_get_of_a_route_asked_explicitly_reads_that_route_alone() -> None:
    gateway = Scripted(**{KLING_ROUTE: [(200, _status("processing"))]})
    clock = FakeClock()
    answer, _ = drive(core(clock).get(GATEWAY_ID, route="image2video"), gateway, clock)
    assert answer.parsed.status is TaskStatus.IN_PROGRESS
    assert gateway.sent == [KLING_ROUTE]


def test_a_get_without_the_generations_family_reads_the_kling_route() -> None:
    gateway = Scripted(
        **{
            KLING_ROUTE: [(200, _status("processing"))],
            GENERATIONS_ROUTE: [(404, NOT_A_ROUTE)],
        }
    )
    clock = FakeClock()
    answer, _ = drive(core(clock).get(GATEWAY_ID), gateway, clock)
    assert answer.parsed.status is TaskStatus.IN_PROGRESS
    assert gateway.sent == [KLING_ROUTE, GENERATIONS_ROUTE]


def test_a_404_of_the_generations_route_that_is_a_routes_answer_is_raised() -> None:
    """Only the not-a-route answer means "not served": any other 404 is the gateway's word."""
    not_found = {
        "error": {"message": "Task not found", "type": "invalid_request_error"}
    }
    gateway = Scripted(
        **{
            KLING_ROUTE: [(200, _status("processing"))],
            GENERATIONS_ROUTE: [(404, not_found)],
        }
    )
    clock = FakeClock()
    with pytest.raises(kg.TaskNotFoundError):
        drive(core(clock).get(GATEWAY_ID), gateway, clock)


def _artifacts(url: str | None) -> dict[str, Any]:
    listed = (
        [] if url is None else [{"key": "video", "type": "video", "content_url": url}]
    )
    return {"task_id": GATEWAY_ID, "artifacts": listed}


def test_a_download_without_a_url_goes_through_the_artifact_without_the_token(
    tmp_path: Any,
) -> None:
    content = (
        f"http://gw.test/v1/tasks/{GATEWAY_ID}/artifacts/video/content?access={ACCESS}"
    )
    gateway = Scripted(
        **{
            f"{TASKS_ROUTE}/artifacts": [(200, _artifacts(content))],
            TASKS_ROUTE: [(200, summary("SUCCESS", "100%"))],
        }
    )
    clock = FakeClock()
    saved, seen = drive(
        core(clock).download(GATEWAY_ID, f"{tmp_path}/", route="tasks"), gateway, clock
    )
    fetch = seen[-1]
    assert isinstance(fetch, Fetch)
    assert fetch.url == content
    assert fetch.headers == {}, "the access value is the credential; no token is sent"
    assert fetch.secret
    assert ACCESS not in repr(fetch)
    assert saved == tmp_path / f"{GATEWAY_ID}.mp4"


def test_a_failed_artifact_download_never_shows_the_access_value() -> None:
    url = f"http://gw.test/v1/tasks/t/artifacts/video/content?access={ACCESS}"
    fetch = Fetch(url, destination=Path("x.mp4"), secret=True)
    error = download_failure(httpx.ConnectError(f"cannot reach {url}"), fetch)
    assert ACCESS not in str(error)
    assert "artifact URL" in str(error)
