"""The client against the gateway as it is in 2026: submits that reach Kling on both
generations, and every answer read clearly. Over HTTP against the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

import kling_gateway as kg
from kling_common.generation import Generation
from kling_emulator.config import UNAVAILABLE_MODEL
from kling_emulator.server import EmulatorServer
from kling_gateway import RetryPolicy
from kling_gateway.cli import main as cli_main

from ..broken_gateways import RewriteAnswers
from ..conftest import EXHAUSTED, LIMITED, TOKEN_1, make_config

IMAGE = "https://example.com/cat.png"
NO_RETRY = RetryPolicy(max_retries=0)
KLING_FIELDS: kg.SubmitFields = {
    "negative_prompt": "blurry",
    "cfg_scale": 0.7,
    "external_task_id": "o-1",
}


def with_kling(model: str, prompt: str) -> kg.SubmitFields:
    """An image-to-video submit with the Kling-only fields above."""
    return {"model": model, "prompt": prompt, "image": IMAGE, **KLING_FIELDS}


def client_for(
    server: EmulatorServer, token: str = TOKEN_1, **kwargs: Any
) -> kg.KlingClient:
    return kg.KlingClient(server.base_url, token, retry=NO_RETRY, **kwargs)


def forwarded(server: EmulatorServer, task_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{server.base_url}/emulator/tasks/{task_id}/forwarded")
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


# -- submitting ------------------------------------------------------------------------------


def test_submit_delivers_kling_fields_on_both_generations(
    emulator: EmulatorServer,
) -> None:
    with client_for(emulator) as client:
        submitted = client.submit(**with_kling(model="kling-v1-6", prompt="a cat"))
    sent = forwarded(emulator, submitted.task_id)
    assert sent["action"] == "generate"
    assert {k: sent["kling_request"][k] for k in KLING_FIELDS} == KLING_FIELDS
    assert sent["kling_request"]["model_name"] == "kling-v1-6"


def test_submit_by_model_name_works_on_both_generations(
    emulator: EmulatorServer,
) -> None:
    with client_for(emulator) as client:
        submitted = client.submit(model_name="kling-v1", image=IMAGE, prompt="a cat")
    assert (
        forwarded(emulator, submitted.task_id)["kling_request"]["model"] == "kling-v1"
    )


def test_the_wire_body_has_both_model_fields_and_merged_metadata(
    gateway: EmulatorServer,
) -> None:
    with client_for(gateway) as client:
        answer = client.with_raw_response.submit(
            model="kling-v1",
            image=IMAGE,
            prompt="a cat",
            negative_prompt="blurry",
            metadata={"callback_url": "https://me.example/cb", "mine": 1},
        )
    body = json.loads(answer.http_response.request.content)
    assert body["model"] == body["model_name"] == "kling-v1"
    assert body["negative_prompt"] == "blurry"  # top level: generation A reads it there
    assert body["metadata"] == {
        "callback_url": "https://me.example/cb",
        "mine": 1,  # the caller's own metadata is never lost
        "negative_prompt": "blurry",
    }
    assert "image" not in body["metadata"]  # common fields stay at the top level only


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"prompt": "a cat"}, "needs an image"),
        ({"prompt": "a cat", "image": ""}, "needs an image"),
        ({"prompt": "a", "image": IMAGE, "model": "a", "model_name": "b"}, "differ"),
        (
            {
                "prompt": "a",
                "image": IMAGE,
                "cfg_scale": 0.2,
                "metadata": {"cfg_scale": 0.9},
            },
            "given twice",
        ),
        ({"prompt": "a", "image": IMAGE, "metadata": "x"}, "must be a mapping"),
    ],
)
def test_bodies_the_gateway_would_misread_are_refused_before_sending(
    gateway: EmulatorServer, fields: dict[str, Any], message: str
) -> None:
    before = len(gateway.store)
    with client_for(gateway) as client, pytest.raises(kg.InvalidRequestError) as caught:
        client.submit({"model": "kling-v1", **fields})  # a mapping: checked at run time
    assert message in str(caught.value)
    assert len(gateway.store) == before


def test_an_image_on_the_text_route_is_refused(gateway: EmulatorServer) -> None:
    with client_for(gateway) as client, pytest.raises(kg.InvalidRequestError):
        client.submit_text_to_video(model="kling-v1", prompt="rain", image=IMAGE)


async def test_the_async_client_sends_the_same_body(gateway: EmulatorServer) -> None:
    async with kg.AsyncKlingClient(gateway.base_url, TOKEN_1, retry=NO_RETRY) as client:
        submitted = await client.submit(**with_kling(model="kling-v1", prompt="a"))
        with pytest.raises(kg.InvalidRequestError):
            await client.submit(model="kling-v1", prompt="no image")
    sent = forwarded(gateway, submitted.task_id)["kling_request"]
    assert {k: sent[k] for k in KLING_FIELDS} == KLING_FIELDS


def _without_task_id(app: Any) -> Any:
    def rewrite(
        scope: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if scope["method"] == "POST" and status == 200:
            answer = json.loads(body)
            answer.pop("task_id")
            body = json.dumps(answer).encode()
        return status, headers, body

    return RewriteAnswers(app, rewrite)


def test_submit_reads_id_once_task_id_is_gone() -> None:
    with (
        EmulatorServer(make_config(), wrap=_without_task_id) as server,
        client_for(server) as client,
    ):
        submitted = client.submit(model="kling-v1", image=IMAGE, prompt="a")
        assert submitted.task_id.startswith("task_")
        assert submitted.to_dict()["id"] == submitted.task_id
        assert client.get(submitted.task_id).task_id == submitted.task_id


# -- reading answers ---------------------------------------------------------------------------


@pytest.fixture
def gateway_a() -> Iterator[EmulatorServer]:
    with EmulatorServer(make_config(generation=Generation.A)) as server:
        yield server


def test_an_html_answer_names_the_wrong_base_url(gateway: EmulatorServer) -> None:
    url = gateway.base_url + "/dashboard"
    with (
        kg.KlingClient(url, TOKEN_1, retry=NO_RETRY) as client,
        pytest.raises(kg.MalformedResponseError) as caught,
    ):
        client.get("842250903629086785")
    message = str(caught.value)
    assert f"{url}/kling/v1/videos/image2video/842250903629086785" in message
    assert "text/html" in message and "base URL is probably wrong" in message
    result = CliRunner().invoke(
        cli_main,
        ["--base-url", url, "get", "842250903629086785"],
        env={"KLING_API_TOKEN": TOKEN_1},
    )
    assert result.exit_code == 3 and "base URL is probably wrong" in result.output


@pytest.mark.parametrize("generation", ["A", "B"])
def test_a_used_up_token_keeps_the_gateways_text_and_names_both_causes(
    generation: str, gateway: EmulatorServer, gateway_a: EmulatorServer
) -> None:
    server = gateway_a if generation == "A" else gateway
    with (
        client_for(server, EXHAUSTED) as client,
        pytest.raises(kg.AuthenticationError) as caught,
    ):
        client.get(server.seeded[1]["SUCCESS"])
    error = caught.value
    assert error.status_code == 401 and error.request_id
    assert "quota is used up" in error.message and "wrong" in error.message
    if generation == "A":
        assert "This token quota is exhausted" in error.message
    else:
        assert error.message.startswith("Invalid token (the token is wrong")
    assert str(error).count(error.request_id) == 1
    assert EXHAUSTED not in str(error) and EXHAUSTED not in repr(error.args)


def test_a_model_limited_token_says_which_model(gateway: EmulatorServer) -> None:
    with client_for(gateway, LIMITED) as client:
        with pytest.raises(kg.PermissionDeniedError) as submit:
            client.submit(model="kling-v2-master", image=IMAGE, prompt="a")
        with pytest.raises(kg.PermissionDeniedError) as query:
            client.get("999999")
    assert submit.value.model == "kling-v2-master"
    assert "limited to other models" in submit.value.message
    assert query.value.model == ""
    assert "cannot see" in query.value.message


@pytest.mark.parametrize(
    ("fault", "kind", "code", "text"),
    [
        ("503-no-channel", kg.ServerError, "model_not_found", "No available channel"),
        ("429-gate", kg.RateLimitError, "new_api_error", "Too many concurrent"),
        ("429", kg.RateLimitError, "fail_to_fetch_task", "上游负载已饱和"),
        ("500-panic", kg.ServerError, "new_api_panic", "Panic detected"),
        ("502", kg.ServerError, "fail_to_fetch_task", "emulated 502"),
    ],
)
def test_both_error_shapes_keep_code_and_message_on_any_status(
    gateway: EmulatorServer,
    fault: str,
    kind: type[kg.APIStatusError],
    code: str,
    text: str,
) -> None:
    with (
        client_for(gateway, headers={"X-Emulator-Fault": fault}) as client,
        pytest.raises(kind) as caught,
    ):
        client.get(gateway.seeded[1]["SUCCESS"])
    assert caught.value.code == code and text in caught.value.message


def test_a_model_without_a_channel_is_a_server_error_with_its_code(
    gateway: EmulatorServer,
) -> None:
    with client_for(gateway) as client, pytest.raises(kg.ServerError) as caught:
        client.submit(model=UNAVAILABLE_MODEL, image=IMAGE, prompt="a")
    assert caught.value.status_code == 503 and caught.value.code == "model_not_found"
