"""The `kling-upstream` console script, and what both emulators' scripts share: a clear message
when the emulator extra is not installed."""

from __future__ import annotations

import sys
from collections.abc import Callable

EXTRA_MODULES = frozenset({"starlette", "uvicorn", "httptools", "uvloop", "jwt"})


def run_with_extra(script: str, load: Callable[[], Callable[[], None]]) -> None:
    """Run the console script that `load` imports, or say which extra it needs."""
    try:
        run = load()
    except ModuleNotFoundError as exc:
        if exc.name not in EXTRA_MODULES:
            raise
        sys.exit(
            f"{script} needs the emulator extra ({exc.name} is missing): "
            "pip install 'kling-gateway[emulator]'"
        )
    run()


def _load() -> Callable[[], None]:
    from .__main__ import main

    return main


def main() -> None:
    run_with_extra("kling-upstream", _load)
