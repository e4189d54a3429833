"""How the two clients run flows: whatever ends a run, nothing of it goes on running.

The core decides what to do (test_flows.py); these tests hold the runners to finishing
what they started: a flow is closed when its run ends, a failed `wait_many` leaves no wait
polling and no request in flight, and an action the runner does not know is an error, never
taken for another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import anyio
import attrs
import httpx
import pytest

import kling_gateway as kg
from kling_gateway._flows import Sleep, in_turn


def _task_answer(task_id: str, status: str) -> dict[str, Any]:
    return {
        "code": "success",
        "message": "",
        "data": {"task_id": task_id, "status": status, "progress": "30%", "data": None},
    }


class _Gateway:
    """Task "done" succeeds at once; every other task runs for ever. Counts the polls."""

    def __init__(self) -> None:
        self.polls: dict[str, int] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        task_id = request.url.path.rsplit("/", 1)[1]
        self.polls[task_id] = self.polls.get(task_id, 0) + 1
        status = "SUCCESS" if task_id == "done" else "IN_PROGRESS"
        return httpx.Response(200, json=_task_answer(task_id, status))


class _CallbackBroke(Exception):
    pass


def _raise_on_done(task: kg.Task) -> None:
    if task.task_id == "done":
        raise _CallbackBroke("the caller's callback failed")


async def test_a_failed_async_wait_many_leaves_no_wait_polling() -> None:
    gateway = _Gateway()
    async with kg.AsyncKlingClient(
        "http://gw.test", "sk-runner", transport=httpx.MockTransport(gateway)
    ) as client:
        with pytest.raises(_CallbackBroke):
            await client.wait_many(
                ["running", "done"],
                deadline=30,
                interval=0.02,
                on_progress=_raise_on_done,
            )
        polls_when_raised = gateway.polls["running"]
        await asyncio.sleep(0.3)
    # With every wait cancelled when one raised, the running task is never asked again.
    assert gateway.polls["running"] == polls_when_raised


def test_a_failed_blocking_wait_many_raises_the_callbacks_error() -> None:
    gateway = _Gateway()
    with (
        kg.KlingClient(
            "http://gw.test", "sk-runner", transport=httpx.MockTransport(gateway)
        ) as client,
        pytest.raises(_CallbackBroke),
    ):
        client.wait_many(
            ["running", "done"], deadline=30, interval=0.02, on_progress=_raise_on_done
        )


def test_in_turn_closes_every_other_flow_when_one_raises() -> None:
    closed: list[str] = []

    def waits(name: str) -> Generator[Any, object, str]:
        try:
            while True:
                yield Sleep(1.0)
        finally:
            closed.append(name)

    def fails() -> Generator[Any, object, str]:
        yield Sleep(0.5)
        raise _CallbackBroke("no")

    # Held here, so that only in_turn, not the garbage collector, can close them.
    flows = [waits("a"), fails(), waits("b")]
    turns = in_turn(flows, clock=lambda: 0.0)
    with pytest.raises(_CallbackBroke):
        while True:
            turns.send(None)
    assert sorted(closed) == ["a", "b"]


@attrs.frozen
class _Unknown:
    """An action no runner knows."""


def _flow_with_unknown_action(closed: list[bool]) -> Generator[Any, object, None]:
    try:
        yield _Unknown()
    finally:
        closed.append(True)


def test_the_blocking_runner_refuses_an_unknown_action_and_closes_the_flow() -> None:
    closed: list[bool] = []
    with (
        kg.KlingClient("http://gw.test", "sk-runner") as client,
        pytest.raises(AssertionError),
    ):
        client._run(_flow_with_unknown_action(closed))
    assert closed == [True]


async def test_the_async_runner_refuses_an_unknown_action_and_closes_the_flow() -> None:
    closed: list[bool] = []
    async with kg.AsyncKlingClient("http://gw.test", "sk-runner") as client:
        with pytest.raises(AssertionError):
            await client._run(_flow_with_unknown_action(closed))
    assert closed == [True]


def _wait_many_then_stop() -> Callable[[], Awaitable[dict[str, int]]]:
    """A failed wait_many, and the polls each task got by a moment after it raised."""

    async def main() -> dict[str, int]:
        gateway = _Gateway()
        async with kg.AsyncKlingClient(
            "http://gw.test", "sk-runner", transport=httpx.MockTransport(gateway)
        ) as client:
            with pytest.raises(_CallbackBroke):
                await client.wait_many(
                    ["running", "done"],
                    deadline=30,
                    interval=0.02,
                    on_progress=_raise_on_done,
                )
            raised = dict(gateway.polls)
            await anyio.sleep(0.3)
        assert gateway.polls == raised, "a wait went on polling after wait_many raised"
        return raised

    return main


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_async_client_runs_under_asyncio_and_trio(backend: str) -> None:
    """The async client sleeps, limits and gathers through anyio, as httpx runs under both:
    a wait, and a failed wait_many that leaves nothing running, on either event loop."""
    polls = anyio.run(_wait_many_then_stop(), backend=backend)
    assert polls["done"] >= 1 and polls["running"] >= 1
