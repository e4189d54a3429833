"""Drift: how a gateway's answers differ from the spec, or from an earlier run's, even where
the spec is loose enough that every answer still passes.

During a run the `record_answer_shapes` check writes one line per answer (its operation,
status, headers, the JSON path and type of every field, and the values of fields the spec
gives a list of values for). After the run the lines are merged into a `Shape` and compared:

* with the spec: fields it does not document, documented fields never seen (where their
  parent was seen; fields marked `x-sometimes-absent`, or `x-generation` for another
  generation, are expected to be missing), values outside a documented list, and documented
  headers never sent;
* with a baseline (`--write-baseline` / `--baseline`): fields that appeared or disappeared,
  and fields whose JSON type changed.

Paths name fields from the answer's root: `data.status`, `data.data.data.task_result.videos[].url`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from kling_common.generation import Generation

from .json_shape import fields_of, json_type
from .spec import resolve

# Headers every HTTP server sends; the spec documents the gateway's own.
_TRANSPORT_HEADERS = frozenset(
    {"content-length", "content-type", "date", "server", "connection"}
)


@attrs.frozen
class Field:
    """A field the spec documents in an answer."""

    path: str
    parent: str  # "" for the answer's root
    branch: str  # which alternative of a oneOf/anyOf it belongs to ("" for none)
    enum: frozenset[str] | None
    sometimes_absent: bool
    # The generations that send it (`x-generation`, `x-generations`); None: every one.
    generations: frozenset[str] | None


def _documented(
    spec: dict[str, Any],
    schema: Any,
    prefix: str,
    branch: str,
    out: dict[str, list[Field]],
    depth: int = 0,
) -> None:
    schema = resolve(spec, schema)
    if not isinstance(schema, dict) or depth > 12:
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for index, option in enumerate(schema.get(key, [])):
            inner = f"{branch}/{prefix}:{key}{index}" if key != "allOf" else branch
            _documented(spec, option, prefix, inner, out, depth + 1)
    for name, child in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        marks = child if isinstance(child, dict) else {}
        resolved = resolve(spec, child)
        out.setdefault(path, []).append(
            Field(
                path=path,
                parent=prefix,
                branch=branch,
                enum=_enum_of(spec, resolved),
                sometimes_absent=bool(
                    marks.get("x-sometimes-absent")
                    or resolved.get("x-sometimes-absent")
                ),
                generations=_generations_of(marks) or _generations_of(resolved),
            )
        )
        _documented(spec, child, path, branch, out, depth + 1)
    if "items" in schema:
        _documented(spec, schema["items"], f"{prefix}[]", branch, out, depth + 1)


def _generations_of(schema: dict[str, Any]) -> frozenset[str] | None:
    one, many = schema.get("x-generation"), schema.get("x-generations")
    if many:
        return frozenset(str(g) for g in many)
    return frozenset({str(one)}) if one else None


def _enum_of(spec: dict[str, Any], schema: Any) -> frozenset[str] | None:
    values: set[str] = set()
    stack = [schema]
    while stack:
        node = resolve(spec, stack.pop())
        if not isinstance(node, dict):
            continue
        values.update(str(v) for v in node.get("enum", []))
        stack.extend(node.get("anyOf", []) + node.get("oneOf", []))
    return frozenset(values) or None


@attrs.frozen
class Answer:
    """What the spec documents for one operation's answer with one status."""

    fields: dict[str, list[Field]]
    headers: dict[str, bool]  # header name (lower case) -> may be absent

    @classmethod
    def of(cls, spec: dict[str, Any], path: str, method: str, status: str) -> Answer:
        operation = spec["paths"][path][method.lower()]
        response = resolve(spec, operation["responses"].get(status, {}))
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        fields: dict[str, list[Field]] = {}
        if schema is not None:
            _documented(spec, schema, "", "", fields)
        headers = {
            name.lower(): bool(resolve(spec, header).get("x-sometimes-absent"))
            for name, header in response.get("headers", {}).items()
        }
        return cls(fields, headers)


def observe(
    documented: Answer,
    answer: str,
    headers: Iterable[str],
    body: Any,
) -> dict[str, Any]:
    """One answer's record for the shapes log (`answer` is `METHOD path status`)."""
    fields: dict[str, set[str]] = {}
    values: dict[str, set[str]] = {}
    for field_path, value in fields_of(body):
        fields.setdefault(field_path, set()).add(json_type(value))
        known = documented.fields.get(field_path, [])
        if isinstance(value, str) and any(f.enum for f in known):
            values.setdefault(field_path, set()).add(value)
    return {
        "answer": answer,
        "headers": sorted({h.lower() for h in headers} - _TRANSPORT_HEADERS),
        "fields": {k: sorted(v) for k, v in fields.items()},
        "values": {k: sorted(v) for k, v in values.items()},
    }


@attrs.define
class Shape:
    """Everything seen, per answer (`METHOD path status`)."""

    answers: dict[str, dict[str, Any]] = attrs.field(factory=dict)

    def add(self, record: dict[str, Any]) -> None:
        seen = self.answers.setdefault(
            record["answer"], {"count": 0, "headers": set(), "fields": {}, "values": {}}
        )
        seen["count"] += 1
        seen["headers"].update(record["headers"])
        for path, types in record["fields"].items():
            seen["fields"].setdefault(path, set()).update(types)
        for path, values in record["values"].items():
            seen["values"].setdefault(path, set()).update(values)

    @classmethod
    def read(cls, log: Path) -> Shape:
        shape = cls()
        if log.is_file():
            for line in log.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    shape.add(json.loads(line))
        return shape

    def to_json(self) -> dict[str, Any]:
        """The baseline file's content: fields with their types, and headers, per answer."""
        return {
            answer: {
                "fields": {p: sorted(t) for p, t in sorted(seen["fields"].items())},
                "headers": sorted(seen["headers"]),
            }
            for answer, seen in sorted(self.answers.items())
        }


@attrs.frozen
class DriftItem:
    kind: str  # undocumented field | never seen | undocumented value | missing header | baseline: ...
    answer: str  # METHOD path status
    path: str
    detail: str = ""

    def line(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"drift: {self.kind}: {self.path} in {self.answer}{detail}"

    def to_json(self) -> dict[str, str]:
        return attrs.asdict(self)


def against_spec(
    spec: dict[str, Any], shape: Shape, generation: Generation | None
) -> list[DriftItem]:
    items: list[DriftItem] = []
    for answer, seen in sorted(shape.answers.items()):
        method, path, status = answer.split(" ")
        documented = Answer.of(spec, path, method, status)
        observed = seen["fields"]
        for field_path in sorted(observed):
            if field_path not in documented.fields:
                items.append(DriftItem("undocumented field", answer, field_path))
        for field_path, values in sorted(seen["values"].items()):
            allowed = set().union(
                *(f.enum or set() for f in documented.fields.get(field_path, []))
            )
            for value in sorted(set(values) - allowed):
                items.append(
                    DriftItem("undocumented value", answer, field_path, repr(value))
                )
        items += _never_seen(documented, observed, answer, generation)
        for header, may_be_absent in sorted(documented.headers.items()):
            if header not in seen["headers"] and not may_be_absent:
                items.append(DriftItem("missing header", answer, header))
    return items


def _never_seen(
    documented: Answer,
    observed: dict[str, Any],
    answer: str,
    generation: Generation | None,
) -> list[DriftItem]:
    # A branch of a oneOf/anyOf was seen when a field only it documents was: a path that
    # several branches share (`code`, `data`) tells none of them apart.
    seen_branches: set[str] = set()
    for path in observed:
        branches = {field.branch for field in documented.fields.get(path, [])}
        if len(branches) == 1:
            seen_branches |= branches
    items = []
    for path, fields in sorted(documented.fields.items()):
        if path in observed:
            continue
        expected = [
            f
            for f in fields
            if (f.parent == "" or f.parent in observed)
            and (f.branch == "" or f.branch in seen_branches)
            and not f.sometimes_absent
            and (
                generation is None
                or f.generations is None
                or generation.value in f.generations
            )
        ]
        if expected:
            items.append(DriftItem("never seen", answer, path))
    return items


def against_baseline(shape: Shape, baseline: dict[str, Any]) -> list[DriftItem]:
    """What changed since the baseline, for the answers seen in both runs."""
    items: list[DriftItem] = []
    now = shape.to_json()
    for answer in sorted(set(now) & set(baseline)):
        before, after = baseline[answer]["fields"], now[answer]["fields"]
        for path in sorted(set(after) - set(before)):
            items.append(DriftItem("baseline: new field", answer, path))
        for path in sorted(set(before) - set(after)):
            items.append(DriftItem("baseline: field gone", answer, path))
        for path in sorted(set(before) & set(after)):
            if set(before[path]) != set(after[path]):
                detail = f"{'/'.join(before[path])} -> {'/'.join(after[path])}"
                items.append(DriftItem("baseline: type changed", answer, path, detail))
        for header in sorted(
            set(baseline[answer]["headers"]) - set(now[answer]["headers"])
        ):
            items.append(DriftItem("baseline: header gone", answer, header))
    return items
