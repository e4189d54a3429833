"""The waiting schedule, pure: a Waiter fed tasks under a fake clock."""

from __future__ import annotations

from typing import Any

import pytest

import kling_gateway as kg
from kling_gateway import IntervalSchedule, Task
from kling_gateway._policies import Waiter, WaitPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def task(status: str, progress: str = "10%", **extra: Any) -> Task:
    return Task.from_dict(
        {
            "task_id": "123",
            "status": status,
            "progress": progress,
            "data": None,
            **extra,
        }
    )


def test_the_interval_grows_to_its_cap_and_never_passes_the_deadline() -> None:
    clock = FakeClock()
    policy = WaitPolicy(
        schedule=IntervalSchedule(interval=2.0, max_interval=5.0, backoff=1.5),
        deadline=20.0,
    )
    waiter = Waiter("123", policy, clock=clock)
    delays = []
    while True:
        try:
            delay = waiter.observe(task("IN_PROGRESS", "30%"))
        except kg.WaitTimeoutError as exc:
            assert exc.task is not None and exc.deadline == 20.0
            break
        assert delay is not None
        delays.append(delay)
        clock.now += delay
    assert delays == [
        2.0,
        3.0,
        4.5,
        5.0,
        5.0,
        0.5,
    ]  # the last one stops at the deadline
    assert clock.now == 1020.0


def test_success_ends_the_wait_and_failure_raises_with_the_reason() -> None:
    clock = FakeClock()
    waiter = Waiter("123", WaitPolicy(), clock=clock)
    assert waiter.observe(task("SUCCESS", "100%")) is None
    with pytest.raises(kg.TaskFailedError) as caught:
        Waiter("123", WaitPolicy(), clock=clock).observe(
            task("FAILURE", "100%", fail_reason="risk control")
        )
    assert caught.value.reason == "risk control"


def test_progress_is_reported_on_changes_only() -> None:
    seen: list[str] = []
    waiter = Waiter(
        "123",
        WaitPolicy(),
        on_progress=lambda t: seen.append(str(t.status)),
        clock=FakeClock(),
    )
    for status in ["NOT_START", "NOT_START", "SUBMITTED", "SUBMITTED", "IN_PROGRESS"]:
        waiter.observe(task(status))
    assert seen == ["NOT_START", "SUBMITTED", "IN_PROGRESS"]


def test_an_unknown_status_keeps_waiting() -> None:
    waiter = Waiter(
        "123", WaitPolicy(schedule=IntervalSchedule(interval=1.0)), clock=FakeClock()
    )
    assert waiter.observe(task("PAUSED", "")) == 1.0
