"""Serve the emulator over real HTTP from a background thread (for tests, contract runs, benchmarks)."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.types import ASGIApp

from kling_common.serving import ThreadedServer

from .app import create_app
from .config import EmulatorConfig
from .protocol import KEEP_ALIVE_SECONDS, GatewayHttpProtocol
from .tasks import Clock, TaskStore


class EmulatorServer(ThreadedServer):
    """`with EmulatorServer(config) as server:` serves on 127.0.0.1 and a free port."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        wrap: Callable[[Starlette], ASGIApp] | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.config = config or EmulatorConfig()
        # `clock`: the time the gateway reads; a test's own clock steps its tasks' lifecycle.
        self.app = create_app(self.config, clock)
        # `wrap` lets tests serve a deliberately altered gateway around the real one.
        served = wrap(self.app) if wrap is not None else self.app
        super().__init__(
            served,
            host,
            port,
            http=GatewayHttpProtocol,
            date_header=False,  # the app sends a precise one, as the gateway does
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )

    @property
    def seeded(self) -> dict[int, dict[str, str]]:
        """user id -> status -> id of a task frozen in that status."""
        return self.app.state.gateway.seeded  # type: ignore[no-any-return]

    @property
    def store(self) -> TaskStore:
        return self.app.state.gateway.store  # type: ignore[no-any-return]
