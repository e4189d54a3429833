"""When to poll a task next: in step with the gateway's refresh passes, or on an interval.

A gateway does not ask Kling about a task when it is asked; it refreshes every unfinished
task in passes, one pass every 15 s (one task per second within a channel), and a task's
state changes only at the moment a pass reaches it: its slot. Polling between two slots
learns nothing, so `RefreshSchedule` polls once per slot, just after it. It learns a task's
slot from what it sees:

- the moment a change is first seen: the write happened after the previous answer was
  sent and before this one arrived (both generations);
- generation B's `updated_at`: the write happened within that whole second of the
  gateway's clock, which `GatewayClock` maps to ours through the `Date` header of every
  answer.

Until a slot is known it probes on a growing interval. Everything here is pure: times are
passed in, so a table or a fake clock drives it in tests.
"""

from __future__ import annotations

import functools
import math

import attrs

from kling_gateway_api.models import Task

from ._response import parse_http_date

Window = tuple[float, float]  # earliest and latest moment, on the client's clock


@attrs.frozen
class IntervalSchedule:
    """Poll after `interval` seconds, growing by `backoff` up to `max_interval`."""

    interval: float = attrs.field(default=2.0, validator=attrs.validators.gt(0))
    max_interval: float = attrs.field(default=15.0, validator=attrs.validators.gt(0))
    backoff: float = attrs.field(default=1.5, validator=attrs.validators.ge(1))


@attrs.frozen
class RefreshSchedule:
    """Poll `margin` seconds after each of the task's refresh slots, `period` apart.

    Until the slot is known, probe after `probe` seconds, growing by half each time up to
    `period`. A gateway whose passes outlast a second refreshes every other tick (30 s);
    set `period` to what yours does.
    """

    period: float = attrs.field(default=15.0, validator=attrs.validators.gt(0))
    margin: float = attrs.field(default=0.25, validator=attrs.validators.ge(0))
    probe: float = attrs.field(default=2.5, validator=attrs.validators.gt(0))

    @classmethod
    def for_period(cls, period: float) -> RefreshSchedule:
        """A gateway refreshing every `period` seconds: probes and margin in proportion
        (the margin at most the default's quarter second)."""
        return cls(period=period, margin=min(0.25, period / 60), probe=period / 6)


Schedule = RefreshSchedule | IntervalSchedule


@functools.lru_cache(maxsize=8)
def server_time(date_header: str | None) -> float | None:
    """The `Date` header as Unix seconds, or None when it is absent or unreadable.
    (Cached: it is the same text for every answer within one second.)"""
    parsed = parse_http_date(date_header) if date_header else None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.timestamp()


@attrs.define
class GatewayClock:
    """The gateway's Unix clock minus ours, narrowed by every answer's `Date` header.

    An answer's Date (whole seconds) was read while the request was between `sent` and
    `received`, so the offset lies in (date - received, date + 1 - sent); answers at
    different fractions of a second narrow it. One clock serves every wait of a client.
    """

    low: float = -math.inf
    high: float = math.inf

    @property
    def known(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)

    def observe(self, sent: float, received: float, date: float | None) -> None:
        if date is None or received < sent:
            return
        low, high = date - received, date + 1.0 - sent
        if low > self.high or high < self.low:
            # The clocks jumped apart (or a proxy rewrote Date): start over from this one.
            self.low, self.high = low, high
            return
        self.low, self.high = max(self.low, low), min(self.high, high)

    def splitting(self, moment: float) -> float:
        """The first moment from `moment` at which the gateway's second ticks over if the
        offset sits mid-range: an answer then halves the range, whichever side it is on.
        `moment` itself once the offset is known within 50 ms, or not at all."""
        if not self.known or self.high - self.low <= 0.05:
            return moment
        middle = (self.low + self.high) / 2
        return math.ceil(moment + middle) - middle

    def to_local(self, second: int) -> Window:
        """The moments, on our clock, that the gateway's whole second `second` spans."""
        return (second - self.high, second + 1.0 - self.low)


def _signature(task: Task) -> tuple[object, ...]:
    """What a refresh writes: two answers that differ here straddle a write."""
    return (
        task.status,
        task.progress,
        task.start_time,
        task.finish_time,
        task.fail_reason,
        task.updated_at if isinstance(task.updated_at, int) else None,
    )


def _written_at(task: Task) -> int | None:
    """Generation B: the gateway's second of its last write, if a refresh wrote it."""
    created, updated = task.created_at, task.updated_at
    # Absent fields read UNSET on a generated task and None on the client's (_task_model).
    if (
        not isinstance(updated, int)
        or not isinstance(created, int)
        or updated <= created
    ):
        return None
    return updated


def _intersect(a: Window, b: Window) -> Window | None:
    low, high = max(a[0], b[0]), min(a[1], b[1])
    return (low, high) if low <= high else None


@attrs.define
class RefreshTracker:
    """One task's refresh slot, learned from its answers; says when to poll next."""

    schedule: RefreshSchedule
    gateway: GatewayClock = attrs.field(factory=GatewayClock)
    slot: Window | None = None
    created: Window | None = None  # generation B: when the task was created, our clock
    _seen: tuple[object, ...] | None = None
    _previous_sent: float | None = None
    _probe: float = 0.0

    def __attrs_post_init__(self) -> None:
        self._probe = self.schedule.probe

    def observe(self, task: Task, sent: float, received: float) -> None:
        """Learn from one answer, requested at `sent` and received at `received`."""
        signature = _signature(task)
        changed = self._seen is not None and signature != self._seen
        written = _written_at(task)
        from_gateway = (
            self.gateway.to_local(written)
            if written is not None and self.gateway.known
            else None
        )
        window: Window | None = None
        if changed and self._previous_sent is not None:
            seen = (self._previous_sent, received)
            window = (_intersect(seen, from_gateway) if from_gateway else None) or seen
        elif self.slot is None and from_gateway is not None:
            window = from_gateway  # written before we first looked
        if window is not None:
            self.slot = self._narrowed(window)
        if (
            self.created is None
            and isinstance(task.created_at, int)
            and self.gateway.known
        ):
            self.created = self.gateway.to_local(task.created_at)
        self._seen = signature
        self._previous_sent = sent

    def _narrowed(self, window: Window) -> Window:
        """A new sighting of the slot, narrowed by the last one a whole number of periods
        earlier; when they disagree the slot moved (tasks ahead finished, or the gateway
        fell behind), and the new sighting wins."""
        if self.slot is None:
            return window
        period = self.schedule.period
        shift = period * round((sum(window) - sum(self.slot)) / 2 / period)
        return (
            _intersect(window, (self.slot[0] + shift, self.slot[1] + shift)) or window
        )

    def next_poll(self, now: float) -> float:
        """Seconds from `now` until the next poll worth sending."""
        period, margin = self.schedule.period, self.schedule.margin
        if self.slot is not None:
            latest = self.slot[1] + margin
            passes = math.floor((now - latest) / period) + 1
            return max(0.0, latest + max(passes, 1) * period - now)
        # No slot yet, so this poll can hardly see a final state: it may come up to a second
        # late, when the gateway's second ticks over, to learn its clock better.
        if self.created is not None:
            # Not yet written: the first pass comes within a period of the task's creation.
            first = self.created[1] + period + margin
            if first > now:
                return self.gateway.splitting(first) - now
        delay, self._probe = self._probe, min(self._probe * 1.5, period)
        return self.gateway.splitting(now + delay) - now
