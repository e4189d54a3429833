"""One table of exit codes for `kling`, `kling-contract` and `kling-compare`, so that a
script reads the same number the same way whichever of them it ran.

1 is each tool's "no" to the question it was asked (the task failed; the gateway breaks
the contract; the gateways differ); every other code means the same thing in every tool.
The codes from 2 on say why there is no answer, in the order a user fixes things: the
command line, the network, the token, the task.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NO = 1
    USAGE = 2
    GATEWAY = 3
    TIMEOUT = 4
    TOKEN = 5
    TASK_NOT_FOUND = 6
    NOT_READY = 7
    INTERRUPTED = 130  # 128 + SIGINT, as shells report it


# Keyed by int as well: a tool's exit code is a plain int.
MEANING: dict[int, str] = {
    ExitCode.OK: "success",
    ExitCode.NO: "no: the task failed (kling), a contract failure (kling-contract), "
    "differences (kling-compare)",
    ExitCode.USAGE: "usage or configuration error: nothing was sent",
    ExitCode.GATEWAY: "gateway or network error (no answer, 5xx, malformed): try later",
    ExitCode.TIMEOUT: "timed out waiting: the task goes on at the gateway",
    ExitCode.TOKEN: "the token was refused (401) or may not do this (403)",
    ExitCode.TASK_NOT_FOUND: "no such task for this token: unknown, or another user's",
    ExitCode.NOT_READY: "the task is not finished yet: nothing to download",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C): a task already submitted goes on",
}


def table(no: str | None = None) -> str:
    """The table as lines `code  meaning`; `no` replaces the meaning of 1 with a tool's own."""
    lines = []
    for code, meaning in MEANING.items():
        if code == ExitCode.NO and no is not None:
            meaning = no
        lines.append(f"{int(code):>3}  {meaning}")
    return "\n".join(lines)
