"""OpenAI's own Python SDK (pinned) on the gateway's /v1/videos routes, against the emulator:
what it gets right, and where the gateway departs from OpenAI's shape, beside what this
client does instead. docs/client.md's table says the same; this test is its proof."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

import kling_gateway as kg
from kling_emulator.server import EmulatorServer

from ..conftest import TOKEN_1
from .test_over_http import client_for, seeded

# The SDK marks its videos resource as deprecated (OpenAI's Sora API); it still works here.
pytestmark = pytest.mark.filterwarnings("ignore:The Sora API:DeprecationWarning")


@pytest.fixture
def sdk(gateway: EmulatorServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=TOKEN_1, max_retries=0
    ) as client:
        yield client


def test_the_sdk_submits_and_reads_a_kling_task(
    sdk: openai.OpenAI, gateway: EmulatorServer
) -> None:
    """What works: create, retrieve and the video's fields the SDK knows."""
    made = sdk.videos.create(model="kling-v1", prompt="rain on a window")
    assert made.status == "queued" and made.id.startswith("task_")
    read = sdk.videos.retrieve(made.id)
    assert read.id == made.id and read.object == "video"
    assert read.status in {"unknown", "queued", "in_progress", "completed"}


def test_the_sdk_sees_milliseconds_where_openai_sends_seconds(
    sdk: openai.OpenAI,
) -> None:
    """The submit answer's created_at is seconds, the video's is Kling's milliseconds, and
    the model is "" (the SDK's documented unit is seconds); this client reads seconds."""
    made = sdk.videos.create(model="kling-v1", prompt="a paper boat")
    read = sdk.videos.retrieve(made.id)
    assert made.model == "kling-v1" and read.model == ""
    assert read.created_at // 1000 in (made.created_at - 1, made.created_at)
    assert read.created_at > 1000 * made.created_at - 2000  # a thousand times larger


def test_the_sdks_poll_gives_up_on_unknown_where_this_client_waits(
    sdk: openai.OpenAI, gateway: EmulatorServer
) -> None:
    """A task no refresh pass has reached reads "unknown": the SDK's poll returns it as if
    final (new-api #5045); this client reads it as NOT_START and keeps waiting."""
    task_id = seeded(gateway, "NOT_START")
    # The SDK's own type says this status cannot occur.
    status: str = sdk.videos.poll(task_id, poll_interval_ms=10).status
    assert status == "unknown"
    with client_for(gateway) as client, pytest.raises(kg.WaitTimeoutError) as waited:
        client.wait(task_id, route="videos", deadline=0.3, interval=0.05)
    assert waited.value.task is not None and waited.value.task.status == "NOT_START"


def test_a_completed_video_names_its_url_only_in_metadata(
    sdk: openai.OpenAI, gateway: EmulatorServer
) -> None:
    task_id = seeded(gateway, "SUCCESS")
    video = sdk.videos.retrieve(task_id)
    assert video.status == "completed" and video.progress == 100
    assert video.size is None  # OpenAI always sends one; the gateway never does
    url = (video.model_extra or {})["metadata"]["url"]
    with client_for(gateway) as client:
        assert kg.video_urls(client.get(task_id, route="videos")) == [url]


def test_a_failed_video_carries_klings_reason_with_an_empty_code(
    sdk: openai.OpenAI, gateway: EmulatorServer
) -> None:
    video = sdk.videos.retrieve(seeded(gateway, "FAILURE"))
    assert video.status == "failed"
    assert video.error is not None and video.error.message and video.error.code == ""


def test_an_unknown_id_is_400_task_not_exist_not_openais_404(
    sdk: openai.OpenAI, gateway: EmulatorServer
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.videos.retrieve("task_nosuchtask")
    assert raised.value.status_code == 400 and raised.value.code == "task_not_exist"
    with client_for(gateway) as client, pytest.raises(kg.TaskNotFoundError):
        client.get("task_nosuchtask", route="videos")


def test_content_serves_the_video_and_refuses_in_its_own_shape(
    sdk: openai.OpenAI, gateway: EmulatorServer
) -> None:
    """/content works for the SDK; its refusals are 404 for an unknown id (unlike the
    query's 400) and 400 for an unfinished task, without a code."""
    video = sdk.videos.download_content(seeded(gateway, "SUCCESS"))
    assert video.content[4:8] == b"ftyp"
    with pytest.raises(openai.NotFoundError) as unknown:
        sdk.videos.download_content("task_nosuchtask")
    assert unknown.value.body == {
        "message": "Task not found",
        "type": "invalid_request_error",
    }
    with pytest.raises(openai.BadRequestError) as unfinished:
        sdk.videos.download_content(seeded(gateway, "IN_PROGRESS"))
    assert unfinished.value.code is None
    assert "current status: IN_PROGRESS" in str(unfinished.value.message)
