"""Fault injection as ASGI middleware, so that it can also break the HTTP exchange itself."""

from __future__ import annotations

import asyncio
import json
import math
import random

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import FAULT_KINDS, Faults
from .kling_stage import UPSTREAM_SATURATED
from .render import gateway_error, panic_error, task_error

FAULT_HEADER = b"x-emulator-fault"
_RID = "20261124054102123456789ABCDEF"
# The answers of the real gateway that a fault stands for, by status and shape.
FAULT_BODIES: dict[str, tuple[int, dict[str, object]]] = {
    # Kling refused a submit for load: the gateway rewrites the message to a fixed text.
    "429": (
        429,
        task_error("fail_to_fetch_task", UPSTREAM_SATURATED),
    ),
    "429-gate": (
        429,
        gateway_error("Too many concurrent requests for this token", _RID),
    ),
    "500-panic": (500, panic_error("runtime error")),
    "502": (502, task_error("fail_to_fetch_task", "emulated 502")),
    "503": (503, task_error("fail_to_fetch_task", "emulated 503")),
    "503-no-channel": (
        503,
        gateway_error(
            "No available channel for model kling-v1-6 under group default (distributor)",
            _RID,
            code="model_not_found",
        ),
    ),
    "504": (504, task_error("fail_to_fetch_task", "emulated 504")),
}


class DroppedConnection(Exception):
    """Raised after the answer has started, so that the server cuts the connection."""


def parse_fault_header(value: str) -> tuple[float, list[str]]:
    """`latency=0.2,503` -> (0.2, ["503"]). Unknown words are ignored; a latency that is not
    a finite number is a ValueError (answered 400)."""
    latency, kinds = 0.0, []
    for word in (w.strip() for w in value.split(",")):
        if word.startswith("latency="):
            try:
                seconds = float(word.removeprefix("latency="))
            except ValueError:
                continue
            if not math.isfinite(seconds):
                raise ValueError("latency must be a finite number of seconds")
            latency = min(max(seconds, 0.0), 30.0)
        elif word in FAULT_KINDS:
            kinds.append(word)
    return latency, kinds


class FaultInjector:
    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults
        self.rng = random.Random(faults.seed)

    def _drawn(self) -> list[str]:
        return [
            kind
            for kind, rate in self.faults.rates.items()
            if rate > 0 and self.rng.random() < rate
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/emulator/"):
            await self.app(scope, receive, send)
            return
        latency, kinds = self.faults.latency, self._drawn()
        header = dict(scope["headers"]).get(FAULT_HEADER)
        if header is not None:
            try:
                extra_latency, extra_kinds = parse_fault_header(
                    header.decode("latin-1")
                )
            except ValueError as exc:
                body = {
                    "error": {"message": f"X-Emulator-Fault: {exc}", "type": "emulator"}
                }
                await _send(
                    send,
                    400,
                    [(b"content-type", b"application/json")],
                    json.dumps(body).encode(),
                )
                return
            latency += extra_latency
            kinds += extra_kinds
        if latency:
            await asyncio.sleep(latency)
        if not kinds:
            await self.app(scope, receive, send)
            return
        await self._inject(kinds[0], send)

    async def _inject(self, kind: str, send: Send) -> None:
        # The request-id middleware around this one adds X-Oneapi-Request-Id.
        headers = [(b"content-type", b"application/json; charset=utf-8")]
        if kind in FAULT_BODIES:
            status, body = FAULT_BODIES[kind]
            if status == 429 and self.faults.retry_after is not None:
                headers.append((b"retry-after", str(self.faults.retry_after).encode()))
            await _send(
                send, status, headers, json.dumps(body, ensure_ascii=False).encode()
            )
        elif kind == "malformed":
            headers = [(b"content-type", b"text/html")]
            await _send(
                send, 200, headers, b"<html><body>502 Bad Gateway</body></html>"
            )
        elif kind == "truncated":
            await _send(
                send,
                200,
                headers,
                b'{"code": "success", "message": "", "data": {"task_id": "8422',
            )
        else:  # drop: promise a body, then cut the connection before it arrives
            start: Message = {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", b"1000"),
                ],
            }
            await send(start)
            await send(
                {
                    "type": "http.response.body",
                    "body": b'{"code": "succ',
                    "more_body": True,
                }
            )
            raise DroppedConnection("emulated dropped connection")


async def _send(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
