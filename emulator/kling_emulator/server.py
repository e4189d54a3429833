"""Serve the emulator over real HTTP from a background thread (for tests, contract runs, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from .app import create_app
from .config import EmulatorConfig
from .protocol import GatewayHttpProtocol
from .tasks import TaskStore

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class EmulatorServer:
    """`with EmulatorServer(config) as server:` serves on 127.0.0.1 and a free port."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        wrap: Callable[[Starlette], ASGIApp] | None = None,
    ) -> None:
        if host not in LOOPBACK:
            raise ValueError(
                f"the embedded emulator only listens on loopback, not {host!r}"
            )
        self.config = config or EmulatorConfig()
        self.app = create_app(self.config)
        self.host = host
        self._socket = socket.socket(
            socket.AF_INET6 if host == "::1" else socket.AF_INET
        )
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: without it, headers and body go out as two
        # segments and the second waits ~40 ms for a delayed ACK.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((host, port))
        self.port = self._socket.getsockname()[1]
        # `wrap` lets tests serve a deliberately altered gateway around the real one.
        served = wrap(self.app) if wrap is not None else self.app
        uv_config = uvicorn.Config(
            served,
            log_level="critical",
            access_log=False,
            lifespan="off",
            http=GatewayHttpProtocol,
            date_header=False,  # the app sends a precise one, as the gateway does
        )
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def seeded(self) -> dict[int, dict[str, str]]:
        """user id -> status -> id of a task frozen in that status."""
        return self.app.state.gateway.seeded  # type: ignore[no-any-return]

    @property
    def store(self) -> TaskStore:
        return self.app.state.gateway.store  # type: ignore[no-any-return]

    def start(self, timeout: float = 10.0) -> Self:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
