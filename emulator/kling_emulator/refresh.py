"""The gateway's refresh passes: when a task's state, as the gateway shows it, changes.

Upstream refreshes tasks in passes (service/task_polling.go): a pass walks each channel's
unfinished tasks in id order, one every `gap` seconds, channels side by side; a pass starts
on a `period` tick once the previous pass finished `period` whole seconds before. Nothing
here runs in the background: `advance(now)` replays every pass slot up to `now`, so the
emulator stays one event loop, and tests can drive it with a fake clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

from .config import Refresh
from .tasks import TaskRecord


class _Pass:
    """One refresh pass: per channel, its tasks in order and how far it has got."""

    def __init__(self, start: float, gap: float, lanes: list[list[TaskRecord]]) -> None:
        self.start = start
        self.gap = gap
        self.lanes = lanes
        self.done = [0] * len(lanes)
        self.end = start + gap * max((len(lane) - 1 for lane in lanes), default=0)
        self.finished: list[TaskRecord] = []

    def run_until(self, now: float) -> bool:
        """Refresh every task whose slot has come; True once the whole pass has run."""
        complete = True
        for index, lane in enumerate(self.lanes):
            position = self.done[index]
            while position < len(lane):
                at = self.start + self.gap * position
                if at > now:
                    complete = False
                    break
                if lane[position].refresh(at):
                    self.finished.append(lane[position])
                position += 1
            self.done[index] = position
        return complete

    def next_slot(self) -> float:
        slots = (
            self.start + self.gap * done
            for done, lane in zip(self.done, self.lanes, strict=True)
            if done < len(lane)
        )
        return min(slots, default=math.inf)


class RefreshPasses:
    """The passes of one gateway, from `origin` on, at `refresh` scaled by `scale`."""

    def __init__(self, refresh: Refresh, scale: float, origin: float) -> None:
        timing = refresh.scaled(scale)
        self.period = timing.period
        self.gap = timing.gap
        self.second = timing.second
        self.channels = refresh.channels
        self.skip_share = refresh.skip_share
        self._rng = random.Random(refresh.seed)
        self.origin = origin
        self.passes = 0
        # Unfinished tasks as the gateway last wrote them, oldest (lowest id) first.
        self._pending: dict[str, TaskRecord] = {}
        self._current: _Pass | None = None
        self._last_end: float | None = None
        self._last_start = -math.inf
        self._skip_next = False
        self._wake = -math.inf  # nothing can change before this moment

    def channel_for(self, row_id: int) -> int:
        return (row_id - 1) % self.channels + 1

    def track(self, record: TaskRecord) -> None:
        self._pending[record.task_id] = record
        self._wake = -math.inf

    def forget(self, task_id: str) -> None:
        self._pending.pop(task_id, None)

    def advance(self, now: float) -> None:
        """Run every pass slot up to `now`."""
        if now < self._wake:
            return
        while True:
            current = self._current
            if current is not None:
                if not current.run_until(now):
                    self._wake = current.next_slot()
                    return
                for record in current.finished:
                    self._pending.pop(record.task_id, None)
                self._last_end = current.end
                self._last_start = current.start
                self._skip_next = bool(self.skip_share) and (
                    self._rng.random() < self.skip_share
                )
                self._current = None
            start = self._next_start()
            if start > now:
                self._wake = start
                return
            self._begin(start)

    def _begin(self, start: float) -> None:
        lanes: list[list[TaskRecord]] = [[] for _ in range(self.channels)]
        for record in self._tasks_submitted_by(start):
            lanes[record.channel_id - 1].append(record)
        self._current = _Pass(start, self.gap, [lane for lane in lanes if lane])
        self.passes += 1

    def _tasks_submitted_by(self, moment: float) -> Iterator[TaskRecord]:
        for record in self._pending.values():
            if record.submitted_at > moment:
                break  # in submission order: every later one is newer still
            yield record

    def _next_start(self) -> float:
        """The first tick at which a pass is due and has a task to refresh."""
        if not self._pending:
            return math.inf
        oldest = next(iter(self._pending.values())).submitted_at
        tick = self._tick_at_or_after(oldest)
        if self._last_end is not None:
            # A tick while a pass runs, or as it ends, finds it still active.
            tick = max(tick, self._tick_at_or_after(self._last_end + self.period / 1e6))
            # At least one whole second later, so a pass never starts twice on one tick.
            due = math.floor(self._last_end / self.second) + max(
                1, round(self.period / self.second)
            )
            while math.floor(tick / self.second) < due:
                tick += self.period
            # The scheduler's own check on the tick one period after it last ran: on the
            # edge, so off by a tick by chance (Refresh.skip_share), drawn once per pass.
            if self._skip_next and abs(tick - self._last_start - self.period) < 1e-9:
                tick += self.period
        return tick

    def _tick_at_or_after(self, moment: float) -> float:
        ticks = math.ceil((moment - self.origin) / self.period - 1e-9)
        return self.origin + max(ticks, 0) * self.period
