"""What every console script of the project shares: a clear message, in one line, when the
extra it needs is not installed."""

from __future__ import annotations

import sys
from collections.abc import Callable

from .exit_codes import ExitCode

# The project's own packages: a missing one is a broken install, not a missing extra.
PROJECT_PACKAGES = frozenset(
    {
        "kling_gateway",
        "kling_gateway_api",
        "kling_common",
        "kling_emulator",
        "kling_upstream",
        "kling_contract",
    }
)


def run_with_extra(
    script: str,
    extra: str,
    modules: frozenset[str],
    load: Callable[[], Callable[[], None]],
) -> None:
    """Run the console script that `load` imports, or say which extra it needs when a
    module it imports is missing: one of that extra's `modules`, or any other that is not
    the project's own (an extra's own dependency, such as click, may be missing too).
    Exits 2, a usage error of the shared table: nothing was sent."""
    try:
        run = load()
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if not missing or (missing not in modules and missing in PROJECT_PACKAGES):
            raise
        print(
            f"{script} needs the {extra} extra ({missing} is missing): "
            f"pip install 'kling-gateway[{extra}]'",
            file=sys.stderr,
        )
        sys.exit(ExitCode.USAGE)
    run()


# What the emulator extra brings: the servers and Kling's tokens.
EMULATOR_MODULES = frozenset(
    {"starlette", "uvicorn", "httptools", "uvloop", "jwt", "click"}
)
