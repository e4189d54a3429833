"""The emulator's generation C held to the Kling plugin's own renders (tests/data/generation-c)
and to what the reference reading of the host says: Kling's envelope with the gateway's id,
the plugin's errors, the forwarded body, the trap of a task the gateway failed itself, and
the /v1/tasks routes with their artifact access."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kling_common.generation import Generation
from kling_contract.json_shape import fields_of, json_type
from kling_emulator.kling_stage import PollFailure
from kling_emulator.seeding import GATEWAY_FAILED, GATEWAY_FAILURE
from kling_emulator.server import EmulatorServer
from kling_emulator.tasks import TaskRecord

from ..conftest import TOKEN_1, TOKEN_2, make_config
from ..generation_c import case, rendered

QUERY = "/kling/v1/videos/image2video/{}"
SUBMIT = "/kling/v1/videos/image2video"
# The Kling status each seeded gateway status shows, as the plugin rendered it.
RENDER_OF_STATUS = {
    "NOT_START": "created",
    "SUBMITTED": "submitted",
    "IN_PROGRESS": "processing",
    "SUCCESS": "succeed",
    "FAILURE": "failed",
}


@pytest.fixture(scope="module")
def gateway() -> Iterator[EmulatorServer]:
    with EmulatorServer(make_config(generation=Generation.C)) as server:
        yield server


@pytest.fixture
def http(gateway: EmulatorServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN_1}"}
    with httpx.Client(base_url=gateway.base_url, headers=headers) as client:
        yield client


def shape(body: Any) -> set[tuple[str, str]]:
    """Every field's path and JSON type; values that are ids, times or text aside."""
    return {(path, json_type(value)) for path, value in fields_of(body)}


@pytest.mark.parametrize(("status", "render"), sorted(RENDER_OF_STATUS.items()))
def test_a_query_answers_as_the_plugin_renders_that_status(
    gateway: EmulatorServer, http: httpx.Client, status: str, render: str
) -> None:
    task_id = gateway.seeded[1][status]
    answer = http.get(QUERY.format(task_id))
    assert answer.status_code == 200
    body = answer.json()
    expected = rendered("native.taskStatus", render)
    assert shape(body) == shape(expected)
    assert body["data"]["task_id"] == task_id
    assert body["data"]["task_status"] == expected["data"]["task_status"]
    assert (body["code"], body["message"]) == (0, "SUCCEED")


def test_kling_s_own_id_never_appears_in_a_native_answer(
    gateway: EmulatorServer, http: httpx.Client
) -> None:
    for task_id in gateway.seeded[1].values():
        record = gateway.store.find(task_id)
        assert record is not None
        text = http.get(QUERY.format(task_id)).text
        assert f'"{record.kling_id}"' not in text, task_id


def test_an_unknown_or_another_users_task_is_the_plugins_404(
    gateway: EmulatorServer, http: httpx.Client
) -> None:
    expected = rendered("native.error", "404/task_not_found")
    for task_id in ("task_nosuchtask", gateway.seeded[2]["SUCCESS"]):
        answer = http.get(QUERY.format(task_id))
        assert (answer.status_code, answer.json()) == (404, expected)


def test_a_submit_answers_the_create_answer_with_the_gateways_id(
    http: httpx.Client,
) -> None:
    body = case("native.decodeSubmit", "model_name")["input"]["value"]
    answer = http.post(SUBMIT, json=body)
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert shape(created) == shape(rendered("native.taskCreated", "created"))
    assert created["data"]["task_id"].startswith("task_")
    assert answer.headers["X-New-Api-Other-Ratios"] == "{}"


@pytest.mark.parametrize(
    "name",
    ["model_name/image_to_video", "model_only/image_to_video"],
)
def test_the_whole_body_reaches_kling_as_the_plugin_builds_it(
    gateway: EmulatorServer, http: httpx.Client, name: str
) -> None:
    recorded = case("buildSubmitRequest", name)
    answer = http.post(SUBMIT, json=recorded["input"]["body"])
    assert answer.status_code == 200, answer.text
    task_id = answer.json()["data"]["task_id"]
    forwarded = http.get(f"/emulator/tasks/{task_id}/forwarded").json()
    assert forwarded["kling_request"] == recorded["output"]["body"]


def test_a_numeric_duration_reaches_kling_as_a_number_and_kling_refuses_it(
    http: httpx.Client,
) -> None:
    """The plugin forwards every field with its JSON type (buildSubmitRequest keeps the
    number 10), where Kling takes only "5" or "10": Kling's 400 comes back."""
    recorded = case(
        "buildSubmitRequest", "kling_fields_and_numeric_duration/image_to_video"
    )
    assert recorded["output"]["body"]["duration"] == 10
    answer = http.post(SUBMIT, json=recorded["input"]["body"])
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid_request",
        "message": "duration must be a string",
    }


@pytest.mark.parametrize(
    ("body", "status", "decoded"),
    [
        ({"prompt": "p"}, 400, "no_model"),
        ({"model_name": "  ", "prompt": "p"}, 400, "blank_model"),
        ([1], 400, "json_array"),
    ],
)
def test_a_refused_submit_says_what_the_plugin_says(
    http: httpx.Client, body: Any, status: int, decoded: str
) -> None:
    answer = http.post(SUBMIT, json=body)
    message = case("native.decodeSubmit", decoded)["error"]
    assert (answer.status_code, answer.json()) == (
        status,
        {"code": "invalid_request", "message": message},
    )


def test_a_model_outside_the_plugins_three_is_refused_before_any_channel(
    http: httpx.Client,
) -> None:
    answer = http.post(SUBMIT, json={"model_name": "kling-v2-6", "prompt": "p"})
    assert answer.status_code == 400
    assert answer.json() == rendered("native.error", "400/invalid_request")


def test_a_body_that_is_not_json_is_415_and_a_wrong_method_405(
    http: httpx.Client,
) -> None:
    form = http.post(SUBMIT, data={"model": "kling-v1"})
    assert (form.status_code, form.json()) == (
        415,
        rendered("native.error", "415/invalid_request"),
    )
    wrong = http.delete(SUBMIT)
    assert (wrong.status_code, wrong.content) == (405, b"")
    head = http.head(QUERY.format("task_x"))
    assert head.status_code == 405


def test_a_task_the_gateway_failed_keeps_reading_processing_on_the_kling_route(
    gateway: EmulatorServer, http: httpx.Client
) -> None:
    """The trap: only /v1/tasks and /v1/video/generations show the gateway's verdict."""
    task_id = gateway.seeded[1][GATEWAY_FAILED]
    native = http.get(QUERY.format(task_id)).json()
    assert native["data"]["task_status"] == "processing"
    summary = http.get(f"/v1/tasks/{task_id}").json()
    assert (summary["status"], summary["fail_reason"]) == ("FAILURE", GATEWAY_FAILURE)
    generations = http.get(f"/v1/video/generations/{task_id}").json()["data"]
    assert generations["status"] == "FAILURE"
    assert generations["platform"] == "kling"
    assert generations["action"] == "image_to_video"


def test_an_artifact_is_served_by_its_access_value_alone_and_never_when_altered(
    gateway: EmulatorServer, http: httpx.Client
) -> None:
    task_id = gateway.seeded[1]["SUCCESS"]
    listed = http.get(f"/v1/tasks/{task_id}/artifacts")
    assert listed.headers["Cache-Control"] == "private, no-store"
    (artifact,) = listed.json()["artifacts"]
    url = artifact["content_url"]
    assert artifact["key"] == "video" and "access=" in url
    with httpx.Client() as anonymous:
        whole = anonymous.get(url)
        assert whole.status_code == 200 and whole.content.startswith(b"\x00\x00\x00")
        head = anonymous.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["Content-Length"] == str(len(whole.content))
        part = anonymous.get(url, headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and part.content == whole.content[:100]
        assert part.headers["Content-Range"] == f"bytes 0-99/{len(whole.content)}"
        altered = anonymous.get(url[:-1] + ("A" if url[-1] != "A" else "B"))
        assert altered.status_code == 404
        assert altered.json()["error"]["code"] == "artifact_not_found"
    # Another user's token cannot list it.
    other = http.get(
        f"/v1/tasks/{task_id}/artifacts", headers={"Authorization": f"Bearer {TOKEN_2}"}
    )
    assert other.status_code == 404


def test_an_unfinished_task_lists_no_artifact_and_its_content_is_not_ready(
    gateway: EmulatorServer, http: httpx.Client
) -> None:
    task_id = gateway.seeded[1]["IN_PROGRESS"]
    assert http.get(f"/v1/tasks/{task_id}/artifacts").json()["artifacts"] == []
    content = http.get(f"/v1/tasks/{task_id}/artifacts/video/content")
    assert content.status_code == 409
    assert content.json()["error"]["code"] == "artifact_not_ready"


def test_the_tasks_routes_are_not_routes_before_generation_c() -> None:
    with EmulatorServer(make_config(generation=Generation.B)) as server:
        task_id = server.seeded[1]["SUCCESS"]
        answer = httpx.get(
            f"{server.base_url}/v1/tasks/{task_id}",
            headers={"Authorization": f"Bearer {TOKEN_1}"},
        )
    assert answer.status_code == 404
    assert answer.json()["error"]["message"].startswith("Invalid URL")


class _KlingThatLostTheTask:
    """A Kling stage whose every poll fails as given."""

    def __init__(self, failure: PollFailure) -> None:
        self.failure = failure
        self.polls = 0

    def poll(self, kling_id: str, action: str) -> PollFailure:
        self.polls += 1
        return self.failure


def _polled_record(failure: PollFailure, limit: int | None) -> TaskRecord:
    return TaskRecord(
        task_id="task_x",
        kling_id="842250903629086785",
        user_id=1,
        action="generate",
        model="kling-v1",
        prompt="p",
        external_task_id="",
        submitted_at=time.time(),
        lifecycle=make_config().lifecycle,
        fails=False,
        row_id=1,
        remote=_KlingThatLostTheTask(failure),  # type: ignore[arg-type]
        max_poll_failures=limit,
    )


def test_kling_s_404_fails_a_generation_c_task_at_once() -> None:
    record = _polled_record(PollFailure.of_status(404, "task not found"), limit=20)
    assert record.refresh(time.time()) is True
    assert record.failed_by_gateway == "upstream task not found (HTTP 404)"


def test_twenty_failed_polls_in_a_row_fail_a_generation_c_task() -> None:
    record = _polled_record(PollFailure.of_status(503, "busy"), limit=20)
    finals = [record.refresh(time.time()) for _ in range(20)]
    assert finals == [False] * 19 + [True]
    assert record.failed_by_gateway == "poll failed: transient (HTTP 503): busy"


def test_failed_polls_leave_an_older_generations_task_as_it_was() -> None:
    record = _polled_record(PollFailure.of_status(404, "task not found"), limit=None)
    assert not any(record.refresh(time.time()) for _ in range(25))
    assert record.failed_by_gateway == ""


def test_the_client_submits_waits_and_downloads_on_generation_c_without_being_told(
    gateway: EmulatorServer, tmp_path: Any
) -> None:
    """A user of a 1.0 gateway: no option names the generation."""
    import kling_gateway as kg

    with kg.KlingClient(gateway.base_url, TOKEN_1) as client:
        submitted = client.submit(
            model="kling-v1", image="https://example.com/cat.png", prompt="a cat"
        )
        task = client.wait(submitted.task_id, deadline=60, interval=0.2)
        assert task.status == kg.TaskStatus.SUCCESS
        assert kg.video_urls(task)
        saved = client.download(task, tmp_path)
        assert saved.stat().st_size > 1000
        with pytest.raises(kg.TaskFailedError) as failed:
            client.wait(gateway.seeded[1][GATEWAY_FAILED], deadline=30, interval=0.2)
        assert failed.value.reason == GATEWAY_FAILURE
        with pytest.raises(kg.TaskNotFoundError):
            client.get(gateway.seeded[2]["SUCCESS"])
        # A task read on /v1/tasks names no URL: its video comes through the artifact.
        summary = client.get(gateway.seeded[1]["SUCCESS"], route="tasks")
        assert kg.video_urls(summary) == []
        through_artifact = client.download(summary, tmp_path / "artifact.mp4")
        assert through_artifact.read_bytes() == saved.read_bytes()
