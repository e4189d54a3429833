"""Batches that survive a crash and never pay twice: `client.batch(jobs, journal=...)`.

Each job is a submit's fields. Its state lives in a journal (_journal.py): the intent of a
submit is committed at the last moment before it is sent (a Send's `before`, once the
request holds its place among those in flight), its task id as soon as the answer arrives,
then its final status and saved video. Running the same jobs on the same journal again goes
on from there: what was never sent is sent, what runs is waited for, what finished is
saved, what is done is skipped. A submit that was sent without an answer may have created
(and billed) a task: it is never sent again unless asked (`resend_unanswered=True`).

The batch is one flow of the client's core: every job is a flow of its own (submit, wait,
download), run side by side by `Gather` as `wait_many`'s waits are, polled in step with
the gateway's refresh passes, with at most `concurrency` requests in flight.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

import attrs

from . import errors
from ._core import ClientCore
from ._flows import Action, Flow, Gather, Send
from ._images import IMAGE_FIELDS
from ._journal import (
    FAILED,
    MAY_HAVE_CREATED,
    NEW,
    REFUSED,
    SAVED,
    SENDING,
    SUBMITTED,
    SUCCEEDED,
    UNANSWERED,
    JobRow,
    Journal,
    JournalError,
)
from ._logs import logger
from ._policies import ProgressCallback, RetryPolicy
from ._routes import Route
from ._submit_fields import KNOWN_FIELDS, checked_fields
from ._tasks import status_of

T = TypeVar("T")
JobState = Literal[
    "saved", "succeeded", "failed", "refused", "unanswered", "running", "not_sent"
]
_STATES: dict[str, JobState] = {
    NEW: "not_sent",
    SENDING: "unanswered",
    UNANSWERED: "unanswered",
    REFUSED: "refused",
    SUBMITTED: "running",
    SUCCEEDED: "succeeded",
    FAILED: "failed",
    SAVED: "saved",
}
SUBMIT_ROUTES = ("image2video", "text2video", "generations", "videos")
# A job's keys: the submit's own fields, and the route it is submitted on.
JOB_KEYS = KNOWN_FIELDS | {"route"}
# Stands in for a local image while a job is checked (its file is read only when sent).
_CHECKED_IMAGE = "https://example.invalid/image.png"


@attrs.frozen
class JobResult:
    """One job of a batch, as the journal has it after this run.

    `state`: `saved` (succeeded, video saved), `succeeded` (not saved: no `save_to`, or the
    download failed; a rerun saves it), `failed` (the task failed: `reason`), `refused` (the
    gateway refused the submit: nothing was created; a rerun sends it again), `unanswered`
    (sent, no answer: it may have been billed; look it up by `external_task_id`),
    `running` (submitted, not final when this run ended), `not_sent`."""

    index: int
    state: JobState
    external_task_id: str
    task_id: str | None = None
    status: str | None = None
    reason: str | None = None
    path: Path | None = None

    @classmethod
    def of(cls, row: JobRow) -> JobResult:
        return cls(
            index=row.position,
            state=_STATES[row.state],
            external_task_id=row.external_task_id,
            task_id=row.task_id,
            status=row.status,
            reason=row.reason,
            path=Path(row.path) if row.path else None,
        )


JobCallback = Callable[[JobResult], object]


# Checking jobs before anything is sent


def _plain(value: object) -> object:
    """A job's non-JSON values, as its digest sees them."""
    if isinstance(value, os.PathLike):
        return {"path": os.fspath(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    raise TypeError(
        f"a job's values are JSON, paths or bytes, not {type(value).__name__}"
    )


def job_digest(job: Mapping[str, Any]) -> str:
    """What identifies a job in its journal, with its position: its fields, in any order."""
    text = json.dumps(
        job, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )
    return hashlib.sha256(text.encode()).hexdigest()


def checked_job(job: object) -> dict[str, Any]:
    """The job as a submit's fields and route, checked as a submit checks them (nothing is
    read or sent); InvalidRequestError says what is wrong."""
    from ._core import _submit_body  # the submit's own checks, shared
    from ._routes import SUBMITS, route_entry

    if not isinstance(job, Mapping):
        raise errors.InvalidRequestError(
            f"a job is an object of submit fields, not {type(job).__name__}"
        )
    fields = dict(job)
    route = fields.pop("route", "image2video")
    if route not in SUBMIT_ROUTES:
        raise errors.InvalidRequestError(
            f"route {route!r} is not one of {', '.join(SUBMIT_ROUTES)}"
        )
    checked_fields(fields)
    for name in IMAGE_FIELDS:
        value = fields.get(name)
        if isinstance(value, os.PathLike):
            if not Path(value).is_file():
                raise errors.InvalidRequestError(
                    f"{name} {os.fspath(value)!r} is not a file"
                )
            fields[name] = _CHECKED_IMAGE
    try:
        job_digest(job)
    except TypeError as exc:
        raise errors.InvalidRequestError(str(exc)) from None
    model, _ = route_entry(SUBMITS, route)
    _submit_body(route, model, None, fields, None)
    return {**job, "route": route}


def checked_jobs(jobs: Sequence[object]) -> list[dict[str, Any]]:
    checked = []
    for number, job in enumerate(jobs, 1):
        try:
            checked.append(checked_job(job))
        except errors.InvalidRequestError as exc:
            raise errors.InvalidRequestError(f"job {number}: {exc}") from None
    return checked


# What the gateway's answer to a submit says about money


def may_have_created(exc: errors.KlingError) -> bool:
    """Whether a submit that ended in this error may have created (and billed) a task. Only
    a clear refusal says no: a 4xx, a 503 (no channel), a connection that never reached
    the server. No answer, an unreadable one, or a 500/502/504 (which can come after the
    gateway forwarded the submit) may hide a task."""
    if isinstance(exc, errors.APIConnectionError):
        return exc.request_sent
    if isinstance(exc, errors.APIStatusError):
        return exc.status_code >= 500 and exc.status_code != 503
    # Refused before sending; anything else may hide a task.
    return not isinstance(exc, errors.InvalidRequestError | errors.ConfigurationError)


@attrs.frozen
class _SubmitOnce(RetryPolicy):
    """The client's retry policy for a batch's submits: a retry only where the submit
    cannot have reached the gateway (a failed connect, a 429), whatever its
    external_task_id, so that a job never has two tasks it does not know about."""

    def should_retry(self, exc: BaseException, idempotent: bool) -> bool:
        return super().should_retry(exc, False)


class _Withheld(Exception):
    """A submit not sent: the batch stopped, or its deadline or bound was reached."""


class _Stopped(Exception):
    """The batch stopped: a wait or a download ends where it stands."""


def _relayed(flow: Flow[T], change: Callable[[Action], Action]) -> Flow[T]:
    """`flow`'s actions, each through `change` (which may raise to end the flow); errors
    raised at an action go back into `flow`."""
    try:
        action = flow.send(None)
        while True:
            action = change(action)
            try:
                outcome = yield action
            except Exception as exc:  # noqa: BLE001 (any error raised here is the flow's)
                action = flow.throw(exc)
            else:
                action = flow.send(outcome)
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        flow.close()


@attrs.define
class BatchControl:
    """What the jobs of one run share: whether to stop (and why), the submits in flight."""

    stopped: str | None = None
    journal_error: JournalError | None = None
    in_flight: int = 0

    def stop(self, why: str) -> None:
        if self.stopped is None:
            self.stopped = why


@attrs.define
class BatchOutcome:
    results: list[JobResult]
    control: BatchControl
    sent: int  # submits sent in this run


class _Run:
    """One run of a batch over its journal: the flow of each job."""

    def __init__(
        self,
        core: ClientCore,
        journal: Journal,
        *,
        save_to: Path | None,
        deadline: float | None,
        bound: int,
        resend_unanswered: bool,
        on_progress: ProgressCallback | None,
        on_job: JobCallback | None,
        control: BatchControl,
    ) -> None:
        self.core = core
        # Submits go through a copy of the core whose retries can never make a second task.
        settings = attrs.evolve(
            core.settings, retry=_SubmitOnce(**attrs.asdict(core.settings.retry))
        )
        self.submitter = ClientCore(
            settings, clock=core.clock, gateway_clock=core.gateway_clock
        )
        self.journal = journal
        self.save_to = save_to
        self.deadline_at = None if deadline is None else core.clock() + deadline
        self.bound = bound
        self.spent = sum(row.state in MAY_HAVE_CREATED for row in journal.rows)
        self.resend_unanswered = resend_unanswered
        self.on_progress = on_progress
        self.on_job = on_job
        self.control = control
        self.sent = 0

    def to_send(self, row: JobRow) -> bool:
        return row.state in (NEW, REFUSED) or (
            row.state == UNANSWERED and self.resend_unanswered
        )

    def _record(self, change: Callable[[], JobRow], fallback: JobRow) -> JobRow:
        """A journal change, told to on_job; when the journal fails, the batch stops and the
        change is kept in memory only (for this run's summary)."""
        try:
            row = change()
        except JournalError as exc:
            self._journal_failed(exc)
            row = fallback
        if self.on_job is not None:
            self.on_job(JobResult.of(row))
        return row

    def _journal_failed(self, exc: JournalError) -> None:
        self.control.journal_error = self.control.journal_error or exc
        self.control.stop(f"the journal could not be written: {exc}")

    def _unstoppable(self, action: Action) -> Action:
        if self.control.stopped is not None:
            raise _Stopped
        return action

    def job(self, index: int, job: Mapping[str, Any]) -> Flow[JobResult]:
        row = self.journal.rows[index]
        route: Route = job["route"]
        if self.to_send(row):
            row = yield from self._submit(index, job, route)
        if row.state == SUBMITTED:
            row = yield from self._wait(row, route)
        if row.state == SUCCEEDED and self.save_to is not None:
            row = yield from self._save(row, route)
        return JobResult.of(row)

    def _submit(self, index: int, job: Mapping[str, Any], route: Route) -> Flow[JobRow]:
        journal, control = self.journal, self.control
        row = journal.rows[index]
        intent: list[JobRow] = []

        def before() -> None:
            """The last moment before the submit goes out (retries of a failed connect or
            a 429 come here again: those never reached Kling)."""
            past_deadline = (
                self.deadline_at is not None and self.core.clock() >= self.deadline_at
            )
            if control.stopped is not None or past_deadline:
                raise _Withheld
            if not intent:
                if self.spent >= self.bound:
                    raise _Withheld  # the preflight makes this unreachable
                intent.append(journal.record_sending(index))  # raises JournalError
                self.spent += 1
                self.sent += 1
                control.in_flight += 1

        fields = {k: v for k, v in job.items() if k != "route"}
        fields["external_task_id"] = row.external_task_id
        flow = self.submitter.submit(fields, route=route)
        try:
            submitted = yield from _relayed(
                flow, lambda action: _announced(action, before)
            )
        except _Withheld:
            if not intent:
                return row
            # An earlier attempt never reached the gateway (a failed connect, a 429).
            control.in_flight -= 1
            return self._record(
                lambda: journal.record_refused(
                    index, "not sent again: the batch stopped"
                ),
                attrs.evolve(row, state=REFUSED),
            )
        except JournalError as exc:
            # The intent could not be recorded: this submit was not sent, and none will be.
            self._journal_failed(exc)
            return row
        except errors.KlingError as exc:
            reason = f"{type(exc).__name__}: {exc}"
            if intent:
                control.in_flight -= 1
            if intent and may_have_created(exc):
                logger.warning(
                    "job %d: its submit got no answer and may have created a task "
                    "(external_task_id %s); it is not sent again",
                    index + 1,
                    row.external_task_id,
                )
                return self._record(
                    lambda: journal.record_unanswered(index, reason),
                    attrs.evolve(row, state=UNANSWERED, reason=reason),
                )
            if isinstance(
                exc, errors.AuthenticationError | errors.PermissionDeniedError
            ):
                # Every other submit would be refused alike.
                control.stop(f"the gateway refused the submit: {exc}")
            return self._record(
                lambda: journal.record_refused(index, reason),
                attrs.evolve(row, state=REFUSED, reason=reason),
            )
        control.in_flight -= 1
        task_id = submitted.parsed.task_id
        logger.info("job %d: submitted task %s", index + 1, task_id)
        done = attrs.evolve(row, state=SUBMITTED, task_id=task_id)
        recorded = self._record(lambda: journal.record_submitted(index, task_id), done)
        if recorded is done:
            # Not in the journal: the id must still reach the user.
            logger.error(
                "job %d: task %s (external_task_id %s) was created but could not be "
                "recorded in the journal",
                index + 1,
                task_id,
                row.external_task_id,
            )
        return recorded

    def _wait(self, row: JobRow, route: Route) -> Flow[JobRow]:
        assert row.task_id is not None
        index, journal = row.position, self.journal
        deadline = None
        if self.deadline_at is not None:
            deadline = self.deadline_at - self.core.clock()
            if deadline <= 0:
                return row
        try:
            task = yield from _relayed(
                self.core.wait(
                    row.task_id,
                    route=route,
                    deadline=deadline,
                    on_progress=self.on_progress,
                ),
                self._unstoppable,
            )
        except _Stopped:
            return row
        except errors.TaskFailedError as exc:
            status, reason = str(status_of(exc.task)), exc.reason or "no reason given"
            return self._record(
                lambda: journal.record_final(index, False, status, reason),
                attrs.evolve(row, state=FAILED, status=status, reason=reason),
            )
        except errors.WaitTimeoutError:
            reason = "still running when the wait's deadline passed"
            return self._record(
                lambda: journal.record_reason(index, reason),
                attrs.evolve(row, reason=reason),
            )
        except errors.KlingError as exc:
            reason = f"waiting stopped: {type(exc).__name__}: {exc}"
            return self._record(
                lambda: journal.record_reason(index, reason),
                attrs.evolve(row, reason=reason),
            )
        status = str(status_of(task))
        return self._record(
            lambda: journal.record_final(index, True, status, None),
            attrs.evolve(row, state=SUCCEEDED, status=status, reason=None),
        )

    def _save(self, row: JobRow, route: Route) -> Flow[JobRow]:
        assert row.task_id is not None and self.save_to is not None
        index, journal = row.position, self.journal
        # What a run killed while downloading left beside the destination.
        for part in self.save_to.glob(f".{row.task_id}.mp4.*.part"):
            part.unlink(missing_ok=True)
        try:
            path = yield from _relayed(
                self.core.download(row.task_id, self.save_to, route=route),
                self._unstoppable,
            )
        except _Stopped:
            return row
        except errors.KlingError as exc:
            reason = f"video not saved: {exc}"
            return self._record(
                lambda: journal.record_reason(index, reason),
                attrs.evolve(row, reason=reason),
            )
        except OSError as exc:
            # The folder cannot take it (disk full, read-only): no video of this batch
            # could be saved, so no more are paid for.
            reason = f"video not saved: {exc}"
            self.control.stop(f"videos cannot be written to {self.save_to}: {exc}")
            return self._record(
                lambda: journal.record_reason(index, reason),
                attrs.evolve(row, reason=reason),
            )
        return self._record(
            lambda: journal.record_saved(index, path),
            attrs.evolve(row, state=SAVED, path=str(path), reason=None),
        )


def _announced(action: Action, before: Callable[[], None]) -> Action:
    return attrs.evolve(action, before=before) if isinstance(action, Send) else action


def checked_options(
    concurrency: int | None, deadline: float | None, max_tasks: int | None
) -> None:
    for name, value in (("concurrency", concurrency), ("max_tasks", max_tasks)):
        if value is not None and not (
            isinstance(value, int) and not isinstance(value, bool) and value >= 1
        ):
            raise errors.InvalidRequestError(
                f"{name} must be at least 1, not {value!r}"
            )
    if deadline is not None and not (
        isinstance(deadline, int | float) and deadline > 0 and deadline < float("inf")
    ):
        raise errors.InvalidRequestError(
            f"deadline must be a positive number of seconds, not {deadline!r}"
        )


def run_batch(
    core: ClientCore,
    jobs: Sequence[Mapping[str, Any]],
    journal: str | os.PathLike[str],
    *,
    save_to: str | os.PathLike[str] | None = None,
    concurrency: int | None = None,
    deadline: float | None = None,
    max_tasks: int | None = None,
    resend_unanswered: bool = False,
    on_progress: ProgressCallback | None = None,
    on_job: JobCallback | None = None,
    control: BatchControl | None = None,
    digests: Sequence[str] | None = None,
) -> Flow[BatchOutcome]:
    """The batch as a flow, with what the command line needs to report a stopped run
    (`digests`: the jobs' identities when they are not the jobs as given, e.g. the lines
    of a jobs file whose image paths were resolved)."""
    checked_options(concurrency, deadline, max_tasks)
    checked = checked_jobs(jobs)
    opened = Journal.open(
        journal,
        list(digests) if digests is not None else [job_digest(job) for job in jobs],
        [job.get("external_task_id") for job in checked],
    )
    try:
        control = control or BatchControl()
        run = _Run(
            core,
            opened,
            save_to=None if save_to is None else Path(save_to),
            deadline=deadline,
            bound=len(checked) if max_tasks is None else max_tasks,
            resend_unanswered=resend_unanswered,
            on_progress=on_progress,
            on_job=on_job,
            control=control,
        )
        new = sum(run.to_send(row) for row in opened.rows)
        if run.spent + new > run.bound:
            raise errors.InvalidRequestError(
                f"this batch would send {new} submits after {run.spent} already sent, "
                f"more than max_tasks={run.bound} tasks in all: nothing was sent (raise "
                "max_tasks to allow it)"
            )
        if run.save_to is not None:
            run.save_to.mkdir(parents=True, exist_ok=True)
        flows = [run.job(index, job) for index, job in enumerate(checked)]
        results = yield Gather(flows, concurrency)
        assert isinstance(results, list)
        return BatchOutcome(results, control, run.sent)
    finally:
        opened.close()


def batch(
    core: ClientCore,
    jobs: Sequence[Mapping[str, Any]],
    *,
    journal: str | os.PathLike[str],
    save_to: str | os.PathLike[str] | None = None,
    concurrency: int | None = None,
    deadline: float | None = None,
    max_tasks: int | None = None,
    resend_unanswered: bool = False,
    on_progress: ProgressCallback | None = None,
    on_job: JobCallback | None = None,
) -> Flow[list[JobResult]]:
    """Submit every job (each one costs money), wait for its task and save its video to
    the folder `save_to`, keeping each job's state in the file `journal` (SQLite, on
    local disk), and return each job's `JobResult`, in job order.

    Each job is a mapping of `submit`'s fields (a local image as a `Path`), plus `route`
    (`"image2video"` by default). Every job is checked before anything is sent. Call it
    again with the same jobs and journal after a crash or an interrupt: it goes on where
    the last run stopped, and sends nothing twice. A submit sent without an answer may
    have been billed; it is sent again (with the same external_task_id) only with
    `resend_unanswered=True`. At most `max_tasks` submits in all, over every run of the
    journal (the number of jobs by default): a run that would need more sends nothing.

    `concurrency` bounds the requests in flight (the pool's size by default); waits follow
    the gateway's refresh passes as `wait_many`'s do, `on_progress(task)` sees every
    change of a task and `on_job(result)` every change of a job. `deadline`: seconds this
    run waits in all (the tasks go on; run it again to pick them up); without it each
    task is waited for as `wait` does. A journal in use by another process, from a newer
    version, kept for other jobs, or that cannot be written is a JournalError; one that
    fails mid-run stops the batch before its next submit."""
    outcome = yield from run_batch(
        core,
        jobs,
        journal,
        save_to=save_to,
        concurrency=concurrency,
        deadline=deadline,
        max_tasks=max_tasks,
        resend_unanswered=resend_unanswered,
        on_progress=on_progress,
        on_job=on_job,
    )
    if outcome.control.journal_error is not None:
        raise outcome.control.journal_error
    return outcome.results


def counts(results: Sequence[JobResult]) -> dict[JobState, int]:
    """How many jobs are in each state (every state named, 0 included)."""
    found: dict[JobState, int] = dict.fromkeys(get_args(JobState), 0)
    for result in results:
        found[result.state] += 1
    return found
