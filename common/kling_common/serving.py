"""Serving an ASGI app with uvicorn on loopback: in a background thread (tests, contract runs,
benchmarks) or in the foreground (the console scripts). The stand-in and the gateway emulator
are served the same way, from here."""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.requests import Request
from starlette.types import ASGIApp

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def uvicorn_config(
    app: ASGIApp,
    *,
    http: Any = "auto",
    log_level: str = "critical",
    certfile: Path | None = None,
    keyfile: Path | None = None,
    **extra: Any,
) -> uvicorn.Config:
    """The settings both servers share: no lifespan, and TLS when given a certificate."""
    if (certfile is None) != (keyfile is None):
        raise ValueError("TLS needs both a certificate and its key")
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=log_level != "critical",
        lifespan="off",
        http=http,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        **extra,
    )


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None once it passes `limit` bytes (the rest is not read)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def check_loopback(host: str) -> None:
    if host not in LOOPBACK:
        raise ValueError(f"serves on loopback only (127.0.0.1, ::1), not {host!r}")


class ThreadedServer:
    """`with ThreadedServer(app) as server:` serves on 127.0.0.1 and a free port until the
    block ends."""

    def __init__(
        self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, **config: Any
    ) -> None:
        check_loopback(host)
        self.host = host
        self.tls = config.get("certfile") is not None
        self._socket = socket.socket(
            socket.AF_INET6 if host == "::1" else socket.AF_INET
        )
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: without it, headers and body go out as two
        # segments and the second waits ~40 ms for a delayed ACK.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn_config(app, **config))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> Self:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
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


def serve_forever(app: ASGIApp, host: str, port: int, **config: Any) -> None:
    """The console scripts' foreground server, until Ctrl-C, which is how one stops it: an
    ordinary end (uvicorn shuts down, then raises the interrupt again), not an error."""
    try:
        uvicorn.Server(uvicorn_config(app, host=host, port=port, **config)).run()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
