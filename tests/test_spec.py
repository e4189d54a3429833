"""openapi.yaml is a valid OpenAPI document and says what the real gateway does."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from kling_gateway._response import PROGRESS_OF_STATUS

from .conftest import SEED_DOCUMENT, SEED_EXAMPLE, SEED_OPENAPI, SPEC_PATH
from .spec_tools import resolve, seed_document_parts, seed_example_body, validator

GATEWAY_STATUSES = [
    "NOT_START",
    "SUBMITTED",
    "QUEUED",
    "IN_PROGRESS",
    "SUCCESS",
    "FAILURE",
    "UNKNOWN",
]


def test_spec_is_valid_openapi() -> None:
    validate(yaml.safe_load(SPEC_PATH.read_text()))


def test_every_operation_requires_the_bearer_token(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        **spec["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    assert spec["security"] == [{"bearerAuth": []}]
    # An artifact's content is served with the token or with its access value alone.
    either: list[dict[str, list[str]]] = [{"bearerAuth": []}, {}]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            expected = (
                either
                if path.endswith("/content") and "artifacts" in path
                else [{"bearerAuth": []}]
            )
            assert op.get("security", spec["security"]) == expected, (path, method)


def test_unknown_task_is_400_task_error_or_404_native_error(
    spec: dict[str, Any],
) -> None:
    """Generations A and B: 400 task_not_exist; generation C: 404 task_not_found."""
    get = spec["paths"]["/kling/v1/videos/image2video/{task_id}"]["get"]
    assert set(get["responses"]) == {"200", "400", "401", "403", "404", "429", "500"}
    assert get["responses"]["400"]["$ref"].endswith("/TaskNotFound")
    assert get["responses"]["404"]["$ref"].endswith("/NativeTaskNotFound")
    native = resolve(spec, get["responses"]["404"])["content"]["application/json"]
    assert native["schema"] == {"$ref": "#/components/schemas/NativeError"}


def test_all_seven_statuses_are_listed(spec: dict[str, Any]) -> None:
    assert spec["components"]["schemas"]["TaskStatus"]["enum"] == GATEWAY_STATUSES


def test_status_fields_also_take_unknown_strings(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for schema, field in [("Task", "status"), ("KlingTask", "task_status")]:
        options = schemas[schema]["properties"][field]["anyOf"]
        assert {"type": "string"} in options


def test_seed_operation_is_kept(spec: dict[str, Any]) -> None:
    """The published OpenAPI block is still there, extended, not replaced."""
    block = yaml.safe_load(SEED_OPENAPI.read_text())
    path, item = next(iter(block["paths"].items()))
    seed_get = item["get"]
    ours = spec["paths"][path]["get"]
    assert ours["summary"] == seed_get["summary"]
    assert ours["description"].startswith(seed_get["description"])
    assert ours["responses"]["200"]["$ref"].endswith("/TaskFound")
    assert spec["components"]["responses"]["TaskFound"]["description"].startswith(
        seed_get["responses"]["200"]["description"]
    )


@pytest.mark.skipif(
    not SEED_DOCUMENT.exists(), reason="the published document is not beside the repo"
)
def test_the_repositorys_copies_of_the_seed_are_the_published_ones() -> None:
    example, block = seed_document_parts(SEED_DOCUMENT.read_text())
    assert SEED_EXAMPLE.read_text() == example
    assert SEED_OPENAPI.read_text() == block


def test_seed_example_is_kept_verbatim(spec: dict[str, Any]) -> None:
    examples = spec["components"]["responses"]["TaskFound"]["content"][
        "application/json"
    ]["examples"]
    assert examples["seed"]["value"] == seed_example_body()


def test_every_example_matches_its_schema(spec: dict[str, Any]) -> None:
    checked = 0
    for item in spec["paths"].values():
        for op in item.values():
            targets = [op.get("requestBody")] + list(op["responses"].values())
            for target in targets:
                if target is None:
                    continue
                media = resolve(spec, target).get("content", {}).get("application/json")
                if media is None:  # the video itself
                    continue
                for example in media.get("examples", {}).values():
                    validator(spec, media["schema"]).validate(example["value"])
                    checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0%", True),
        ("30%", True),
        ("100%", True),
        ("", True),
        ("30", False),
        ("half", False),
    ],
)
def test_progress_format(spec: dict[str, Any], value: str, ok: bool) -> None:
    schema = spec["components"]["schemas"]["Task"]["properties"]["progress"]
    assert jsonschema.Draft202012Validator(schema).is_valid(value) is ok


@pytest.mark.parametrize(
    ("task_id", "ok"),
    [
        ("842250903629086785", True),
        ("task_3f9a1c7e5b2d4a6c8e0f1a2b3c4d5e6f", True),
        ("../x", False),
        ("a/b", False),
        ("a?b", False),
        ("a#b", False),
        ("", False),
    ],
)
def test_task_id_parameter_rejects_path_unsafe_ids(
    spec: dict[str, Any], task_id: str, ok: bool
) -> None:
    schema = spec["components"]["parameters"]["TaskId"]["schema"]
    assert jsonschema.Draft202012Validator(schema).is_valid(task_id) is ok


def test_submit_links_to_the_query(spec: dict[str, Any]) -> None:
    links = spec["components"]["responses"]["TaskSubmitted"]["links"]
    link = links["GetImageToVideoTask"]
    assert link["operationId"] == "getImageToVideoTask"
    assert link["parameters"] == {"task_id": "$response.body#/task_id"}


def test_duration_is_a_string(spec: dict[str, Any]) -> None:
    duration = spec["components"]["schemas"]["VideoDuration"]
    assert duration["type"] == "string"
    assert duration["enum"] == ["5", "10"]


# -- the gateway as of 2026-08-15 -------------------------------------------------------------


SUBMIT_PATHS = ("/kling/v1/videos/image2video", "/kling/v1/videos/text2video")


def test_submit_errors_allow_both_shapes_on_every_status(spec: dict[str, Any]) -> None:
    """The generated client parses an E1 503 or 429 into its error model, not 'undocumented'."""
    error_response = {"$ref": "#/components/schemas/ErrorResponse"}
    for path in SUBMIT_PATHS:
        for status, ref in spec["paths"][path]["post"]["responses"].items():
            if status == "200":
                continue
            response = resolve(spec, ref)
            if status == "415":  # generation C's alone: the task plugin's shape
                native = {"$ref": "#/components/schemas/NativeError"}
                assert response["content"]["application/json"]["schema"] == native
                continue
            assert (
                response["content"]["application/json"]["schema"] == error_response
            ), (
                path,
                status,
            )


def test_query_server_and_rate_errors_allow_both_shapes(spec: dict[str, Any]) -> None:
    get = spec["paths"]["/kling/v1/videos/image2video/{task_id}"]["get"]
    for status in ("429", "500"):
        schema = resolve(spec, get["responses"][status])["content"]["application/json"]
        assert schema["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    forbidden = resolve(spec, get["responses"]["403"])
    assert "model-limited" in forbidden["description"]
    unauthorized = resolve(spec, get["responses"]["401"])
    assert "quota is used up" in unauthorized["description"]


def test_submit_requests_say_the_wire_format(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name in ("ImageToVideoRequest", "TextToVideoRequest"):
        request = schemas[name]
        assert {"model", "prompt"} <= set(request["required"])
        assert "model_name" not in request["required"]
        assert request["properties"]["metadata"] == {
            "$ref": "#/components/schemas/KlingOptions"
        }
    assert "external_task_id" in schemas["KlingOptions"]["properties"]


def test_the_submit_answer_may_lack_task_id(spec: dict[str, Any]) -> None:
    submitted = spec["components"]["schemas"]["SubmittedTask"]
    assert "task_id" not in submitted.get("required", [])
    assert submitted["properties"]["id"]["type"] == "string"


def test_every_answer_documents_the_version_header(spec: dict[str, Any]) -> None:
    for name, response in spec["components"]["responses"].items():
        assert "X-New-Api-Version" in response["headers"], name


def test_generation_b_examples_follow_the_2026_gateway(spec: dict[str, Any]) -> None:
    examples = spec["components"]["responses"]["TaskFound"]["content"][
        "application/json"
    ]["examples"]
    success = examples["generationBSuccess"]["value"]["data"]
    assert success["fail_reason"] == "" and success["result_url"].startswith("https://")
    for name, example in examples.items():
        if name.startswith("generationB"):
            assert example["value"]["data"]["properties"]["input"] == ""


def test_the_progress_table_is_the_specs_and_the_emulator_follows_it(
    spec: dict[str, Any],
) -> None:
    """One source for the progress each status comes with: the spec's x-progress, read by
    the contract checks, and the emulator's table held to it here."""
    from kling_contract import checks
    from kling_emulator.tasks import PROGRESS as EMULATOR_PROGRESS

    status = spec["components"]["schemas"]["TaskStatus"]
    table = status["x-progress"]
    assert set(table) == set(status["enum"]) - {"UNKNOWN"}
    assert all(re.fullmatch(r"\d{1,3}%", value) for value in table.values())
    assert checks.PROGRESS == table
    assert {k: v for k, v in EMULATOR_PROGRESS.items() if k != "UNKNOWN"} == table
    # The client derives generation C's progress, which its Kling routes do not send.
    assert {str(k): v for k, v in PROGRESS_OF_STATUS.items()} == table


def test_the_video_status_table_is_the_specs_and_the_emulator_follows_it(
    spec: dict[str, Any],
) -> None:
    """One source for the status a task reads as on GET /v1/videos: the spec's VideoStatus
    x-gateway-status, covering every task status, read by the contract checks, the emulator's
    table held to it here."""
    from kling_contract import checks
    from kling_emulator.tasks import VIDEO_STATUS as EMULATOR_VIDEO_STATUS

    schemas = spec["components"]["schemas"]
    table = schemas["VideoStatus"]["x-gateway-status"]
    assert set(table) == set(schemas["VideoStatus"]["enum"])
    gateway_statuses = [status for statuses in table.values() for status in statuses]
    assert sorted(gateway_statuses) == sorted(schemas["TaskStatus"]["enum"])
    of_status = {
        status: video for video, statuses in table.items() for status in statuses
    }
    assert checks.VIDEO_STATUS_OF == of_status
    # Anything the emulator's table lacks reads "unknown", as in the gateway.
    assert {**of_status, **EMULATOR_VIDEO_STATUS} == of_status


def test_the_plugins_error_codes_are_the_specs_and_the_emulator_follows_them(
    spec: dict[str, Any],
) -> None:
    """One source for generation C's error codes: the spec's NativeErrorCode, which the
    emulator's sanitizer (the code from the HTTP status alone) is held to, as the plugin's
    recorded errors are."""
    from kling_emulator.native import error_code

    from .generation_c import cases

    codes = set(spec["components"]["schemas"]["NativeErrorCode"]["enum"])
    statuses = (400, 401, 403, 404, 409, 415, 422, 429, 500, 502, 503)
    assert {error_code(status) for status in statuses} == codes
    for recorded in cases("native.error"):
        assert error_code(recorded["input"]["httpStatus"]) == recorded["output"]["code"]
