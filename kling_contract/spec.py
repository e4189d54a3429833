"""The contract as this package ships it: openapi.yaml and the schemathesis configuration.

Read with importlib.resources, so that an installed `kling-contract` works from any folder.
`make generate` keeps the packaged openapi.yaml a copy of the repository's.
"""

from __future__ import annotations

import copy
import tomllib
from functools import cache
from importlib import resources
from typing import Any

import yaml

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
