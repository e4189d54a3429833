"""Tasks in memory: their lifecycle on a clock, and a bounded store scoped by user."""

from __future__ import annotations

import random
import secrets
import string
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from kling_common.wire import GATEWAY_STATUS

from .config import Lifecycle
from .kling_stage import PollFailure

if TYPE_CHECKING:
    from .kling_stage import RemoteKling
    from .refresh import RefreshPasses

FINAL = frozenset({"SUCCESS", "FAILURE"})
PROGRESS = {
    "NOT_START": "0%",
    "SUBMITTED": "10%",
    "QUEUED": "20%",
    "IN_PROGRESS": "30%",
    "SUCCESS": "100%",
    "FAILURE": "100%",
    "UNKNOWN": "",
}
# The OpenAI video status of each gateway status (model/task.go ToVideoStatus): anything
# else reads "unknown". A test holds this to the spec's VideoStatus x-gateway-status.
VIDEO_STATUS = {
    "NOT_START": "unknown",
    "SUBMITTED": "queued",
    "QUEUED": "queued",
    "IN_PROGRESS": "in_progress",
    "SUCCESS": "completed",
    "FAILURE": "failed",
}

Clock = Callable[[], float]


def new_kling_id() -> str:
    """Kling ids are 18-digit numbers, sent as strings."""
    return str(secrets.randbelow(9 * 10**17) + 10**17)


_ID_ALPHABET = string.ascii_letters + string.digits
# Ids are labels, not secrets: a plain PRNG, seeded from the OS once. secrets.choice made a
# system call per character: a sixth of the time of a burst of submits, and a GET took
# 94 us in-process instead of 79 us for its request id.
_ids = random.Random(secrets.randbits(128))


def random_label(length: int) -> str:
    """Letters and digits, as the gateway's task and request ids use."""
    return "".join(_ids.choices(_ID_ALPHABET, k=length))


def new_gateway_id() -> str:
    return "task_" + random_label(32)


@attrs.define
class Written:
    """What the gateway last wrote for a task, at a refresh pass."""

    status: str = "NOT_START"
    start_time: int = 0
    finish_time: int = 0
    updated_at: int = 0
    written_at: float = (
        0.0  # the exact moment of the last write (updated_at is whole seconds)
    )
    refreshes: int = 0  # passes that reached the task


@attrs.define
class TaskRecord:
    task_id: str
    kling_id: str
    user_id: int
    action: str  # "generate" or "textGenerate"
    model: str
    prompt: str
    external_task_id: str
    submitted_at: float  # wall clock, seconds
    lifecycle: Lifecycle
    fails: bool
    row_id: int
    channel_id: int = 1
    # What refresh passes wrote; None shows the state as of each moment (a smooth clock).
    written: Written | None = None
    # A seeded task stays in this status forever, so that a contract run can always query one.
    frozen_status: str | None = None
    # The request the gateway forwarded to Kling: what reached Kling, and what did not.
    kling_request: dict[str, Any] = attrs.field(factory=dict)
    # Kling over HTTP, when the emulator's Kling stage is a real API; None: modelled here.
    remote: RemoteKling | None = attrs.field(default=None, eq=False, repr=False)
    # Kling's last answer for the task when Kling is remote: what `data.data` shows.
    kling_answer: dict[str, Any] | None = None
    # The last rendered answer and what it was rendered from (render.task_json).
    rendered: tuple[object, bytes] | None = attrs.field(
        default=None, eq=False, repr=False
    )
    # Why the gateway failed the task itself ("" while it has not): Kling's last answer,
    # which generation C's Kling routes show, stays as it was.
    failed_by_gateway: str = ""
    # Generation C's host fails a task after this many failed polls in a row, or at once
    # when Kling answers 404 or 410; None: polls that fail leave the task as it was.
    max_poll_failures: int | None = None
    poll_failures: int = 0

    def answer_key(self, base_url: str) -> object | None:
        """What the answer to a query depends on, or None when it depends on the moment
        (a smooth clock): between two refresh writes the answer stays the same bytes."""
        if self.frozen_status is not None:
            return base_url
        written = self.written
        if written is None:
            return None
        return (
            written.status,
            written.updated_at,
            written.start_time,
            written.finish_time,
            base_url,
        )

    def kling_status_at(self, now: float) -> str:
        """What Kling reports at `now`, as a gateway status."""
        if self.failed_by_gateway:
            return "FAILURE"
        if self.remote is not None:
            polled = self.remote.poll(self.kling_id, self.action)
            if isinstance(polled, PollFailure):
                return self._poll_failed(polled)
            self.poll_failures = 0
            status, self.kling_answer = polled
            return status
        kling = self.lifecycle.kling.status_after(now - self.submitted_at, self.fails)
        return GATEWAY_STATUS[kling]

    def _poll_failed(self, failure: PollFailure) -> str:
        """A poll without a readable answer: generations A and B leave the task as it was;
        generation C's host counts the failures and fails the task at its limit, or at once
        when Kling no longer knows the task."""
        unchanged = self.written.status if self.written else "NOT_START"
        if self.max_poll_failures is None:
            return unchanged
        self.poll_failures += 1
        if failure.gone:
            self.failed_by_gateway = (
                f"upstream task not found (HTTP {failure.http_status})"
            )
        elif self.poll_failures >= self.max_poll_failures:
            self.failed_by_gateway = f"poll failed: {failure.describe()}"
        return "FAILURE" if self.failed_by_gateway else unchanged

    def refresh(self, now: float) -> bool:
        """A refresh pass reaches this task at `now`; True once it is final."""
        written = self.written
        if written is None:
            written = self.written = Written(updated_at=int(self.submitted_at))
        written.refreshes += 1
        status = self.kling_status_at(now)
        if status != written.status:
            # Upstream writes the row only when something changed, so updated_at is the
            # last pass that saw a change.
            written.status = status
            written.updated_at = int(now)
            written.written_at = now
            if status == "IN_PROGRESS" and not written.start_time:
                written.start_time = int(now)
            if status in FINAL:
                written.finish_time = int(now)
        return status in FINAL

    def status_at(self, now: float) -> str:
        if self.frozen_status is not None:
            return self.frozen_status
        if self.written is not None:
            return self.written.status
        if now - self.submitted_at < self.lifecycle.not_start:
            return "NOT_START"
        return self.kling_status_at(now)

    def start_time(self, now: float) -> int:
        """When the gateway saw Kling start; 0 before that."""
        if self.written is not None and self.frozen_status is None:
            return self.written.start_time
        status = self.status_at(now)
        if status in {"NOT_START", "SUBMITTED", "QUEUED", "UNKNOWN"}:
            return 0
        if self.frozen_status is not None:
            return int(self.submitted_at) + 30
        return int(
            self.submitted_at + self.lifecycle.not_start + self.lifecycle.submitted
        )

    def finish_time(self, now: float) -> int:
        if self.written is not None and self.frozen_status is None:
            return self.written.finish_time
        if self.status_at(now) not in FINAL:
            return 0
        if self.frozen_status is not None:
            return int(self.submitted_at) + 90
        return int(self.submitted_at + self.lifecycle.total)

    def updated_at(self, now: float) -> int:
        if self.written is not None and self.frozen_status is None:
            return self.written.updated_at
        return max(int(self.submitted_at), self.start_time(now), self.finish_time(now))


class TaskStore:
    """Every task of every user, bounded: the oldest tasks are evicted first.

    All tasks share one lifecycle, so they finish in the order they were submitted: the
    oldest task is also the first finished, and evicting in submission order (O(1) per
    submit) evicts finished tasks before running ones. Seeded tasks are kept apart and never
    evicted. The emulator serves from one event loop, but the store is also used from test
    threads, so every operation holds a lock.
    """

    def __init__(
        self,
        max_tasks: int,
        clock: Clock = time.time,
        rng: random.Random | None = None,
        passes: RefreshPasses | None = None,
    ) -> None:
        if max_tasks < 1:
            raise ValueError("max_tasks must be at least 1")
        self.max_tasks = max_tasks
        self.clock = clock
        self.rng = rng or random.Random()
        # The gateway's refresh passes decide what a task shows; None: a smooth clock.
        self.passes = passes
        self._tasks: OrderedDict[str, TaskRecord] = OrderedDict()  # oldest first
        self._seeded: dict[str, TaskRecord] = {}
        self._lock = threading.Lock()
        self._next_row = 1
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._tasks) + len(self._seeded)

    def add(self, make: Callable[[int], TaskRecord]) -> TaskRecord:
        with self._lock:
            record = make(self._next_row)
            self._next_row += 1
            if record.frozen_status is not None:
                self._seeded[record.task_id] = record
            else:
                self._tasks[record.task_id] = record
                if self.passes is not None:
                    record.channel_id = self.passes.channel_for(record.row_id)
                    record.written = Written(updated_at=int(record.submitted_at))
                    self.passes.track(record)
            while len(self) > self.max_tasks and self._tasks:
                evicted, _ = self._tasks.popitem(last=False)
                if self.passes is not None:
                    self.passes.forget(evicted)
                self.evicted += 1
            return record

    def get(self, task_id: str, user_id: int) -> TaskRecord | None:
        """The task, if it exists and belongs to this user; another user's task is not found."""
        record = self.find(task_id)
        if record is None or record.user_id != user_id:
            return None
        return record

    def find(self, task_id: str) -> TaskRecord | None:
        """The task, whoever owns it (for the emulator's own inspection routes)."""
        with self._lock:
            if self.passes is not None:
                self.passes.advance(self.clock())
            return self._tasks.get(task_id) or self._seeded.get(task_id)
