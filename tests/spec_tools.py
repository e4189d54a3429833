"""Reading openapi.yaml in tests: references, response schemas, the seed's example."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

from kling_contract.spec import resolve

from .conftest import SEED_EXAMPLE

__all__ = ["assert_conforms", "resolve", "seed_example_body", "validator"]


def validator(
    spec: dict[str, Any], schema: dict[str, Any]
) -> jsonschema.Draft202012Validator:
    """A validator for a schema of the spec that can follow its `#/components/...` refs."""
    return jsonschema.Draft202012Validator({**schema, "components": spec["components"]})


def response_schema(
    spec: dict[str, Any], path: str, method: str, status: int
) -> dict[str, Any]:
    response = resolve(spec, spec["paths"][path][method]["responses"][str(status)])
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def assert_conforms(
    spec: dict[str, Any], path: str, method: str, status: int, body: Any
) -> None:
    """The answer's status is documented for the operation and its body matches the schema."""
    assert str(status) in spec["paths"][path][method]["responses"], (
        f"{status} undocumented for {method} {path}"
    )
    validator(spec, response_schema(spec, path, method, status)).validate(body)


def seed_example_body() -> Any:
    """The published response example, from the repository's copy."""
    return json.loads(SEED_EXAMPLE.read_text())


def seed_document_parts(text: str) -> tuple[str, str]:
    """The response example and the OpenAPI block of the published document."""
    example = re.search(r"## 响应示例\s*```json\n(.*?)```", text, re.DOTALL)
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert example is not None and block is not None, "the seed document changed shape"
    return example.group(1), block.group(1)
