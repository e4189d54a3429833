"""What every console script of the project shares: a clear message, in one line, when the
extra it needs is not installed."""

from __future__ import annotations

import sys
from collections.abc import Callable


def run_with_extra(
    script: str,
    extra: str,
    modules: frozenset[str],
    load: Callable[[], Callable[[], None]],
) -> None:
    """Run the console script that `load` imports, or say which extra it needs when one of
    that extra's `modules` is missing."""
    try:
        run = load()
    except ModuleNotFoundError as exc:
        if exc.name not in modules:
            raise
        sys.exit(
            f"{script} needs the {extra} extra ({exc.name} is missing): "
            f"pip install 'kling-gateway[{extra}]'"
        )
    run()


# What the emulator extra brings: the servers and Kling's tokens.
EMULATOR_MODULES = frozenset({"starlette", "uvicorn", "httptools", "uvloop", "jwt"})
