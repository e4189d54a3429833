from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kling_common.generation import Generation
from kling_emulator.config import EmulatorConfig, Faults, Lifecycle, Refresh
from kling_emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
# The gateway's published documentation lives outside the repository (../shared); the tests
# keep copies of its two machine-readable parts and compare them when the document is there.
SEED_DOCUMENT = ROOT.parent / "shared" / "seed" / "000_b5df622741876b1c.txt"
SEED_EXAMPLE = ROOT / "tests" / "data" / "seed_example.json"
SEED_OPENAPI = ROOT / "tests" / "data" / "seed_openapi.yaml"
# One hypothesis storage for this process and every contract run it starts: each run would
# otherwise compute the Unicode tables again in its own reports folder (seconds of CPU).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(ROOT / ".hypothesis"))


# The property tests' examples: all of them by default and in `make e2e`; `make test` sets a
# share of them (KLING_TEST_EXAMPLE_SHARE) to keep the development loop short.
EXAMPLE_SHARE = float(os.environ.get("KLING_TEST_EXAMPLE_SHARE", "1"))
if not 0 < EXAMPLE_SHARE <= 1:
    raise ValueError("KLING_TEST_EXAMPLE_SHARE must be within (0, 1]")


def examples(count: int) -> int:
    """`count` property-test examples, or the share of them this run was asked for."""
    return max(10, round(count * EXAMPLE_SHARE))


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


FAST_LIFECYCLE_SECONDS = 0.4
TOKEN_1 = "sk-emulatoruser1"
TOKEN_2 = "sk-emulatoruser2"
BANNED = "sk-banned"
EXHAUSTED = "sk-emulatorexhausted"
LIMITED = "sk-emulatorlimited"
BROKE = "sk-emulatorbroke"
LOW_QUOTA = "sk-emulatorlowquota"


def make_config(**changes: Any) -> EmulatorConfig:
    """The tests' emulator: two users and a banned one, a fast clock, generation B."""
    base: dict[str, Any] = {
        "generation": Generation.B,
        "lifecycle": Lifecycle.scaled(FAST_LIFECYCLE_SECONDS),
        "tokens": {
            TOKEN_1: 1,
            TOKEN_2: 2,
            BANNED: 3,
            EXHAUSTED: 1,
            LIMITED: 1,
            BROKE: 4,
            LOW_QUOTA: 1,
        },
        "banned_tokens": frozenset({BANNED}),
        # Session-wide emulators collect many tasks nobody waits for; on one channel they
        # lengthen every pass (a second per task), passes come ticks apart and a new task
        # can skip a state, as on a loaded gateway. A channel per task keeps the tests'
        # gateway lightly loaded; test_pacing covers the loaded case.
        "refresh": Refresh(channels=1024),
        # One address sends every test's requests to the shared emulators; the web rate
        # limit has tests of its own.
        "web_rate_limit": None,
    }
    return EmulatorConfig(**{**base, **changes})


def use_gateway(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    """Point the client's settings at `server`, as a user's environment would, and work in
    `folder`: waits keep in step with the emulator's refresh passes, as fast as its clock
    runs."""
    monkeypatch.setenv("KLING_BASE_URL", server.base_url)
    monkeypatch.setenv("KLING_API_TOKEN", TOKEN_1)
    period = Refresh().period * server.config.lifecycle.scale
    monkeypatch.setenv("KLING_REFRESH_PERIOD", str(period))
    monkeypatch.chdir(folder)


@pytest.fixture(scope="session", params=["A", "B"])
def emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """A real emulator over HTTP on loopback, once per gateway generation, with a fast clock."""
    with EmulatorServer(make_config(generation=Generation(request.param))) as server:
        yield server


@pytest.fixture(scope="session")
def gateway() -> Iterator[EmulatorServer]:
    """One emulator for the client, CLI and README tests; Retry-After 0 keeps retries quick."""
    with EmulatorServer(make_config(faults=Faults(retry_after=0))) as server:
        yield server
