"""openapi.yaml is a valid OpenAPI document and says what the real gateway does."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from .conftest import SEED_PATH, SPEC_PATH
from .spec_tools import resolve, seed_example_body, validator

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
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert op.get("security", spec["security"]) == [{"bearerAuth": []}], (
                path,
                method,
            )


def test_unknown_task_is_400_in_the_task_error_shape(spec: dict[str, Any]) -> None:
    get = spec["paths"]["/kling/v1/videos/image2video/{task_id}"]["get"]
    assert set(get["responses"]) == {"200", "400", "401", "403", "429", "500"}
    assert "404" not in get["responses"]
    assert get["responses"]["400"]["$ref"].endswith("/TaskNotFound")


def test_all_seven_statuses_are_listed(spec: dict[str, Any]) -> None:
    assert spec["components"]["schemas"]["TaskStatus"]["enum"] == GATEWAY_STATUSES


def test_status_fields_also_take_unknown_strings(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for schema, field in [("Task", "status"), ("KlingTask", "task_status")]:
        options = schemas[schema]["properties"][field]["anyOf"]
        assert {"type": "string"} in options


def test_seed_operation_is_kept(spec: dict[str, Any]) -> None:
    """The published OpenAPI block is still there, extended, not replaced."""
    seed = SEED_PATH.read_text()
    block = yaml.safe_load(re.search(r"```yaml\n(.*?)```", seed, re.DOTALL).group(1))  # type: ignore[union-attr]
    path, item = next(iter(block["paths"].items()))
    seed_get = item["get"]
    ours = spec["paths"][path]["get"]
    assert ours["summary"] == seed_get["summary"]
    assert ours["description"].startswith(seed_get["description"])
    assert ours["responses"]["200"]["$ref"].endswith("/TaskFound")
    assert spec["components"]["responses"]["TaskFound"]["description"].startswith(
        seed_get["responses"]["200"]["description"]
    )


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
                media = resolve(spec, target)["content"]["application/json"]
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
