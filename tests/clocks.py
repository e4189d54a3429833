"""A clock the tests step by hand, for the emulator's and the stand-in's lifecycles.

Given one, a server shows its tasks' states as of the moment the test has stepped to, so a
test sees every stage in order however slowly a loaded machine answers, and waits for none.
"""

from __future__ import annotations

import threading
import time


class SteppedClock:
    """Unix time that stands still until `advance` moves it (thread-safe: the servers read
    it from their own threads). It starts at the real time, so that moments still look like
    today's (`Date` headers, millisecond timestamps)."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._now += seconds
