"""The generated client parses what the gateway sends and gives the same JSON back."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from kling_gateway_api import AuthenticatedClient
from kling_gateway_api.api.tasks import get_image_to_video_task
from kling_gateway_api.models import (
    ArtifactError,
    ArtifactList,
    ContentError,
    GatewayError,
    NativeError,
    NativeTaskResponse,
    SubmittedTask,
    TaskError,
    TaskProperties,
    TaskResponse,
    TaskStatus,
    TaskSummary,
    Video,
)
from kling_gateway_api.types import UNSET

from .conftest import examples
from .spec_tools import seed_example_body

MODELS: dict[str, Any] = {
    "TaskResponse": TaskResponse,
    "TaskError": TaskError,
    "GatewayError": GatewayError,
    "SubmittedTask": SubmittedTask,
    "Video": Video,
    "ContentError": ContentError,
    "NativeTaskResponse": NativeTaskResponse,
    "NativeError": NativeError,
    "TaskSummary": TaskSummary,
    "ArtifactList": ArtifactList,
    "ArtifactError": ArtifactError,
}


def spec_examples(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(model name, example name, body) for every response example in the spec."""
    for response in spec["components"]["responses"].values():
        media = response.get("content", {}).get("application/json")
        if media is None:  # a file, not JSON
            continue
        # An inline oneOf is of the query's two envelopes; an inline anyOf of error shapes,
        # as ErrorResponse is.
        schema = media["schema"]
        ref = (
            "#/TaskOrNative"
            if "oneOf" in schema
            else schema.get("$ref", "#/ErrorResponse")
        )
        schema_name = ref.rsplit("/", 1)[1]
        for name, example in media.get("examples", {}).items():
            yield schema_name, name, example["value"]


def parse_as(schema_name: str, body: Any) -> Any:
    model: Any
    if schema_name == "ErrorResponse":  # either shape
        model = GatewayError if "error" in body else TaskError
    elif schema_name == "TaskOrNative":
        # Kling's own code is a number, the wrapper's the text "success".
        model = NativeTaskResponse if isinstance(body["code"], int) else TaskResponse
    else:
        model = MODELS[schema_name]
    return model.from_dict(body)


def test_seed_example_round_trips() -> None:
    body = seed_example_body()
    parsed = TaskResponse.from_dict(body)
    assert parsed.data.status is TaskStatus.SUCCESS
    assert parsed.data.task_id == "842250903629086785"
    assert parsed.data.data is not None
    assert parsed.to_dict() == body


def test_every_spec_example_round_trips(spec: dict[str, Any]) -> None:
    seen = 0
    for schema_name, name, body in spec_examples(spec):
        parsed = parse_as(schema_name, copy.deepcopy(body))
        assert parsed.to_dict() == body, name
        seen += 1
    assert seen >= 20


def _task_examples(spec: dict[str, Any]) -> dict[str, Any]:
    media = spec["components"]["responses"]["TaskFound"]["content"]["application/json"]
    return {name: ex["value"] for name, ex in media["examples"].items()}


@pytest.mark.parametrize(
    ("example", "status"),
    [
        ("generationANotStart", TaskStatus.NOT_START),
        ("generationAInProgress", TaskStatus.IN_PROGRESS),
        ("generationASuccess", TaskStatus.SUCCESS),
        ("generationBSubmitted", TaskStatus.SUBMITTED),
        ("generationBSuccess", TaskStatus.SUCCESS),
        ("generationBFailure", TaskStatus.FAILURE),
    ],
)
def test_both_generations_parse_typed(
    spec: dict[str, Any], example: str, status: TaskStatus
) -> None:
    body = _task_examples(spec)[example]
    task = TaskResponse.from_dict(body).data
    assert task.status is status
    if example.startswith("generationB"):
        assert isinstance(task.id, int)
        assert isinstance(task.properties, TaskProperties)
        assert task.properties.input_ == ""  # always there, always empty
    assert TaskResponse.from_dict(body).to_dict() == body


@pytest.mark.parametrize("example", ["generationASuccess", "generationBSuccess"])
def test_a_task_shows_itself_by_the_fields_it_has_in_a_few_hundred_characters(
    spec: dict[str, Any], example: str
) -> None:
    task = TaskResponse.from_dict(_task_examples(spec)[example]).data
    shown = repr(task)
    assert shown.startswith(
        f"Task(task_id={task.task_id!r}, status='SUCCESS', progress='100%', "
    )
    assert "Unset" not in shown and "UNSET" not in shown and " object at " not in shown
    assert "additional_properties" not in shown
    assert len(shown) < 650, "each value is cut to 80 characters"
    assert "data=KlingResponse(code=0, " in shown, "a nested model shows itself alike"
    assert str(task) == shown
    assert repr(UNSET) == "UNSET"


@pytest.mark.parametrize("status", [s.value for s in TaskStatus])
def test_every_status_parses_as_the_enum(spec: dict[str, Any], status: str) -> None:
    body = copy.deepcopy(_task_examples(spec)["generationBSubmitted"])
    body["data"]["status"] = status
    parsed = TaskResponse.from_dict(body)
    assert parsed.data.status == TaskStatus(status)
    assert isinstance(parsed.data.status, TaskStatus)
    assert parsed.to_dict() == body


def test_unlisted_status_passes_through_as_a_string(spec: dict[str, Any]) -> None:
    body = copy.deepcopy(_task_examples(spec)["generationBSubmitted"])
    body["data"]["status"] = "CANCELLED"
    body["data"]["data"]["data"]["task_status"] = "cancelled"
    parsed = TaskResponse.from_dict(body)
    assert parsed.data.status == "CANCELLED"
    assert not isinstance(parsed.data.status, TaskStatus)
    assert parsed.to_dict() == body


def _add_extra_fields(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _add_extra_fields(v) for k, v in node.items()}
        out["x_future_field"] = {"nested": [1, "two", None]}
        return out
    if isinstance(node, list):
        return [_add_extra_fields(v) for v in node]
    return node


def test_extra_fields_anywhere_are_kept(spec: dict[str, Any]) -> None:
    body = _add_extra_fields(_task_examples(spec)["generationASuccess"])
    parsed = TaskResponse.from_dict(copy.deepcopy(body))
    assert parsed["x_future_field"] == {"nested": [1, "two", None]}
    assert parsed.data.data.data.task_result.videos[0]["x_future_field"]  # type: ignore[union-attr,index]
    assert parsed.to_dict() == body


# Property-based agreement between spec and client: bodies drawn from the spec's own response
# schemas (each turned into a request body so that schemathesis can draw it) must parse and
# give the same JSON back.


def _bodies_schema(spec: dict[str, Any]) -> Any:
    derived = {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "components": {"schemas": spec["components"]["schemas"]},
        "paths": {
            f"/{name}": {
                "post": {
                    "operationId": f"draw{name}",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{name}"}
                            }
                        },
                    },
                    "responses": {"200": {"description": "unused"}},
                }
            }
            for name in MODELS
        },
    }
    return schemathesis.openapi.from_dict(derived)


@pytest.mark.properties
@pytest.mark.parametrize("name", sorted(MODELS))
def test_bodies_drawn_from_the_spec_round_trip(spec: dict[str, Any], name: str) -> None:
    strategy = _bodies_schema(spec)[f"/{name}"]["POST"].as_strategy()
    model = MODELS[name]
    drawn = 0

    @settings(
        max_examples=examples(150),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(strategy)
    def check(case: Any) -> None:
        nonlocal drawn
        body = case.body
        assert model.from_dict(copy.deepcopy(body)).to_dict() == body
        drawn += 1

    check()
    assert drawn >= examples(50)


# What the generated client does with bad answers (the hand-written layer turns these into
# clear exceptions; these tests pin the raw behaviour it has to handle).


def _client_answering(status: int, content: bytes) -> AuthenticatedClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, content=content, headers={"content-type": "application/json"}
        )

    client = AuthenticatedClient(base_url="http://127.0.0.1:9", token="sk-test")
    client.set_httpx_client(
        httpx.Client(
            base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler)
        )
    )
    return client


BAD_ANSWERS: list[tuple[str, int, bytes, type[BaseException]]] = [
    ("not JSON", 200, b"<html>502 Bad Gateway</html>", json.JSONDecodeError),
    ("truncated JSON", 200, b'{"code": "success", "data": {', json.JSONDecodeError),
    ("a list, not an object", 200, b"[1, 2, 3]", TypeError),
    ("missing data", 200, b'{"code": "success", "message": ""}', KeyError),
    (
        "missing task_id",
        200,
        b'{"code": "success", "message": "", "data": {"status": "SUCCESS", "progress": "100%", "data": null}}',
        KeyError,
    ),
    (
        # Not the wrapper (code is not success), so read as Kling's envelope: no task_status.
        "code is not success",
        200,
        b'{"code": "error", "message": "", "data": {"task_id": "1", "status": "SUCCESS", "progress": "100%", "data": null}}',
        KeyError,
    ),
    ("error body without code", 400, b'{"message": "x"}', KeyError),
]


@pytest.mark.parametrize(
    ("what", "status", "content", "raised"),
    BAD_ANSWERS,
    ids=[a[0] for a in BAD_ANSWERS],
)
def test_bad_answers_raise_raw_exceptions(
    what: str, status: int, content: bytes, raised: type[BaseException]
) -> None:
    with pytest.raises(raised):
        get_image_to_video_task.sync(
            "842250903629086785", client=_client_answering(status, content)
        )


def test_wrong_field_types_are_not_checked_at_run_time() -> None:
    body = b'{"code": "success", "message": "", "data": {"task_id": 42, "status": "SUCCESS", "progress": 100, "data": null}}'
    parsed = get_image_to_video_task.sync("1", client=_client_answering(200, body))
    assert isinstance(parsed, TaskResponse)
    assert parsed.data.task_id == 42  # type: ignore[comparison-overlap]


def test_undocumented_status_gives_none_or_raises() -> None:
    client = _client_answering(502, b"bad gateway")
    assert get_image_to_video_task.sync("1", client=client) is None
    from kling_gateway_api import errors

    strict = AuthenticatedClient(
        base_url="http://127.0.0.1:9", token="t", raise_on_unexpected_status=True
    )
    strict.set_httpx_client(client.get_httpx_client())
    with pytest.raises(errors.UnexpectedStatus):
        get_image_to_video_task.sync("1", client=strict)


def test_path_parameter_is_percent_encoded() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(
            400, json={"code": "task_not_exist", "message": "", "data": None}
        )

    client = AuthenticatedClient(base_url="http://127.0.0.1:9", token="t")
    client.set_httpx_client(
        httpx.Client(
            base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler)
        )
    )
    for unsafe in ["../x", "a/b", "a?b", "a#b"]:
        get_image_to_video_task.sync(unsafe, client=client)
    assert all(p.startswith("/kling/v1/videos/image2video/") for p in seen)
    assert [p.rsplit("/", 1)[1] for p in seen] == ["..%2Fx", "a%2Fb", "a%3Fb", "a%23b"]
