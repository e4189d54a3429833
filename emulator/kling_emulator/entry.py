"""The `kling-emulator` console script: a clear message when its extra is not installed."""

from __future__ import annotations

import sys

EXTRA_MODULES = frozenset({"starlette", "uvicorn", "httptools", "uvloop"})


def main() -> None:
    try:
        from .__main__ import main as run
    except ModuleNotFoundError as exc:
        if exc.name not in EXTRA_MODULES:
            raise
        sys.exit(
            f"kling-emulator needs the emulator extra ({exc.name} is missing): "
            "pip install 'kling-gateway[emulator]'"
        )
    run()
