"""`kling batch JOBS --journal FILE -o DIR`: many videos from a JSON Lines file of jobs, over a
journal that lets a rerun go on where a crash or Ctrl-C stopped it (see _batch.py).

Ctrl-C stops new submits, lets the submits on their way get their answers recorded, then
stops (exit 130); a second Ctrl-C stops at once. The run is shown live on a terminal, as
plain lines otherwise (stderr), and ends with a summary (stdout).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

import anyio
import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from . import errors
from ._batch import (
    BatchControl,
    BatchOutcome,
    JobResult,
    checked_job,
    checked_options,
    counts,
    job_digest,
    run_batch,
)
from ._client import AsyncKlingClient
from ._images import IMAGE_FIELDS
from ._journal import Journal, JournalError
from ._settings import ENV_BASE_URL, ENV_TOKEN

# The batch's exit codes, on the `kling` CLI's table (0 success, 1 a task failed, 2 usage or
# configuration error, 130 interrupted).
EXIT_ALL_SUCCEEDED = 0  # every job's video saved
EXIT_SOME_FAILED = 1  # some job failed, was refused, is unanswered or still running
EXIT_NOTHING_RAN = 2  # refused before anything was sent: bad jobs, journal, options
EXIT_INTERRUPTED = 130  # Ctrl-C: run it again to go on
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
LABELS = {
    "saved": "done",
    "succeeded": "done",
    "running": "running",
    "failed": "failed",
    "refused": "failed",
    "unanswered": "unanswered",
    "not_sent": "not sent",
}


def _fail(err: Console, as_json: bool, message: str) -> NoReturn:
    if as_json:
        click.echo(json.dumps({"error": message, "exit_code": EXIT_NOTHING_RAN}))
    else:
        err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(EXIT_NOTHING_RAN)


def _local_image(value: object, folder: Path) -> object:
    """An image naming a local file (relative to the jobs file's folder), as a Path."""
    if not isinstance(value, str) or "://" in value or len(value) > 4096:
        return value
    path = folder / Path(value).expanduser()
    if path.is_file():
        return path
    if value.lower().endswith(IMAGE_SUFFIXES):
        raise errors.InvalidRequestError(
            f"image {value!r} is not a file (relative to the jobs file's folder)"
        )
    return value


def read_jobs(path: Path) -> tuple[list[dict[str, Any]], list[str], list[int]]:
    """The jobs of a JSON Lines file, their digests (of each line's object) and line
    numbers; InvalidRequestError names the first bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise errors.InvalidRequestError(f"cannot read {path}: {exc}") from None
    jobs, digests, lines = [], [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise errors.InvalidRequestError(f"not JSON: {exc.msg}") from None
            if not isinstance(raw, dict):
                raise errors.InvalidRequestError("a job is a JSON object")
            job = dict(raw)
            for name in IMAGE_FIELDS:
                if name in job:
                    job[name] = _local_image(job[name], path.parent)
            checked_job(job)
        except errors.InvalidRequestError as exc:
            raise errors.InvalidRequestError(f"{path}: line {number}: {exc}") from None
        jobs.append(job)
        digests.append(job_digest(raw))
        lines.append(number)
    if not jobs:
        raise errors.InvalidRequestError(f"{path} has no jobs")
    return jobs, digests, lines


class Display:
    """The run as it goes: a live line of counts on a terminal, plain lines otherwise."""

    def __init__(self, err: Console, lines: list[int], first: list[JobResult]) -> None:
        self.err, self.lines = err, lines
        self.states = {result.index: result for result in first}
        self.started = time.monotonic()
        self.progress: Progress | None = None

    def tally(self) -> str:
        found = counts(list(self.states.values()))
        by_label: dict[str, int] = {}
        for state, count in found.items():
            by_label[LABELS[state]] = by_label.get(LABELS[state], 0) + count
        parts = [f"{label} {count}" for label, count in by_label.items() if count]
        return " · ".join(parts) + f" · videos saved {found['saved']}"

    @contextmanager
    def live(self) -> Iterator[Display]:
        if not self.err.is_terminal:
            yield self
            return
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.err, transient=True) as progress:
            self.progress = progress
            self._bar = progress.add_task(self.tally(), total=len(self.lines))
            self._refresh()
            yield self
        self.progress = None

    def _refresh(self) -> None:
        assert self.progress is not None
        finished = sum(
            LABELS[r.state] in ("done", "failed", "unanswered")
            for r in self.states.values()
        )
        self.progress.update(self._bar, completed=finished, description=self.tally())

    def changed(self, result: JobResult) -> None:
        self.states[result.index] = result
        if self.progress is not None:
            self._refresh()
            return
        click.echo(f"{_job_name(result, self.lines)}: {_said(result)}", err=True)

    def note(self, text: str) -> None:
        self.err.print(text, markup=False, highlight=False)

    def elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.0f} s"


def _job_name(result: JobResult, lines: list[int]) -> str:
    return f"job {result.index + 1} (line {lines[result.index]})"


def _said(result: JobResult) -> str:
    match result.state:
        case "running":
            return f"submitted, task {result.task_id} ({result.external_task_id})"
        case "saved":
            return f"saved {result.path}"
        case "succeeded":
            return f"succeeded, task {result.task_id}" + (
                f"; {result.reason}" if result.reason else ""
            )
        case "unanswered":
            return (
                f"UNANSWERED: it may have been billed; not sent again "
                f"(external_task_id {result.external_task_id}): {result.reason}"
            )
        case _:
            return f"{result.state}: {result.reason}"


def _summary(
    results: list[JobResult],
    lines: list[int],
    display: Display,
    as_json: bool,
    code: int,
) -> None:
    found = counts(results)
    if as_json:
        jobs = [
            {
                "line": lines[r.index],
                "state": r.state,
                "task_id": r.task_id,
                "external_task_id": r.external_task_id,
                "status": r.status,
                "reason": r.reason,
                "path": None if r.path is None else str(r.path),
            }
            for r in results
        ]
        click.echo(json.dumps({"counts": found, "jobs": jobs, "exit_code": code}))
        return
    out = Console(soft_wrap=True)
    if not out.is_terminal:
        out.width = 200  # ids whole, for a log or a pipe
    table = Table(title=f"batch: {len(results)} jobs, {display.elapsed()}")
    for column in ("line", "state", "task", "external_task_id"):
        table.add_column(column, no_wrap=True)
    table.add_column("reason / file", overflow="fold")
    for r in results:
        if r.state == "saved" and len(results) > 20:
            continue  # a long batch lists what needs a look; the counts say the rest
        table.add_row(
            str(lines[r.index]),
            r.state,
            r.task_id or "-",
            r.external_task_id,
            str(r.path) if r.state == "saved" else (r.reason or ""),
        )
    out.print(table, markup=False, highlight=False)
    out.print(
        " · ".join(f"{state.replace('_', ' ')} {n}" for state, n in found.items()),
        markup=False,
        highlight=False,
    )
    unanswered = [r for r in results if r.state == "unanswered"]
    if unanswered:
        out.print(
            f"{len(unanswered)} submit(s) got no answer and may have been billed: look "
            "them up by external_task_id; --resend-unanswered sends them again (with "
            "the same external_task_id, and a --max-tasks that allows it)",
            markup=False,
            highlight=False,
        )


def _exit_code(results: list[JobResult]) -> int:
    if all(r.state == "saved" for r in results):
        return EXIT_ALL_SUCCEEDED
    return EXIT_SOME_FAILED


async def _run(
    client: AsyncKlingClient,
    jobs: list[dict[str, Any]],
    digests: list[str],
    options: dict[str, Any],
    display: Display,
    control: BatchControl,
) -> BatchOutcome | None:
    """The batch, with Ctrl-C stopping it gracefully; None when it was cut short."""
    outcome: BatchOutcome | None = None
    failure: BaseException | None = None

    async def batch(scope: anyio.CancelScope) -> None:
        nonlocal outcome, failure
        flow = run_batch(
            client._core,
            jobs,
            digests=digests,
            on_job=display.changed,
            control=control,
            **options,
        )
        try:
            outcome = await client._run(flow)
        except errors.KlingError as exc:
            failure = exc  # raised as it is, not inside the task group's ExceptionGroup
        scope.cancel()

    async def interrupts(scope: anyio.CancelScope) -> None:
        try:
            receiver = anyio.open_signal_receiver(signal.SIGINT)
        except (NotImplementedError, ValueError, RuntimeError):
            # Windows, or not the main thread: Ctrl-C stays a KeyboardInterrupt there.
            return
        with receiver as signals:
            async for _ in signals:
                if control.stopped is not None:
                    break  # the second Ctrl-C: at once
                control.stop("interrupted")
                display.note(
                    f"stopping: no new submits; waiting for the {control.in_flight} "
                    "on their way to be answered (Ctrl-C again to stop at once)"
                )
                break
            while control.in_flight > 0:
                with anyio.move_on_after(0.05):
                    async for _ in signals:
                        scope.cancel()
                        return
        scope.cancel()

    async with anyio.create_task_group() as group:
        group.start_soon(batch, group.cancel_scope)
        group.start_soon(interrupts, group.cancel_scope)
    if failure is not None:
        raise failure
    return outcome


@click.command()
@click.argument(
    "jobs_file", metavar="JOBS", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--journal",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The batch's state, on local disk (created on the first run; keep it to resume).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the videos (<task_id>.mp4).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Requests in flight at most (default: the connection pool's size, 20).",
)
@click.option(
    "--deadline",
    type=float,
    default=None,
    help="Seconds this run waits in all; the tasks go on, a rerun picks them up.",
)
@click.option(
    "--max-tasks",
    type=click.IntRange(min=1),
    default=None,
    help="Submits in all, over every run of the journal (default: the number of jobs).",
)
@click.option(
    "--resend-unanswered",
    is_flag=True,
    help="Send again the submits that got no answer (they may have been billed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def batch(
    obj: Any,
    jobs_file: Path,
    journal: Path,
    output: Path,
    concurrency: int | None,
    deadline: float | None,
    max_tasks: int | None,
    resend_unanswered: bool,
    as_json: bool,
) -> None:
    """Submit every job of JOBS (JSON Lines: one object of submit fields a line; each costs
    money), wait for the tasks and save the videos, keeping the state in --journal. Run
    the same command again after a crash or Ctrl-C: it goes on where it stopped and never
    sends a job twice. Exit codes: 0 all saved, 1 some failed or were not finished, 2
    nothing could run, 130 interrupted."""
    as_json = as_json or bool(getattr(obj, "as_json", False))
    err = Console(stderr=True)
    try:
        # The library's own checks, before any journal is made.
        checked_options(concurrency, deadline, max_tasks)
    except errors.InvalidRequestError as exc:
        _fail(err, as_json, f"--{exc}")
    base_url = getattr(obj, "base_url", None)
    if not (base_url or os.environ.get(ENV_BASE_URL, "").strip()):
        _fail(err, as_json, f"no gateway URL: pass --base-url or set {ENV_BASE_URL}")
    if not os.environ.get(ENV_TOKEN, "").strip():
        _fail(err, as_json, f"no API token: set {ENV_TOKEN} (never from an option)")
    try:
        jobs, digests, lines = read_jobs(jobs_file)
        # Checked (and made) before any client exists: a refusal sends nothing.
        held = Journal.open(
            journal, digests, [job.get("external_task_id") for job in jobs]
        )
        first = [JobResult.of(row) for row in held.rows]
        held.close()
        client = AsyncKlingClient(
            base_url, timeout=getattr(obj, "request_timeout", None)
        )
    except errors.KlingError as exc:
        _fail(err, as_json, str(exc))
    options = {
        "journal": journal,
        "save_to": output,
        "concurrency": concurrency,
        "deadline": deadline,
        "max_tasks": max_tasks,
        "resend_unanswered": resend_unanswered,
    }
    display = Display(err, lines, first)
    control = BatchControl()

    async def main() -> BatchOutcome | None:
        async with client:
            with display.live():
                return await _run(client, jobs, digests, options, display, control)

    try:
        outcome = anyio.run(main)
    except errors.KlingError as exc:  # refused before sending: the bound, a journal
        _fail(err, as_json, str(exc))
    except KeyboardInterrupt:
        control.stop("interrupted")
        outcome = None
    results = _final(outcome, journal, digests, jobs, display)
    code = _exit_code(results)
    if control.journal_error is not None:
        display.note(
            f"error: {control.stopped}; the batch stopped before its next submit"
        )
        code = EXIT_NOTHING_RAN if outcome is not None and outcome.sent == 0 else code
    if control.stopped == "interrupted":
        code = EXIT_INTERRUPTED
    _summary(results, lines, display, as_json, code)
    sys.exit(code)


def _final(
    outcome: BatchOutcome | None,
    journal: Path,
    digests: list[str],
    jobs: list[dict[str, Any]],
    display: Display,
) -> list[JobResult]:
    """Each job's state at the end: the run's own, or the journal's when it was cut short."""
    if outcome is not None:
        return outcome.results
    with suppress(JournalError):
        held = Journal.open(
            journal, digests, [job.get("external_task_id") for job in jobs]
        )
        try:
            return [JobResult.of(row) for row in held.rows]
        finally:
            held.close()
    return sorted(display.states.values(), key=lambda r: r.index)
