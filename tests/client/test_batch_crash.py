"""`kling batch` killed at random moments (SIGKILL, and Ctrl-C), rerun until done: no job is
submitted twice, no task is lost, every finished video is saved once, and a submit that got
no answer is listed, not resent. Counted by the emulator's own record of submits.

Each run may make a seeded number of requests; the emulator holds the next one, and the
kill lands while it is held: inside a submit, a poll or a download, whatever the machine's
speed. A run thus does a bounded share of the batch, so the kills cannot run out before the
batch is done however slow the machine is; nothing here is timed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from kling_emulator.config import Lifecycle, Refresh
from kling_emulator.server import EmulatorServer

from ..conftest import TOKEN_1, make_config

if sys.platform == "win32":
    pytest.skip("SIGKILL and SIGINT as POSIX sends them", allow_module_level=True)

JOBS = 60
KILLS = 20
LIFECYCLE = 3.0  # seconds from submit to final, on the emulator's clock
RUN = [sys.executable, "-c", "from kling_gateway.cli import main; main()"]


# Requests one run may make before the emulator holds the next: at most 20 x 5 = 100 in the
# killed runs, fewer than the batch needs (60 submits, a poll and a download each at least).
MOST_REQUESTS_PER_RUN = 5


class Gate:
    """Lets `allowed` requests of the batch through, then holds the next one until opened
    (the test's own look at the record of submits is never held)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._allowed: float = float("inf")
        self._passed = 0
        self._holding = False

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def gated(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["path"] != "/emulator/submits":
                await anyio.to_thread.run_sync(self._enter)
            await app(scope, receive, send)

        return gated

    def _enter(self) -> None:
        with self._changed:
            while self._passed >= self._allowed:
                self._holding = True
                self._changed.notify_all()
                self._changed.wait()
            self._passed += 1

    def allow(self, requests: float) -> None:
        with self._changed:
            self._allowed, self._passed, self._holding = requests, 0, False
            self._changed.notify_all()

    def wait_until_holding(self, process: subprocess.Popen[str]) -> None:
        """Until a request is held, or the run ended without needing one more."""
        with self._changed:
            while not self._holding and process.poll() is None:
                self._changed.wait(timeout=0.05)


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def server(gate: Gate) -> Iterator[EmulatorServer]:
    config = make_config(
        lifecycle=Lifecycle.scaled(LIFECYCLE), refresh=Refresh(channels=1024)
    )
    with EmulatorServer(config, wrap=gate.wrap) as running:
        yield running


def write_jobs(path: Path) -> None:
    lines = []
    for n in range(JOBS):
        prompt = f"shot {n}" + (" [fail]" if n % 8 == 3 else "")
        job = {"model": "kling-v1", "image": f"https://example.com/{n}.png"}
        lines.append(json.dumps({**job, "prompt": prompt}))
    path.write_text("\n".join(lines) + "\n")


def run_once(
    command: list[str], env: dict[str, str], gate: Gate, kill: tuple[int, int] | None
) -> tuple[int, str]:
    """One run; `kill` = (signal, requests allowed before the one it lands in)."""
    gate.allow(float("inf") if kill is None else kill[1])
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    if kill is not None:
        gate.wait_until_holding(process)
        if process.poll() is None:
            process.send_signal(kill[0])
        # Ctrl-C lets the submits on their way be answered: the held one goes on.
        gate.allow(float("inf"))
    out, _ = process.communicate(timeout=600)
    return process.returncode, out


@pytest.mark.e2e
@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"]
)
def test_a_batch_killed_at_random_moments_never_pays_twice_and_loses_nothing(
    server: EmulatorServer, gate: Gate, tmp_path: Path, sig: int
) -> None:
    rng = random.Random(20261208 + sig)
    jobs_file, journal, out = tmp_path / "jobs.jsonl", tmp_path / "b.db", tmp_path / "v"
    write_jobs(jobs_file)
    period = Refresh().period * Lifecycle.scaled(LIFECYCLE).scale
    env = {
        **os.environ,
        "KLING_BASE_URL": server.base_url,
        "KLING_API_TOKEN": TOKEN_1,
        "KLING_REFRESH_PERIOD": str(period),
    }
    command = [
        *RUN,
        "batch",
        str(jobs_file),
        "--journal",
        str(journal),
        "-o",
        str(out),
        "--concurrency",
        "2",
        "--json",
    ]
    kills, runs, summary = 0, 0, None
    while summary is None:
        runs += 1
        assert runs < 200, "the batch never finished"
        allowed = rng.randint(1, MOST_REQUESTS_PER_RUN)
        kill = (sig, allowed) if kills < KILLS else None
        code, printed = run_once(command, env, gate, kill)
        # A run that ended by itself printed its summary (an interrupt that landed outside
        # the batch, during start-up or the summary, ends it with a traceback instead).
        finished_by_itself = code in (0, 1) and printed.lstrip().startswith("{")
        if kill is not None and not finished_by_itself:
            kills += 1
        if finished_by_itself:
            summary = json.loads(printed)
    assert kills >= KILLS
    jobs: list[dict[str, Any]] = summary["jobs"]
    created = httpx.get(f"{server.base_url}/emulator/submits").json()["created"]
    per_job = Counter(c["external_task_id"] for c in created)
    duplicates = [ext for ext, n in per_job.items() if n > 1]
    recorded = {job["task_id"] for job in jobs if job["task_id"]}
    unanswered = {
        job["external_task_id"] for job in jobs if job["state"] == "unanswered"
    }
    lost = [
        c
        for c in created
        if c["task_id"] not in recorded and c["external_task_id"] not in unanswered
    ]
    saved = sorted(p.name for p in out.iterdir())
    expected = sorted(
        f"{job['task_id']}.mp4" for job in jobs if job["state"] == "saved"
    )
    print(
        f"\ncrash figures ({signal.Signals(sig).name}): kills {kills}, runs {runs}, "
        f"jobs {len(jobs)}, submits counted by the emulator {len(created)}, "
        f"duplicates {len(duplicates)}, lost {len(lost)}, unanswered {len(unanswered)} "
        f"({sum(per_job[e] for e in unanswered)} of them reached the emulator), "
        f"saved {len(saved)}"
    )
    assert duplicates == [] and lost == []
    assert len(created) == len(jobs) - sum(
        1
        for job in jobs
        if job["state"] == "unanswered" and per_job[job["external_task_id"]] == 0
    )
    assert saved == expected  # each once, and nothing half-written left behind
    for n, job in enumerate(jobs):
        if job["state"] == "unanswered":
            continue
        assert job["state"] == ("failed" if n % 8 == 3 else "saved"), job
    assert summary["exit_code"] == (
        0 if all(j["state"] == "saved" for j in jobs) else 1
    )
