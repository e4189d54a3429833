"""Kling's tasks in memory: each account's own, bounded, with a lifecycle on a clock."""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import attrs

from kling_common.wire import (
    FAILURE_REASON,
    JSON,
    KlingLifecycle,
    TaskStatus,
    Video,
    task_data,
)

Clock = Callable[[], float]
ACTIONS = ("image2video", "text2video")


@attrs.define
class KlingTask:
    task_id: str
    account: str  # the access key that created it
    action: str  # "image2video" or "text2video"
    created_at: float  # seconds
    fails: bool
    request: dict[str, Any]  # what the caller sent, as Kling received it
    video_base: str  # where its video is served: the address it was created at

    @property
    def external_task_id(self) -> str:
        return str(self.request.get("external_task_id") or "")

    @property
    def callback_url(self) -> str:
        return str(self.request.get("callback_url") or "")

    def status(self, now: float, lifecycle: KlingLifecycle) -> TaskStatus:
        return lifecycle.status_after(now - self.created_at, self.fails)

    def data(self, now: float, lifecycle: KlingLifecycle) -> JSON:
        """The task as Kling's answers carry it, as of `now`."""
        return self.data_in(self.status(now, lifecycle), lifecycle)

    def data_in(self, status: TaskStatus, lifecycle: KlingLifecycle) -> JSON:
        """The task as Kling's answers carry it once it is in `status`."""
        created_ms = int(self.created_at * 1000)
        videos: tuple[Video, ...] = ()
        if status is TaskStatus.SUCCEED:
            url = f"{self.video_base.rstrip('/')}/videos/{self.task_id}.mp4"
            videos = (Video(id=f"{self.task_id}-video", url=url),)
        return task_data(
            task_id=self.task_id,
            status=status,
            created_ms=created_ms,
            updated_ms=created_ms + int(lifecycle.changed_at(status) * 1000),
            external_task_id=self.external_task_id,
            status_msg=FAILURE_REASON if status is TaskStatus.FAILED else "",
            videos=videos,
        )


class DuplicateExternalId(Exception):
    pass


class KlingStore:
    """Every account's tasks, the oldest evicted first once there are `max_tasks`; an
    external id is unique within its account, as Kling requires."""

    def __init__(
        self, max_tasks: int, clock: Clock = time.time, seed: int | None = None
    ) -> None:
        self.max_tasks = max_tasks
        self.clock = clock
        self._rng = random.Random(seed)
        self._tasks: OrderedDict[str, KlingTask] = OrderedDict()
        self._external: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._tasks)

    def new_id(self) -> str:
        """Kling's ids: 18-digit numbers, sent as strings."""
        return str(self._rng.randrange(10**17, 10**18))

    def add(
        self,
        account: str,
        action: str,
        request: dict[str, Any],
        fails: bool,
        video_base: str,
    ) -> KlingTask:
        with self._lock:
            external = str(request.get("external_task_id") or "")
            if external and (account, external) in self._external:
                raise DuplicateExternalId(external)
            task_id = self.new_id()
            while task_id in self._tasks:
                task_id = self.new_id()
            task = KlingTask(
                task_id, account, action, self.clock(), fails, request, video_base
            )
            self._tasks[task_id] = task
            if external:
                self._external[(account, external)] = task_id
            while len(self._tasks) > self.max_tasks:
                _, old = self._tasks.popitem(last=False)
                self._external.pop((old.account, old.external_task_id), None)
                self.evicted += 1
            return task

    def get(
        self, account: str, action: str, task_or_external_id: str
    ) -> KlingTask | None:
        """An account's task of this action, by Kling's id or by its external id."""
        with self._lock:
            task = self._tasks.get(task_or_external_id)
            if task is None:
                found = self._external.get((account, task_or_external_id))
                task = self._tasks.get(found) if found else None
            if task is None or task.account != account or task.action != action:
                return None
            return task

    def page(
        self, account: str, action: str, number: int, size: int
    ) -> list[KlingTask]:
        """One page of an account's tasks of this action, newest first."""
        with self._lock:
            mine = [
                t
                for t in reversed(self._tasks.values())
                if t.account == account and t.action == action
            ]
        start = (number - 1) * size
        return mine[start : start + size]

    def by_id(self, task_id: str) -> KlingTask | None:
        with self._lock:
            return self._tasks.get(task_id)
