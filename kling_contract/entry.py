"""The `kling-contract` console script: a clear message when its extra is not installed."""

from __future__ import annotations

import sys

EXTRA_MODULES = frozenset({"schemathesis", "yaml", "starlette", "uvicorn", "httptools"})


def main() -> None:
    try:
        from .cli import main as run
    except ModuleNotFoundError as exc:
        if exc.name not in EXTRA_MODULES:
            raise
        sys.exit(
            f"kling-contract needs the contract extra ({exc.name} is missing): "
            "pip install 'kling-gateway[contract]'"
        )
    sys.exit(run())
