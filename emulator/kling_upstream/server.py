"""Serve the stand-in over real HTTP (or HTTPS) from a background thread."""

from __future__ import annotations

import time
from pathlib import Path

from kling_common.serving import ThreadedServer

from .app import KlingStandIn, create_app
from .config import UpstreamConfig
from .store import Clock


class UpstreamServer(ThreadedServer):
    """`with UpstreamServer(config) as kling:` serves Kling's API on 127.0.0.1 and a free
    port; `kling.base_url` is what a gateway's Kling channel points at."""

    def __init__(
        self,
        config: UpstreamConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        certfile: Path | None = None,
        keyfile: Path | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.config = config or UpstreamConfig()
        # `clock`: the time the tasks' lifecycle reads; a test's own clock steps it.
        self.app = create_app(self.config, clock)
        super().__init__(self.app, host, port, certfile=certfile, keyfile=keyfile)

    @property
    def stand_in(self) -> KlingStandIn:
        stand_in: KlingStandIn = self.app.state.stand_in
        return stand_in

    @property
    def channel_key(self) -> str:
        """The key a gateway's Kling channel is given: `access_key|secret_key`."""
        keys = self.config.keys[0]
        return f"{keys.access_key}|{keys.secret_key}"
