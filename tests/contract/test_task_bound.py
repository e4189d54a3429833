"""A live run that may create tasks has a bound it states before its first submit (20 unless
told otherwise), keeps it, and reports what it created, counted by the gateway itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kling_contract.cli import DEFAULT_MAX_TASKS, main
from kling_emulator.config import EmulatorConfig, Lifecycle
from kling_emulator.server import EmulatorServer

from ..conftest import TOKEN_1


@pytest.mark.e2e
def test_allow_create_without_max_tasks_stops_at_the_default_bound_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = EmulatorConfig(lifecycle=Lifecycle.scaled(3.0), seed_tasks=False)
    with EmulatorServer(config) as server:
        code = main(
            [
                "--base-url",
                server.base_url,
                "--allow-create",
                "--reports",
                str(tmp_path),
            ],
            {"KLING_API_TOKEN": TOKEN_1},
        )
        made = len(server.store)
    out = capsys.readouterr().out
    assert code == 0, out[-3000:]
    # The bound comes before the first submit (the task the run makes to check against).
    bound = out.index(f"may create at most {DEFAULT_MAX_TASKS} task(s), each billed")
    assert bound < out.index("contract: created task ")
    assert made == DEFAULT_MAX_TASKS, "the emulator's own count of the tasks created"
    assert re.search(rf"tasks created: {DEFAULT_MAX_TASKS}\b", out)
    replay = out.split("replay: ", 1)[1].splitlines()[0]
    assert f"--max-tasks {DEFAULT_MAX_TASKS - 1}" in replay


def test_a_read_only_run_says_it_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No gateway listens there: the statement comes before anything is asked.
    argv = [
        "--base-url",
        "http://127.0.0.1:9",
        "--task-id",
        "t1",
        "--reports",
        str(tmp_path),
    ]
    main(argv, {"KLING_API_TOKEN": TOKEN_1})
    assert (
        "contract: creates no task (read-only: no --allow-create)"
        in capsys.readouterr().out
    )


def test_an_unbounded_run_is_said_in_so_many_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--base-url",
        "http://127.0.0.1:9",
        "--allow-create",
        "--max-tasks",
        "unlimited",
    ]
    main([*argv, "--reports", str(tmp_path)], {"KLING_API_TOKEN": TOKEN_1})
    out = capsys.readouterr().out
    assert "may create tasks WITHOUT A BOUND (--max-tasks unlimited)" in out
