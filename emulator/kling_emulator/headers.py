"""The gateway's engine-level headers: a request id, the version and `Date` on every answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import formatdate
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .render import request_id

# The emulator sends these only as gin's trailing-slash redirects.
REDIRECTS = frozenset({301, 307})


@lru_cache(maxsize=2)
def http_date(second: int) -> bytes:
    """The `Date` header for this second. Go's net/http writes it as each answer starts;
    uvicorn's own is refreshed once a second and may be a second stale, so it is off
    (`date_header=False`) and this one is sent instead: clients keep in step with it."""
    return formatdate(second, usegmt=True).encode()


class GatewayHeadersMiddleware:
    """Gives every request an id, and every answer `X-Oneapi-Request-Id`, the gateway's
    `X-New-Api-Version` and `Date`."""

    def __init__(
        self, app: ASGIApp, version: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.app = app
        self.clock = clock
        self.version = version.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id()
        scope.setdefault("state", {})["request_id"] = rid
        added = (
            (b"x-oneapi-request-id", rid.encode()),
            (b"x-new-api-version", self.version),
        )
        names = {name for name, _ in added} | {b"date"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if h[0].lower() not in names
                ]
                date = (b"date", http_date(int(self.clock())))
                # gin's trailing-slash redirects are written before any middleware: they
                # carry neither the request id nor the version (checked on the gateway).
                ours = () if message["status"] in REDIRECTS else added
                message = {**message, "headers": [*headers, *ours, date]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
