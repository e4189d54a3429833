"""The flow primitives: what a flow of the client's core asks its runner to do.

A flow is a generator. It yields `Send` and is sent back the `httpx.Response` (or the
`Failure` that stopped it); it yields `Sleep` and is sent back None; it yields `Gather` (wait
for many flows) and `Fetch` (stream a video to a file or memory) and is sent back their results; it
returns the call's result or raises a KlingError. `_client.py` runs them; `_core.py` writes
them.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import attrs
import httpx

from . import errors

T = TypeVar("T")
# Called with the bytes received so far and the size announced (None when not announced).
DownloadProgress = Callable[[int, int | None], object]
# Where a video goes: a file path, a binary file the caller opened, or memory (None).
Destination = Path | IO[bytes] | None


@attrs.frozen
class Send:
    """Send one request to the gateway; the runner sends back its response, read in full, or
    the Failure that stopped it. `timeout` None: the client's."""

    method: str
    url: str
    json: Any = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    timeout: httpx.Timeout | None = None
    # Run by the runner at the last moment before sending (once the request holds its place
    # among those in flight): a batch records the submit's intent there. An error it raises
    # is raised in the flow at this Send instead, and nothing is sent.
    before: Callable[[], object] | None = attrs.field(
        default=None, eq=False, repr=False
    )


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class Gather:
    """Run these flows to their ends and send back their results, in order. The async client
    runs them at once, at most `concurrency` requests in flight; the blocking one takes their
    requests in turn (`in_turn`), one thread being one request at a time."""

    flows: Sequence[Flow[Any]]
    concurrency: int | None = None


@attrs.frozen
class Fetch:
    """Stream the video at `url` to `destination` (bounded; a file only once complete:
    _download.py); the runner sends back the sink's result: the Path, the count of bytes
    written to an open file, or the bytes (destination None). `headers` only for the
    gateway's own /content route (they hold the token: never shown)."""

    url: str = attrs.field(repr=False)
    destination: Destination
    max_bytes: int | None = None
    timeout: httpx.Timeout | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    source: str = "video server"  # who answers, for the error a refusal raises
    # The URL itself is a credential (an artifact's `access=`): never in a message.
    secret: bool = False
    on_progress: DownloadProgress | None = attrs.field(default=None, repr=False)


@attrs.frozen
class Failure:
    """A request that got no usable answer; `response` when its headers had arrived."""

    error: Exception
    response: httpx.Response | None = None


Action = Send | Sleep | Gather | Fetch
Flow = Generator[Action, object, T]


def exchange(send: Send) -> Generator[Action, object, httpx.Response | Failure]:
    outcome = yield send
    assert isinstance(outcome, httpx.Response | Failure), outcome
    return outcome


def settled(flow: Flow[T]) -> Flow[T | errors.KlingError]:
    """The flow's result, or the KlingError that ended it, as a value (for wait_many)."""
    try:
        return (yield from flow)
    except errors.KlingError as exc:
        return exc


def in_turn(
    flows: Sequence[Flow[T]], clock: Callable[[], float] = time.monotonic
) -> Flow[list[T]]:
    """Many flows on one thread: each runs until it would sleep, then the one due soonest
    goes on, so one task's pause (a poll interval, a retry's backoff) never holds up another."""
    results: dict[int, T] = {}
    due = [(clock(), index) for index in range(len(flows))]
    try:
        while due:
            when, index = heapq.heappop(due)
            pause = when - clock()
            if pause > 0:
                yield Sleep(pause)
            outcome: object = None
            thrown: Exception | None = None
            try:
                while True:
                    if thrown is not None:
                        action, thrown = flows[index].throw(thrown), None
                    else:
                        action = flows[index].send(outcome)
                    if isinstance(action, Sleep):
                        heapq.heappush(due, (clock() + action.seconds, index))
                        break
                    try:
                        outcome = yield action
                    except Exception as exc:  # noqa: BLE001
                        # A Send's `before` failed: it belongs to the flow that sent it.
                        thrown = exc
            except StopIteration as stop:
                results[index] = stop.value
    finally:
        # Whatever ends the turns (one wait raising, the caller closing this flow), no
        # other wait is left suspended: each is closed, and its clean-up runs now.
        for flow in flows:
            flow.close()
    return [results[index] for index in range(len(flows))]
