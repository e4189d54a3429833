"""The gateway's CORS layer (gin-contrib/cors v1.7.2, the gateway's settings)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .headers import REDIRECTS

CORS_PREFLIGHT_HEADERS = (
    (b"access-control-allow-credentials", b"true"),
    (b"access-control-allow-headers", b"*"),
    (b"access-control-allow-methods", b"GET,POST,PUT,DELETE,OPTIONS"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-max-age", b"43200"),
)
CORS_HEADERS = (
    (b"access-control-allow-credentials", b"true"),
    (b"access-control-allow-origin", b"*"),
)


class CorsMiddleware:
    """The gateway's CORS layer, on every path: a preflight (OPTIONS with an Origin) is 204
    with the allowed methods and headers, and any other request with an Origin gets the
    allow-origin headers on its answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not any(
            name == b"origin" for name, _ in scope["headers"]
        ):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            start: Message = {
                "type": "http.response.start",
                "status": 204,
                "headers": list(CORS_PREFLIGHT_HEADERS),
            }
            await send(start)
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if (
                message["type"] == "http.response.start"
                and message["status"] not in REDIRECTS
            ):
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *CORS_HEADERS],
                }
            await send(message)

        await self.app(scope, receive, with_cors)
