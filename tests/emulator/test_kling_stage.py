"""The gateway emulator with a real Kling stage: submits and polls go to the Kling stand-in over
HTTP, signed as a gateway's Kling adaptor signs them, and its answers come back as a gateway
passes them on."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from kling_common import auth
from kling_common.auth import KeyPair
from kling_common.generation import Generation
from kling_common.video import sample_mp4
from kling_emulator.kling_stage import KlingUpstream, PollFailure, RemoteKling
from kling_emulator.server import EmulatorServer
from kling_upstream.config import Faults
from kling_upstream.server import UpstreamServer

from ..clocks import SteppedClock
from ..conftest import TOKEN_1, make_config
from ..upstream.test_stand_in import ALICE, LIFECYCLE, standin_config

SUBMIT = "/kling/v1/videos/image2video"
BODY = {
    "model": "kling-v1",
    "model_name": "kling-v1",
    "prompt": "a cat turns its head",
    "image": "https://example.com/cat.png",
    "duration": "5",
    "metadata": {"negative_prompt": "blurry", "external_task_id": "stage-1"},
}
HEADERS = {"Authorization": f"Bearer {TOKEN_1}"}


@pytest.fixture(scope="module")
def kling() -> Iterator[UpstreamServer]:
    with UpstreamServer(standin_config()) as server:
        yield server


def gateway_for(
    kling: UpstreamServer, keys: KeyPair = ALICE, **changes: object
) -> EmulatorServer:
    upstream = KlingUpstream(kling.base_url, keys, timeout=5)
    return EmulatorServer(make_config(kling=upstream, **changes))


@pytest.fixture
def stepped_kling() -> Iterator[tuple[UpstreamServer, SteppedClock]]:
    clock = SteppedClock()
    with UpstreamServer(standin_config(), clock=clock) as server:
        yield server, clock


def refreshes(client: httpx.Client, task_id: str) -> int:
    """How many refresh passes reached the task (reading it lets due passes run)."""
    count: int = client.get(f"/emulator/tasks/{task_id}/refreshes").json()["refreshes"]
    return count


def until_a_pass_reaches(client: httpx.Client, task_id: str, passes: int) -> None:
    """Until more than `passes` refresh passes reached the task; the bound only ends a hung
    test (passes come every 67 ms)."""
    deadline = time.monotonic() + 60
    while refreshes(client, task_id) <= passes:
        assert time.monotonic() < deadline, "no refresh pass reached the task"
        time.sleep(0.01)


@pytest.mark.parametrize("generation", ["A", "B"])
def test_a_task_goes_through_the_stand_in_to_success_with_its_video(
    stepped_kling: tuple[UpstreamServer, SteppedClock], generation: str
) -> None:
    # Kling-only fields at the top level and in metadata: each generation reads one.
    kling_fields = {"negative_prompt": "blurry", "external_task_id": f"ok-{generation}"}
    body = {**BODY, **kling_fields, "metadata": kling_fields}
    # Kling's lifecycle moves only when stepped, and each step waits for a refresh pass to
    # read it: every state Kling reports reaches the gateway, however loaded the machine.
    kling, kling_clock = stepped_kling
    with (
        gateway_for(kling, generation=Generation(generation)) as gateway,
        httpx.Client(base_url=gateway.base_url, headers=HEADERS, timeout=10) as client,
    ):
        answer = client.post(SUBMIT, json=body)
        assert answer.status_code == 200, answer.text
        task_id = answer.json()["task_id"]
        seen: list[dict[str, object]] = []
        for _ in range(30):
            task = client.get(f"{SUBMIT}/{task_id}").json()["data"]
            if not seen or seen[-1]["status"] != task["status"]:
                seen.append(task)
            if task["status"] in ("SUCCESS", "FAILURE"):
                break
            passes = refreshes(client, task_id)
            kling_clock.advance(LIFECYCLE / 6)
            until_a_pass_reaches(client, task_id, passes)
    statuses = [t["status"] for t in seen]
    assert statuses[-1] == "SUCCESS" and "IN_PROGRESS" in statuses, statuses
    final = seen[-1]
    kling_answer = final["data"]
    assert isinstance(kling_answer, dict)
    inner = kling_answer["data"]
    kling_task = kling.stand_in.store.by_id(inner["task_id"])
    assert kling_task is not None, "the task exists at Kling, under Kling's id"
    # What reached Kling: the adaptor's request, metadata merged into it.
    assert kling_task.request["negative_prompt"] == "blurry"
    assert kling_task.request["model_name"] == "kling-v1"
    assert kling_task.external_task_id == f"ok-{generation}"
    url = inner["task_result"]["videos"][0]["url"]
    assert url.startswith(kling.base_url)
    if generation == "B":
        assert final["result_url"] == url
    else:
        assert final["fail_reason"] == url  # generation A's quirk
    assert httpx.get(url).content == sample_mp4()


@pytest.mark.parametrize(
    ("prompt", "status", "code", "message_has"),
    [
        ("a cat [unsafe]", 400, "fail_to_fetch_task", '"code":1301'),
        ("a cat [kling:1303]", 429, "fail_to_fetch_task", "上游负载已饱和"),
        ("a cat [kling:1102]", 429, "fail_to_fetch_task", "上游负载已饱和"),
        ("a cat [kling:5001]", 503, "fail_to_fetch_task", '"code":5001'),
        ("a cat [kling:5000]", 500, "fail_to_fetch_task", '"code":5000'),
    ],
)
def test_kling_refusals_come_back_as_the_gateway_passes_them_on(
    kling: UpstreamServer, prompt: str, status: int, code: str, message_has: str
) -> None:
    with gateway_for(kling) as gateway:
        answer = httpx.post(
            gateway.base_url + SUBMIT,
            json={**BODY, "prompt": prompt, "metadata": {}},
            headers=HEADERS,
        )
    assert answer.status_code == status
    body = answer.json()
    assert body["code"] == code and body["data"] is None
    assert message_has in body["message"].replace(" ", "")


@pytest.mark.parametrize(
    "change",
    [{"prompt": "a cat [unsafe]", "metadata": {}}, {"metadata": {"cfg_scale": 2}}],
    ids=["unsafe prompt", "cfg_scale out of range"],
)
def test_kling_modelled_in_process_refuses_in_the_stand_ins_words(
    kling: UpstreamServer, change: dict[str, object]
) -> None:
    """The message a gateway passes on is Kling's body as sent: compact, a UUID request id."""

    def refused(gateway: EmulatorServer) -> str:
        answer = httpx.post(
            gateway.base_url + SUBMIT, json={**BODY, **change}, headers=HEADERS
        )
        assert answer.status_code == 400, answer.text
        message: str = answer.json()["message"]
        return message

    with gateway_for(kling) as through_kling, EmulatorServer(make_config()) as modelled:
        passed_on, in_process = refused(through_kling), refused(modelled)
    request_id = json.loads(in_process)["request_id"]
    assert str(uuid.UUID(request_id)) == request_id
    kling_id = json.loads(passed_on)["request_id"]
    assert in_process == passed_on.replace(kling_id, request_id)


def test_a_wrong_channel_key_is_klings_401_passed_on(kling: UpstreamServer) -> None:
    wrong = KeyPair(ALICE.access_key, "not-the-secret-key-of-alice-0000")
    with gateway_for(kling, keys=wrong) as gateway:
        answer = httpx.post(gateway.base_url + SUBMIT, json=BODY, headers=HEADERS)
    assert answer.status_code == 401
    assert json.loads(answer.json()["message"])["code"] == 1000


def test_an_unreachable_kling_is_a_500_do_request_failed() -> None:
    with UpstreamServer(standin_config()) as gone:
        url = gone.base_url
    upstream = KlingUpstream(url, ALICE, timeout=2)
    with EmulatorServer(make_config(kling=upstream)) as gateway:
        answer = httpx.post(gateway.base_url + SUBMIT, json=BODY, headers=HEADERS)
    assert answer.status_code == 500 and answer.json()["code"] == "do_request_failed"


def test_a_poll_kling_refuses_leaves_the_task_as_it_was() -> None:
    with UpstreamServer(standin_config(faults=Faults(rates={1302: 1.0}))) as limited:
        remote = RemoteKling(KlingUpstream(limited.base_url, ALICE, timeout=2))
        failure = remote.poll("123456789012345678", "generate")
        assert isinstance(failure, PollFailure)
        assert (failure.kind, failure.http_status, failure.gone) == (
            "transient",
            429,
            False,
        )
        remote.close()


def test_the_stage_signs_as_a_gateway_does(kling: UpstreamServer) -> None:
    remote = RemoteKling(KlingUpstream(kling.base_url, ALICE))
    token = remote._headers()["Authorization"].removeprefix("Bearer ")
    assert (
        auth.verify(f"Bearer {token}", {ALICE.access_key: ALICE.secret_key})
        == ALICE.access_key
    )
    remote.close()


def test_a_real_kling_stage_needs_refresh_passes() -> None:
    with pytest.raises(ValueError, match="no smooth clock"):
        make_config(kling=KlingUpstream("http://127.0.0.1:9", ALICE), refresh=None)
