"""Waiting in step with the gateway's refresh passes: the pure pieces under a fake clock,
the emulator's passes, and one wait over HTTP that needs fewer requests than an interval."""

from __future__ import annotations

import json
import math
import time
from email.utils import formatdate
from typing import Any

import httpx
import pytest

from kling_emulator.config import EmulatorConfig, Lifecycle, Refresh
from kling_emulator.refresh import RefreshPasses
from kling_emulator.server import EmulatorServer
from kling_emulator.tasks import TaskRecord, TaskStore
from kling_gateway import (
    IntervalSchedule,
    KlingClient,
    RefreshSchedule,
    Task,
    WaitPolicy,
)
from kling_gateway._pacing import GatewayClock, RefreshTracker, server_time
from kling_gateway._policies import Waiter

# -- the client's schedule, pure ------------------------------------------------------------


def task_b(status: str, updated: int, created: int = 1_000) -> Task:
    return Task.from_dict(
        {
            "id": 1,
            "task_id": "task_x",
            "status": status,
            "progress": "",
            "created_at": created,
            "updated_at": updated,
            "data": None,
        }
    )


def task_a(status: str) -> Task:
    return Task.from_dict(
        {"task_id": "123", "status": status, "progress": "", "data": None}
    )


@pytest.mark.parametrize(
    ("samples", "low", "high"),
    [
        # (sent, received, Date): the offset lies in (date - received, date + 1 - sent)
        ([(10.0, 10.2, 1000)], 989.8, 991.0),
        ([(10.0, 10.2, 1000), (10.5, 10.6, 1001)], 990.4, 991.0),
        ([(10.0, 10.2, 1000), (10.5, 10.6, 1000)], 989.8, 990.5),
        # A clock that jumps starts over from the newest answer.
        ([(10.0, 10.2, 1000), (20.0, 20.1, 5000)], 4979.9, 4981.0),
        # No Date, or a Date that cannot be read: nothing learned.
        ([(10.0, 10.2, None)], -math.inf, math.inf),
    ],
)
def test_the_gateway_clock_narrows_with_every_date(
    samples: list[tuple[float, float, int | None]], low: float, high: float
) -> None:
    clock = GatewayClock()
    for sent, received, date in samples:
        clock.observe(sent, received, date)
    assert (clock.low, clock.high) == pytest.approx((low, high))


@pytest.mark.parametrize(
    ("low", "high", "moment", "expected"),
    [
        (900.0, 900.2, 116.25, 116.9),  # 116.9 + 900.1 = 1017.0
        (900.0, 900.2, 116.95, 117.9),
        (900.0, 900.04, 116.25, 116.25),  # within 50 ms: as asked
        (-math.inf, math.inf, 116.25, 116.25),  # nothing known: as asked
    ],
)
def test_polls_that_cannot_see_a_final_state_split_the_offset(
    low: float, high: float, moment: float, expected: float
) -> None:
    assert GatewayClock(low, high).splitting(moment) == pytest.approx(expected)


def test_splitting_polls_pin_the_offset_within_a_few_answers() -> None:
    offset, clock, now = 900.37, GatewayClock(), 100.0
    for _ in range(6):
        now = clock.splitting(now + 3.0)
        clock.observe(now, now + 0.001, math.floor(now + 0.0005 + offset))
    assert clock.low <= offset <= clock.high
    assert clock.high - clock.low < 0.05


def test_a_date_header_is_read_as_unix_seconds_and_junk_as_nothing() -> None:
    assert server_time(formatdate(1_700_000_000, usegmt=True)) == 1_700_000_000
    for junk in (None, "", "yesterday", "Tue, 99 Foo 2026 99:99:99"):
        assert server_time(junk) is None


def test_generation_a_learns_the_slot_from_the_first_change_it_sees() -> None:
    tracker = RefreshTracker(RefreshSchedule(period=15.0, margin=0.25, probe=2.5))
    tracker.observe(task_a("NOT_START"), sent=100.0, received=100.1)
    # Nothing known yet: probes, growing by half up to the period.
    assert [tracker.next_poll(100.1) for _ in range(6)] == pytest.approx(
        [2.5, 3.75, 5.625, 8.4375, 12.65625, 15.0]
    )
    tracker.observe(task_a("NOT_START"), sent=102.6, received=102.7)
    tracker.observe(task_a("SUBMITTED"), sent=106.4, received=106.5)
    # Written after the previous request went out and before this answer came back.
    assert tracker.slot == (102.6, 106.5)
    # Next: just after the same slot one period later, then the one after.
    assert tracker.next_poll(106.5) == pytest.approx(106.75 + 15 - 106.5)
    assert tracker.next_poll(121.8) == pytest.approx(136.75 - 121.8)


def test_generation_b_places_the_slot_by_updated_at_on_the_gateways_clock() -> None:
    gateway = GatewayClock(low=900.0, high=900.2)  # the gateway is 900 s ahead of us
    tracker = RefreshTracker(RefreshSchedule(period=15.0, margin=0.25), gateway)
    tracker.observe(task_b("NOT_START", updated=1_000), sent=100.0, received=100.1)
    # Never written: the first pass comes within a period of creation (1000 there), so the
    # next poll is at 116.25, put off to 116.9 where the gateway's second ticks over if the
    # offset is 900.1: its Date then halves the range.
    assert tracker.created == pytest.approx((99.8, 101.0))
    assert tracker.next_poll(100.1) == pytest.approx(116.9 - 100.1)
    tracker.observe(task_b("SUBMITTED", updated=1_013), sent=116.2, received=116.3)
    # Written within the gateway's second 1013: 112.8..114.0 here, inside the change window.
    assert tracker.slot == pytest.approx((112.8, 114.0))
    assert tracker.next_poll(116.3) == pytest.approx(114.25 + 15 - 116.3)


def test_a_task_already_written_gives_its_slot_on_the_first_answer() -> None:
    gateway = GatewayClock(low=900.0, high=900.2)
    tracker = RefreshTracker(RefreshSchedule(period=15.0, margin=0.25), gateway)
    tracker.observe(task_b("IN_PROGRESS", updated=1_030), sent=140.0, received=140.1)
    assert tracker.slot == pytest.approx((129.8, 131.0))
    assert tracker.next_poll(140.1) == pytest.approx(131.25 + 15 - 140.1)


def test_sightings_a_period_apart_narrow_the_slot_and_a_moved_slot_wins() -> None:
    tracker = RefreshTracker(RefreshSchedule(period=15.0))
    tracker.slot = (100.0, 102.0)
    assert tracker._narrowed((116.0, 119.0)) == (116.0, 117.0)
    # Far from where the slot was: the gateway fell behind, trust the new sighting.
    assert tracker._narrowed((110.0, 111.0)) == (110.0, 111.0)


def test_a_late_first_pass_falls_back_to_probing() -> None:
    gateway = GatewayClock(low=900.0, high=900.04)  # known well enough: no splitting
    tracker = RefreshTracker(RefreshSchedule(period=15.0, probe=2.5), gateway)
    tracker.observe(task_b("NOT_START", updated=1_000), sent=100.0, received=100.1)
    tracker.observe(task_b("NOT_START", updated=1_000), sent=116.3, received=116.4)
    assert (
        tracker.next_poll(116.4) == 2.5
    )  # past the expected pass: back off from probe


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_waiter_never_sleeps_past_the_deadline_on_the_refresh_schedule() -> None:
    clock = FakeClock()
    waiter = Waiter(
        "123",
        WaitPolicy(schedule=RefreshSchedule(period=15.0), deadline=10.0),
        clock=clock,
    )
    assert waiter.observe(task_a("NOT_START"), sent=100.0) == 2.5
    clock.now = 108.0
    waiter.observe(task_a("SUBMITTED"), sent=107.9)
    assert waiter.observe(task_a("SUBMITTED"), sent=108.0) == pytest.approx(2.0)


def test_a_wait_policy_takes_only_known_schedules() -> None:
    with pytest.raises(TypeError):
        WaitPolicy(schedule="fast")  # type: ignore[arg-type]
    assert isinstance(WaitPolicy().schedule, RefreshSchedule)


# -- the emulator's passes ------------------------------------------------------------------


def record(row: int, submitted_at: float, lifecycle: Lifecycle | None = None) -> Any:
    return lambda _row: TaskRecord(
        task_id=f"t{row}",
        kling_id="1" * 18,
        user_id=1,
        action="generate",
        model="kling-v1",
        prompt="p",
        external_task_id="",
        submitted_at=submitted_at,
        lifecycle=lifecycle or Lifecycle(),
        fails=False,
        row_id=row,
    )


def timeline(store: TaskStore, task_id: str, until: int) -> list[tuple[int, str, int]]:
    """(second, status, updated_at) at every second the task's answer changes."""
    now = store.clock
    seen: list[tuple[int, str, int]] = []
    for second in range(1000, until):
        now.at = float(second)  # type: ignore[attr-defined]
        found = store.find(task_id)
        assert found is not None
        state = (found.status_at(second), found.updated_at(second))
        if not seen or seen[-1][1:] != state:
            seen.append((second, *state))
    return seen


class SettableClock:
    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


def test_a_lone_task_changes_only_at_passes_15_s_apart() -> None:
    clock = SettableClock()
    store = TaskStore(10, clock=clock, passes=RefreshPasses(Refresh(), 1.0, 1000.0))
    store.add(record(1, 1003.0))
    # Kling: submitted until 1033, processing until 1093. Passes at 1015, 1030, 1045...
    assert timeline(store, "t1", 1200) == [
        (1000, "NOT_START", 1003),
        (1015, "SUBMITTED", 1015),
        (1045, "IN_PROGRESS", 1045),
        (1105, "SUCCESS", 1105),
    ]
    final = store.find("t1")
    assert final is not None and final.written is not None
    assert final.written.refreshes == 7  # 1015, 1030, ..., 1105
    assert final.start_time(1200) == 1045 and final.finish_time(1200) == 1105


@pytest.mark.parametrize(
    ("skip_share", "refreshes"),
    [(0.0, 7), (1.0, 4)],  # 1015, 1030, ..., 1105 / 1015, 1045, 1075, 1105
)
def test_the_scheduler_check_puts_a_due_pass_off_by_a_tick(
    skip_share: float, refreshes: int
) -> None:
    """As measured on the real gateway with one task: passes 15 or 30 s apart, by chance."""
    clock = SettableClock()
    passes = RefreshPasses(Refresh(skip_share=skip_share), 1.0, 1000.0)
    store = TaskStore(10, clock=clock, passes=passes)
    store.add(record(1, 1003.0))
    timeline(store, "t1", 1200)
    final = store.find("t1")
    assert final is not None and final.written is not None
    assert final.written.refreshes == refreshes


def test_at_a_skip_share_of_one_half_passes_come_15_or_30_s_apart() -> None:
    clock = SettableClock()
    passes = RefreshPasses(Refresh(skip_share=0.5, seed=7), 1.0, 1000.0)
    store = TaskStore(10, clock=clock, passes=passes)
    store.add(record(1, 1003.0, lifecycle=Lifecycle(1e6, 0, 0)))
    clock.at = 1000 + 15 * 400
    store.find("t1")
    # 400 ticks; every gap is 15 or 30 s, so between 200 and 400 passes, about 267.
    assert 230 < passes.passes < 300


def test_a_pass_outlasting_a_second_pushes_the_next_one_to_the_tick_after() -> None:
    clock = SettableClock()
    store = TaskStore(10, clock=clock, passes=RefreshPasses(Refresh(), 1.0, 1000.0))
    store.add(record(1, 1003.0))
    store.add(record(2, 1004.0))
    # One channel: the second task 1 s after the first, and a pass every 30 s.
    assert timeline(store, "t2", 1200) == [
        (1000, "NOT_START", 1004),
        (1016, "SUBMITTED", 1016),
        (1046, "IN_PROGRESS", 1046),
        (1106, "SUCCESS", 1106),
    ]
    passes = store.passes
    assert passes is not None and passes.passes == 4  # 1015, 1045, 1075, 1105


def test_tasks_on_their_own_channels_are_refreshed_side_by_side() -> None:
    clock = SettableClock()
    passes = RefreshPasses(Refresh(channels=2), 1.0, 1000.0)
    store = TaskStore(10, clock=clock, passes=passes)
    store.add(record(1, 1003.0))
    store.add(record(2, 1004.0))
    assert timeline(store, "t2", 1100)[1] == (1015, "SUBMITTED", 1015)
    assert passes.passes == 6  # every 15 s: 1015 .. 1090


# -- over HTTP ------------------------------------------------------------------------------


def test_waiting_in_step_needs_fewer_requests_than_the_interval_schedule() -> None:
    scale = 0.02  # passes every 0.3 s, a task final after 1.8 s
    config = EmulatorConfig(lifecycle=Lifecycle.scaled(90 * scale), seed_tasks=False)
    schedules: dict[str, RefreshSchedule | IntervalSchedule] = {
        "refresh": RefreshSchedule(period=15 * scale, margin=0.05, probe=2.5 * scale),
        "interval": IntervalSchedule(interval=2.0 * scale, max_interval=2.0 * scale),
    }
    requests = {}
    with EmulatorServer(config) as server:
        for name, schedule in schedules.items():
            sent: list[httpx.Request] = []
            with KlingClient(
                server.base_url,
                "sk-emulatoruser1",
                wait=WaitPolicy(schedule=schedule, deadline=30),
            ) as client:
                submitted = client.submit(
                    model="kling-v1", image="https://example.com/a.png", prompt="p"
                )
                client._http.event_hooks["request"].append(sent.append)
                started = time.monotonic()
                final = client.wait(submitted.task_id)
                assert final.status == "SUCCESS"
                assert time.monotonic() - started < 10
            requests[name] = len(sent)
    assert requests["refresh"] < requests["interval"]
    assert requests["refresh"] <= 12  # 7 passes; the 1 s clocks blur a 0.3 s period


def test_the_refresh_period_comes_from_the_environment_and_junk_is_refused() -> None:
    from kling_gateway import ConfigurationError
    from kling_gateway._settings import Settings

    def resolve(env: dict[str, str]) -> Any:
        return Settings.resolve(
            "http://127.0.0.1:9",
            "sk-x",
            timeout=None,
            max_connections=None,
            retry=None,
            wait=None,
            env=env,
        ).wait.schedule

    assert resolve({}) == RefreshSchedule()
    assert resolve({"KLING_REFRESH_PERIOD": "30"}) == RefreshSchedule(
        period=30, margin=0.25, probe=5
    )
    for junk in ("0", "-1", "nan", "soon"):
        with pytest.raises(ConfigurationError, match="KLING_REFRESH_PERIOD"):
            resolve({"KLING_REFRESH_PERIOD": junk})


def test_an_answer_is_rendered_again_only_when_a_pass_changed_the_task() -> None:
    from kling_common.generation import Generation
    from kling_emulator.render import task_body, task_json

    clock = SettableClock()
    store = TaskStore(10, clock=clock, passes=RefreshPasses(Refresh(), 1.0, 1000.0))
    store.add(record(1, 1003.0))
    answers = []
    for second in (1005, 1010, 1016, 1020, 1046):
        clock.at = float(second)
        found = store.find("t1")
        assert found is not None
        fresh = json.dumps(
            task_body(found, second, Generation.B, "http://e/"),
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        answer = task_json(found, second, Generation.B, "http://e/")
        assert answer == fresh  # the cache never serves a stale answer
        answers.append(answer)
    # NOT_START twice, SUBMITTED twice (the same bytes), then IN_PROGRESS.
    assert answers[0] is answers[1] and answers[2] is answers[3]
    assert len({*answers}) == 3
