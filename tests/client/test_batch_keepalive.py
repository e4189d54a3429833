"""A pooled connection outlives the gap between two polls of a wait (keep-alive expiry)."""

from __future__ import annotations

import httpcore
import pytest

import kling_gateway as kg
from kling_emulator.server import EmulatorServer
from kling_gateway._pacing import RefreshSchedule
from kling_gateway._settings import KEEPALIVE_EXPIRY

from ..conftest import TOKEN_1

# The longest gap between two polls of one task: a pass every 45 s on a busy gateway.
LONGEST_PASS_GAP = 3 * RefreshSchedule().period


def test_the_expiry_outlasts_a_pass_gap_and_stays_below_common_idle_timeouts() -> None:
    assert LONGEST_PASS_GAP < KEEPALIVE_EXPIRY < 60


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_poll_after_a_pass_gap_reuses_the_connection(
    gateway: EmulatorServer, monkeypatch: pytest.MonkeyPatch, flavour: str
) -> None:
    """Two queries a pass gap apart travel on one connection. httpcore dates a connection's
    expiry by time.monotonic; the gap passes on that clock, not on the wall."""
    import time as real_time

    offset = [0.0]

    class Shifted:
        @staticmethod
        def monotonic() -> float:
            return real_time.monotonic() + offset[0]

    for module in (httpcore._sync.http11, httpcore._async.http11):
        monkeypatch.setattr(module, "time", Shifted)
    task_id = gateway.seeded[1]["SUCCESS"]
    streams = []
    if flavour == "sync":
        with kg.KlingClient(gateway.base_url, TOKEN_1) as client:
            for _ in range(2):
                answer = client.with_raw_response.get(task_id)
                streams.append(answer.http_response.extensions["network_stream"])
                offset[0] += LONGEST_PASS_GAP
    else:
        async with kg.AsyncKlingClient(gateway.base_url, TOKEN_1) as aclient:
            for _ in range(2):
                answer = await aclient.with_raw_response.get(task_id)
                streams.append(answer.http_response.extensions["network_stream"])
                offset[0] += LONGEST_PASS_GAP
    assert streams[0] is streams[1]
