"""The contract as this package ships it: openapi.yaml and the schemathesis configuration.

Read with importlib.resources, so that an installed `kling-contract` works from any folder.
In the tree the package's openapi.yaml is a link to the repository's one spec; a build puts
the file itself into the wheel.
"""

from __future__ import annotations

import copy
import tomllib
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kling_common.generation import Generation

# libyaml parses the spec about ten times faster than the pure-Python loader, and every
# schemathesis process parses it once at start-up.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PACKAGE = resources.files(__package__ or "kling_contract")
SPEC_FILE = PACKAGE / "openapi.yaml"
CONFIG_FILE = PACKAGE / "schemathesis.toml"


@cache
def _parsed_spec() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml.load(SPEC_FILE.read_text(encoding="utf-8"), _Loader)
    return parsed


def load_spec() -> dict[str, Any]:
    """A fresh copy of the spec (callers may change it)."""
    return copy.deepcopy(_parsed_spec())


def load_config() -> dict[str, Any]:
    """schemathesis.toml as data, a fresh copy each time (callers may change it)."""
    with CONFIG_FILE.open("rb") as file:
        return tomllib.load(file)


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow `$ref`s inside the spec."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def for_generation(spec: dict[str, Any], generation: Generation) -> dict[str, Any]:
    """A copy of the spec as a gateway of `generation` answers: the operations, responses and
    `oneOf` branches that `x-generations` gives to other generations are left out."""
    spec = copy.deepcopy(spec)

    def serves(node: Any) -> bool:
        marks = node.get("x-generations") if isinstance(node, dict) else None
        return marks is None or generation.value in marks

    for path in list(spec["paths"]):
        item = spec["paths"][path]
        for method in list(item):
            operation = item[method]
            if not serves(operation):
                del item[method]
                continue
            responses = operation["responses"]
            for status in list(responses):
                if not serves(resolve(spec, responses[status])):
                    del responses[status]
        if not item:
            del spec["paths"][path]
    for response in spec["components"]["responses"].values():
        links = response.get("links", {})
        for name in [name for name, link in links.items() if not serves(link)]:
            del links[name]
        for media in response.get("content", {}).values():
            options = media.get("schema", {}).get("oneOf")
            if options is None:
                continue
            kept = [option for option in options if serves(resolve(spec, option))]
            media["schema"] = kept[0] if len(kept) == 1 else {"oneOf": kept}
    return spec
