"""The Kling task plugin's recorded renders (tests/data/generation-c): what a generation C
gateway answers, as running the plugin showed it. Data, with where it came from."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

RECORDING = Path(__file__).parent / "data" / "generation-c" / "kling-plugin-1.0.0.json"


@cache
def recording() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RECORDING.read_text())
    return loaded


GATEWAY_ID: str = recording()["source"]["ids"]["gateway"]
KLING_ID: str = recording()["source"]["ids"]["kling"]


def case(hook: str, name: str) -> dict[str, Any]:
    for recorded in recording()["cases"]:
        if recorded["hook"] == hook and recorded["name"] == name:
            return dict(recorded)
    raise KeyError(f"no recorded {hook} {name}")


def rendered(hook: str, name: str) -> Any:
    """What the hook returned for that case; KeyError where it threw."""
    return case(hook, name)["output"]


def cases(hook: str) -> list[dict[str, Any]]:
    return [c for c in recording()["cases"] if c["hook"] == hook]
