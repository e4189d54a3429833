"""A live run allowed to create tasks and given none creates the one it checks against, says
which, and names it in its replay line; without --allow-create it creates nothing."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kling_contract.cli import main
from kling_contract.target import (
    Target,
    TargetError,
    probe_image,
    with_a_task_of_its_own,
)
from kling_emulator.config import EmulatorConfig
from kling_emulator.server import EmulatorServer

from ..conftest import TOKEN_1


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig()) as running:
        yield running


def live(server: EmulatorServer, **kwargs: object) -> Target:
    return Target.live(server.base_url, TOKEN_1, (), **kwargs)  # type: ignore[arg-type]


def test_a_run_given_no_task_creates_one_and_counts_it(server: EmulatorServer) -> None:
    before = len(server.store)
    target = with_a_task_of_its_own(live(server, allow_create=True, max_tasks=3))
    assert len(server.store) == before + 1
    assert target.task_ids == (target.own_task,) and target.own_task.startswith("task_")
    assert target.max_tasks == 2, "the task it made takes a place of --max-tasks"
    task = server.store.find(target.own_task)
    assert task is not None and task.kling_request["image"] == probe_image()
    png = base64.b64decode(probe_image())
    assert png.startswith(b"\x89PNG") and png[16:24] == bytes.fromhex(
        "0000014000000140"
    )


def test_a_run_never_creates_a_task_unasked_or_beyond_its_bound(
    server: EmulatorServer,
) -> None:
    before = len(server.store)
    with pytest.raises(TargetError, match="kling submit"):
        live(server)  # no --allow-create: no task of its own
    with pytest.raises(TargetError, match="--max-tasks 0 leaves no task"):
        with_a_task_of_its_own(live(server, allow_create=True, max_tasks=0))
    given = Target.live(server.base_url, TOKEN_1, ("task_given",), allow_create=True)
    assert with_a_task_of_its_own(given) is given
    assert len(server.store) == before


@pytest.mark.e2e
def test_the_run_says_which_task_it_made_and_its_replay_reuses_it(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--base-url", server.base_url, "--allow-create", "--max-tasks", "2"]
    argv += ["--max-examples", "1", "--reports", str(tmp_path)]
    code = main(argv, env={"KLING_API_TOKEN": TOKEN_1})
    printed = capsys.readouterr().out
    made = re.search(r"contract: created task (\S+) to check against", printed)
    assert made is not None, printed[-2000:]
    assert code == 0, printed[-3000:]
    # Its own running task shows no conditional field; none of them may read as drift.
    assert "drift: 0 item(s)" in printed, printed[-2000:]
    replay = printed.split("replay: ", 1)[1].splitlines()[0]
    assert f"--task-id {made.group(1)}" in replay and "--max-tasks 1" in replay
