"""The JSON shape of an answer, one way for every report: each field's path from the answer's
root (`data.status`, `data.data.data.task_result.videos[].url`, list items sharing `name[]`)
and its JSON Schema type, integers told apart from other numbers. Drift reports and
kling-compare both read answers through this module, so that they cannot disagree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def json_type(value: Any) -> str:
    """The JSON Schema type of a decoded JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def fields_of(
    value: Any, prefix: str = "", *, items: bool = False
) -> Iterator[tuple[str, Any]]:
    """Every field below `value` as (path, value), containers included; with `items`, every
    list item too, as `name[]` (the spec documents an item's fields, not the item)."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path, item
            yield from fields_of(item, path, items=items)
    elif isinstance(value, list):
        for item in value:
            if items:
                yield f"{prefix}[]", item
            yield from fields_of(item, f"{prefix}[]", items=items)
