"""When to retry a call and how to pace polling: pure decisions, shared by both clients."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

import attrs

from . import errors
from ._pacing import (
    GatewayClock,
    IntervalSchedule,
    RefreshSchedule,
    RefreshTracker,
    Schedule,
)
from ._task_model import Task
from ._tasks import fail_reason_of, is_final, is_success

logger = logging.getLogger("kling_gateway")  # see _logs.py
RETRYABLE_SERVER_STATUSES = frozenset({502, 503, 504})


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter; a server's Retry-After wins over the backoff.

    `idempotent` calls (queries, or submits with an external_task_id) are retried on any
    connection error, timeout, 429 and 502/503/504. Other submits are retried only when the
    request cannot have reached Kling: a failed connect, or a 429.
    """

    max_retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.5
    # A Retry-After longer than this is not waited for: the error is raised instead.
    max_retry_after: float = 60.0

    def should_retry(self, exc: BaseException, idempotent: bool) -> bool:
        if isinstance(exc, errors.APIConnectionError):
            return idempotent or not exc.request_sent
        if isinstance(exc, errors.RateLimitError):
            return exc.retry_after is None or exc.retry_after <= self.max_retry_after
        if isinstance(exc, errors.ServerError):
            return idempotent and exc.status_code in RETRYABLE_SERVER_STATUSES
        return False

    def delay(
        self,
        attempt: int,
        exc: BaseException,
        idempotent: bool,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retry number `attempt` (1-based) after `exc`, or None
        when the call is not retried: the whole retry timing, as a pure function of its
        inputs (`rand` is the jitter source, 0..1). A server's Retry-After wins over the
        backoff."""
        if attempt > self.max_retries or not self.should_retry(exc, idempotent):
            return None
        if isinstance(exc, errors.RateLimitError) and exc.retry_after is not None:
            return exc.retry_after
        backoff = min(self.max_delay, self.initial_delay * 2.0 ** (attempt - 1))
        return backoff + self.jitter * rand()


@attrs.frozen
class WaitPolicy:
    """How `wait` polls: on `schedule` (by default in step with the gateway's refresh
    passes, see pacing.py), until the task is final or `deadline` seconds have passed."""

    deadline: float = attrs.field(default=900.0, validator=attrs.validators.gt(0))
    schedule: Schedule = attrs.field(
        factory=RefreshSchedule,
        validator=attrs.validators.instance_of((RefreshSchedule, IntervalSchedule)),
    )


ProgressCallback = Callable[[Task], object]


@attrs.define
class Waiter:
    """The state of one wait: fed each polled task, it says how long to sleep, or ends.

    `observe` returns the delay before the next poll, or None when the task succeeded; it
    raises TaskFailedError on FAILURE and WaitTimeoutError past the deadline. Pass `sent`
    (when the request went out, on `clock`) to keep in step with the gateway; `gateway` is
    the client's clock of the gateway, which the client feeds with every answer's Date.
    """

    task_id: str
    policy: WaitPolicy
    on_progress: ProgressCallback | None = None
    clock: Callable[[], float] = time.monotonic
    gateway: GatewayClock = attrs.field(factory=GatewayClock)
    last: Task | None = None
    _deadline: float = 0.0
    _interval: float = 0.0
    _tracker: RefreshTracker | None = None

    def __attrs_post_init__(self) -> None:
        self._deadline = self.clock() + self.policy.deadline
        schedule = self.policy.schedule
        if isinstance(schedule, IntervalSchedule):
            self._interval = schedule.interval
        else:
            self._tracker = RefreshTracker(schedule, self.gateway)

    def observe(self, task: Task, *, sent: float | None = None) -> float | None:
        now = self.clock()
        changed = self.last is None or (self.last.status, self.last.progress) != (
            task.status,
            task.progress,
        )
        self.last = task
        if changed and self.on_progress is not None:
            self.on_progress(task)
        if is_final(task):
            if is_success(task):
                return None
            raise errors.TaskFailedError(task, fail_reason_of(task))
        remaining = self._deadline - now
        if remaining <= 0:
            raise errors.WaitTimeoutError(self.task_id, self.policy.deadline, task)
        if self._tracker is not None:
            self._tracker.observe(task, now if sent is None else sent, now)
            return min(self._tracker.next_poll(now), remaining)
        delay = min(self._interval, remaining)
        schedule = self.policy.schedule
        assert isinstance(schedule, IntervalSchedule)
        self._interval = min(self._interval * schedule.backoff, schedule.max_interval)
        return delay
