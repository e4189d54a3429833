"""Kling's callbacks: on every status change of a task that has a `callback_url`, Kling POSTs
the task to it. The stand-in does the same, from one background task on its event loop, and
only to loopback addresses (it refuses any other `callback_url` when the task is created)."""

from __future__ import annotations

import asyncio
import heapq
import ipaddress
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from kling_common.wire import FINAL_STATUSES, JSON, KlingLifecycle, TaskStatus

from .store import KlingTask

log = logging.getLogger("kling_upstream")
LOOPBACK_NAMES = frozenset({"localhost"})
MAX_PENDING = 30_000  # three changes each for the default store's 10,000 tasks


def is_loopback_url(url: str) -> bool:
    """An http(s) URL whose host is 127.0.0.0/8, ::1 or localhost."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # a malformed port raises here
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Callbacks:
    """Sends each task's status changes to its callback URL when they happen."""

    def __init__(
        self,
        lifecycle: KlingLifecycle,
        render: Callable[[KlingTask, TaskStatus], JSON],
        timeout: float,
        clock: Callable[[], float],
    ) -> None:
        self.lifecycle = lifecycle
        self.render = render
        self.timeout = timeout
        self.clock = clock
        self._due: list[tuple[float, int, KlingTask, TaskStatus]] = []
        self._order = 0
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self.sent = 0
        self.failed = 0
        self.dropped = 0

    def schedule(self, task: KlingTask) -> None:
        """Queue every status change of a new task (called on the event loop)."""
        final = TaskStatus.FAILED if task.fails else TaskStatus.SUCCEED
        for status in (TaskStatus.SUBMITTED, TaskStatus.PROCESSING, final):
            if len(self._due) >= MAX_PENDING:
                self.dropped += 1
                continue
            at = task.created_at + self.lifecycle.changed_at(status)
            heapq.heappush(self._due, (at, self._order, task, status))
            self._order += 1
        if self._runner is None or self._runner.done():
            self._wake = asyncio.Event()
            self._runner = asyncio.get_running_loop().create_task(self._run())
        assert self._wake is not None
        self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as client:
            while True:
                if not self._due:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                at = self._due[0][0]
                delay = at - self.clock()
                if delay > 0:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), delay)
                    except TimeoutError:
                        pass
                    continue
                _, _, task, status = heapq.heappop(self._due)
                await self._send(client, task, status)

    async def _send(
        self, client: httpx.AsyncClient, task: KlingTask, status: TaskStatus
    ) -> None:
        try:
            answer = await client.post(
                task.callback_url, json=self.render(task, status)
            )
        except httpx.HTTPError as exc:
            self.failed += 1
            log.info("callback for %s failed: %s", task.task_id, type(exc).__name__)
            return
        self.sent += 1
        if answer.status_code >= 400 and status in FINAL_STATUSES:
            log.info("callback for %s answered %d", task.task_id, answer.status_code)
