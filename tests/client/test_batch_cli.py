"""`kling batch`: refusals before anything is sent, exit codes, the summary."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kling_emulator.server import EmulatorServer
from kling_gateway import _batch_cli, cli
from kling_gateway._journal import Journal

from ..conftest import use_gateway

JOB = {"model": "kling-v1", "image": "https://example.com/cat.png", "prompt": "a cat"}


@pytest.fixture
def env(
    gateway: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> EmulatorServer:
    use_gateway(gateway, monkeypatch, tmp_path)
    return gateway


def sent(server: EmulatorServer) -> int:
    count: int = httpx.get(f"{server.base_url}/emulator/submits").json()["count"]
    return count


def write(lines: list[str]) -> Path:
    path = Path("jobs.jsonl")
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli.main, ["batch", "jobs.jsonl", "--journal", "b.db", "-o", "out", *args]
    )
    return result.exit_code, result.output


def test_the_exit_codes_are_the_cli_table() -> None:
    assert _batch_cli.EXIT_ALL_SUCCEEDED == cli.EXIT_OK
    assert _batch_cli.EXIT_SOME_FAILED == cli.EXIT_TASK_FAILED
    assert _batch_cli.EXIT_NOTHING_RAN == cli.EXIT_USAGE
    assert _batch_cli.EXIT_INTERRUPTED == cli.EXIT_INTERRUPTED


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        ("{not json", "line 3: not JSON"),
        ('["a list"]', "line 3: a job is a JSON object"),
        (json.dumps({**JOB, "promt": "x"}), "line 3: unknown submit field 'promt'"),
        (
            json.dumps({**JOB, "image": "missing.png"}),
            "line 3: image 'missing.png' is not a file",
        ),
        (json.dumps({**JOB, "route": "nowhere"}), "line 3: route 'nowhere'"),
    ],
)
def test_a_bad_line_is_refused_with_its_number_before_anything_is_sent(
    env: EmulatorServer, bad: str, said: str
) -> None:
    before = sent(env)
    write([json.dumps(JOB), "", bad])
    code, output = run()
    assert code == 2 and said in output, output
    assert sent(env) == before


def test_a_batch_saves_every_video_and_exits_0_then_1_when_a_job_failed(
    env: EmulatorServer,
) -> None:
    before = sent(env)
    write([json.dumps({**JOB, "prompt": f"shot {n}"}) for n in range(3)])
    code, output = run()
    assert code == 0, output
    assert len(list(Path("out").glob("*.mp4"))) == 3 and sent(env) == before + 3
    assert "saved 3" in output and "job 1 (line 1): saved" in output
    code, output = run("--json")
    summary = json.loads(output.splitlines()[-1])
    assert code == 0 and summary["counts"]["saved"] == 3 and sent(env) == before + 3
    write([json.dumps({**JOB, "prompt": "x [fail]"})])
    code, output = (
        CliRunner()
        .invoke(cli.main, ["batch", "jobs.jsonl", "--journal", "c.db", "-o", "out"])
        .exit_code,
        "",
    )
    assert code == 1


def test_changed_jobs_a_journal_in_use_and_a_bound_are_refused(
    env: EmulatorServer,
) -> None:
    write([json.dumps(JOB)])
    assert run()[0] == 0
    before = sent(env)
    write([json.dumps({**JOB, "prompt": "another"})])
    code, output = run()
    assert code == 2 and "the jobs changed" in output
    write([json.dumps(JOB)])
    from kling_gateway._batch import job_digest

    held = Journal.open("b.db", [job_digest(JOB)], [None])
    try:
        code, output = run()
    finally:
        held.close()
    assert code == 2 and "in use by another process" in output
    write([json.dumps({**JOB, "prompt": f"{n}"}) for n in range(3)])
    code, output = (
        CliRunner()
        .invoke(
            cli.main,
            [
                "batch",
                "jobs.jsonl",
                "--journal",
                "d.db",
                "-o",
                "out",
                "--max-tasks",
                "2",
            ],
        )
        .exit_code,
        "",
    )
    assert code == 2
    assert sent(env) == before


def test_an_unanswered_submit_is_listed_with_its_external_task_id(
    env: EmulatorServer,
) -> None:
    write([json.dumps(JOB), json.dumps({**JOB, "prompt": "second"})])
    from kling_gateway._batch import job_digest

    journal = Journal.open(
        "b.db", [job_digest(JOB), job_digest({**JOB, "prompt": "second"})], [None] * 2
    )
    external = journal.rows[0].external_task_id
    journal.record_sending(0)  # killed while its submit was on its way
    journal.close()
    before = sent(env)
    code, output = run()
    assert code == 1
    row = next(line for line in output.splitlines() if external in line)
    assert "unanswered" in row
    assert "may have been billed" in output
    assert sent(env) == before + 1
    # Resending may pay twice: only with the flag, and a bound that allows it.
    code, output = run("--resend-unanswered")
    assert code == 2 and "max_tasks=2" in output and sent(env) == before + 1
    result = CliRunner().invoke(
        cli.main,
        ["--json", "batch", "jobs.jsonl", "--journal", "b.db", "-o", "out"]
        + ["--resend-unanswered", "--max-tasks", "3"],
    )
    summary = json.loads(result.output.splitlines()[-1])
    assert result.exit_code == 0 and summary["counts"]["saved"] == 2
    assert sent(env) == before + 2


def test_no_token_is_refused(
    env: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KLING_API_TOKEN")
    write([json.dumps(JOB)])
    code, output = run()
    assert code == 2 and "KLING_API_TOKEN" in output


def test_a_terminal_sees_live_counts() -> None:
    import io

    from rich.console import Console

    from kling_gateway._batch import JobResult

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    first = [
        JobResult(index=n, state="not_sent", external_task_id=f"e{n}") for n in range(3)
    ]
    display = _batch_cli.Display(console, [1, 2, 3], first)
    with display.live():
        display.changed(JobResult(index=0, state="running", external_task_id="e0"))
        display.changed(
            JobResult(index=0, state="saved", external_task_id="e0", path=Path("v.mp4"))
        )
        assert display.tally() == "done 1 · not sent 2 · videos saved 1"
    shown = screen.getvalue()
    assert "done 1 · not sent 2 · videos saved 1" in shown and "1/3" in shown
    assert "job 1 (line 1)" not in shown  # no plain lines on a terminal


def test_a_second_process_on_the_journal_is_refused(env: EmulatorServer) -> None:
    import os
    import subprocess
    import sys

    from kling_gateway._batch import job_digest

    write([json.dumps(JOB)])
    held = Journal.open("b.db", [job_digest(JOB)], [None])
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from kling_gateway.cli import main; main()"]
            + ["batch", "jobs.jsonl", "--journal", "b.db", "-o", "out"],
            env=os.environ,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        held.close()
    assert done.returncode == 2
    assert "is in use by another process" in done.stderr


@pytest.mark.parametrize("deadline", ["0", "-5", "nan", "inf"])
def test_a_deadline_that_cannot_be_waited_is_refused_before_a_journal_is_made(
    env: EmulatorServer, deadline: str
) -> None:
    write([json.dumps(JOB)])
    before = sent(env)
    code, output = run("--deadline", deadline)
    assert code == _batch_cli.EXIT_NOTHING_RAN
    assert "--deadline must be a positive number of seconds" in output
    assert not Path("b.db").exists() and sent(env) == before
