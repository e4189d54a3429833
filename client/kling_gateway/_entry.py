"""The `kling` console script: a clear message, in one line, when the cli extra is not
installed (the library itself needs neither click nor rich)."""

from __future__ import annotations

from collections.abc import Callable

from kling_common.launcher import run_with_extra

CLI_MODULES = frozenset({"click", "rich"})


def _load() -> Callable[[], None]:
    from .cli import main

    return main


def main() -> None:
    run_with_extra("kling", "cli", CLI_MODULES, _load)
