"""The `kling-contract` console script: a clear message when its extra is not installed."""

from __future__ import annotations

import sys
from collections.abc import Callable

from kling_common.launcher import EMULATOR_MODULES, run_with_extra

# What the contract extra brings, the embedded emulator's included.
CONTRACT_MODULES = EMULATOR_MODULES | {"schemathesis", "yaml", "tomli_w"}


def _load() -> Callable[[], None]:
    from .cli import main

    return lambda: sys.exit(main())


def main() -> None:
    run_with_extra("kling-contract", "contract", CONTRACT_MODULES, _load)


def _load_compare() -> Callable[[], None]:
    from .compare import main as compare

    return compare


def compare() -> None:
    """The `kling-compare` console script, with the same message for a missing extra."""
    run_with_extra("kling-compare", "contract", CONTRACT_MODULES, _load_compare)
