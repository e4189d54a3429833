"""The `kling-upstream` console script: a clear message when its extra is not installed."""

from __future__ import annotations

from collections.abc import Callable

from kling_common.launcher import EMULATOR_MODULES, run_with_extra


def _load() -> Callable[[], None]:
    from .__main__ import main

    return main


def main() -> None:
    run_with_extra("kling-upstream", "emulator", EMULATOR_MODULES, _load)
