"""The emulated gateway as an ASGI application."""

from __future__ import annotations

import json
import random
import time
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import EmulatorConfig, Generation
from .faults import FaultInjector
from .render import gateway_error, request_id, submitted_body, task_body, task_error
from .tasks import PROGRESS, TaskRecord, TaskStore, new_gateway_id, new_kling_id
from .validation import Refusal, check_submit

SEEDED_STATUSES = tuple(PROGRESS)  # one frozen task per gateway status
SEED_DOC_TASK_ID = "842250903629086785"  # the id in the gateway's published example
FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(4096)


class AnyTextConvertor(Convertor[str]):
    """Like Starlette's `path`, but also across newlines: every task id reaches the handler,
    which answers task_not_exist for it as the gateway does (`.*` stops at a newline)."""

    regex = r"[\s\S]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anytext", AnyTextConvertor())


class RequestIdMiddleware:
    """Gives every request an id and every answer the `X-Oneapi-Request-Id` header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id()
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() != b"x-oneapi-request-id"
                ]
                message = {
                    **message,
                    "headers": [*headers, (b"x-oneapi-request-id", rid.encode())],
                }
            await send(message)

        await self.app(scope, receive, send_with_id)


def normalize_token(token: str) -> str:
    return token.removeprefix("sk-")


class Gateway:
    """Handlers and state of one emulated gateway."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.store = TaskStore(config.max_tasks)
        self.rng = random.Random(config.faults.seed)
        self.users = {normalize_token(t): u for t, u in config.tokens.items()}
        self.banned = {normalize_token(t) for t in config.banned_tokens}
        self.seeded: dict[int, dict[str, str]] = {}
        if config.seed_tasks:
            self._seed()

    # -- answers ---------------------------------------------------------------------------

    @staticmethod
    def _rid(request: Request) -> str:
        return str(request.scope["state"]["request_id"])

    def routing_error(
        self, request: Request, status: int, message: str, **kw: str
    ) -> JSONResponse:
        return JSONResponse(
            gateway_error(message, self._rid(request), **kw), status_code=status
        )

    @staticmethod
    def task_error(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse(task_error(code, message), status_code=status)

    def refusal(self, request: Request, refusal: Refusal) -> JSONResponse:
        if refusal.layer == "routing":
            return self.routing_error(
                request, refusal.status, refusal.message, code=refusal.code
            )
        return self.task_error(refusal.status, refusal.code, refusal.message)

    # -- authentication ----------------------------------------------------------------------

    def authenticate(self, request: Request) -> int | JSONResponse:
        """The user id behind the token, or the gateway's 401/403 answer."""
        header = request.headers.get("authorization", "")
        token = normalize_token(header.removeprefix("Bearer ").strip())
        if not token:
            return self.routing_error(request, 401, "No token provided")
        if token in self.banned:
            return self.routing_error(request, 403, "The user is banned")
        user = self.users.get(token)
        if user is None:
            return self.routing_error(request, 401, "Invalid token")
        return user

    # -- routes ------------------------------------------------------------------------------

    async def query(self, request: Request) -> Response:
        user = self.authenticate(request)
        if isinstance(user, JSONResponse):
            return user
        record = self.store.get(request.path_params["task_id"], user)
        if record is None:
            return self.task_error(400, "task_not_exist", "task_not_exist")
        body = task_body(
            record, time.time(), self.config.generation, str(request.base_url)
        )
        return JSONResponse(body)

    async def submit_image(self, request: Request) -> Response:
        return await self._submit(request, action="generate", needs_image=True)

    async def submit_text(self, request: Request) -> Response:
        return await self._submit(request, action="textGenerate", needs_image=False)

    async def _submit(
        self, request: Request, *, action: str, needs_image: bool
    ) -> Response:
        user = self.authenticate(request)
        if isinstance(user, JSONResponse):
            return user
        raw = await self._read_body(request)
        if raw is None:
            return self.task_error(400, "invalid_request", "request body too large")
        try:
            body: Any = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return self.task_error(
                400, "invalid_request", "the request body is not valid JSON"
            )
        refusal = check_submit(body, needs_image=needs_image)
        if refusal is not None:
            return self.refusal(request, refusal)
        record = self.store.add(lambda row: self._new_record(row, user, action, body))
        return JSONResponse(submitted_body(record, self.config.generation))

    async def _read_body(self, request: Request) -> bytes | None:
        """The body, or None once it passes the size limit (without reading the rest)."""
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.config.max_body_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _new_record(
        self, row: int, user: int, action: str, body: dict[str, Any]
    ) -> TaskRecord:
        kling_id = new_kling_id()
        prompt = body["prompt"]
        return TaskRecord(
            task_id=kling_id
            if self.config.generation is Generation.A
            else new_gateway_id(),
            kling_id=kling_id,
            user_id=user,
            action=action,
            model=body.get("model_name") or body.get("model", ""),
            prompt=prompt,
            external_task_id=str(body.get("external_task_id", "")),
            submitted_at=time.time(),
            lifecycle=self.config.lifecycle,
            fails="[fail]" in prompt or self.rng.random() < self.config.failure_rate,
            row_id=row,
        )

    def _seeded_record(
        self,
        user: int,
        task_id: str,
        kling_id: str,
        status: str,
        started: float,
        row: int,
    ) -> TaskRecord:
        return TaskRecord(
            task_id=task_id,
            kling_id=kling_id,
            user_id=user,
            action="generate",
            model="kling-v1-6",
            prompt="A cat turns its head towards the camera",
            external_task_id="",
            submitted_at=started,
            lifecycle=self.config.lifecycle,
            fails=status == "FAILURE",
            row_id=row,
            frozen_status=status,
        )

    async def video(self, request: Request) -> Response:
        return Response(FAKE_MP4, media_type="video/mp4")

    async def health(self, request: Request) -> Response:
        return JSONResponse(
            {
                "ok": True,
                "tasks": len(self.store),
                "generation": self.config.generation.value,
            }
        )

    async def not_found(self, request: Request, exc: Exception) -> Response:
        # Like the gateway's router: unknown paths and unsupported methods are both 404.
        message = f"Invalid URL ({request.method} {request.url.path})"
        return self.routing_error(request, 404, message, type_="invalid_request_error")

    # -- seeding -----------------------------------------------------------------------------

    def _seed(self) -> None:
        """One task per status for every user, frozen in that status."""
        started = time.time() - 100
        for user in sorted(set(self.config.tokens.values())):
            self.seeded[user] = {}
            for index, status in enumerate(SEEDED_STATUSES):
                kling_id = f"8422509036{user:04d}{index:04d}"
                if user == 1 and status == "SUCCESS":
                    kling_id = SEED_DOC_TASK_ID
                if self.config.generation is Generation.A:
                    task_id = kling_id
                else:
                    task_id = (
                        "task_"
                        + f"seed{status.replace('_', '').lower()}u{user}".ljust(32, "0")
                    )

                self.store.add(
                    partial(
                        self._seeded_record, user, task_id, kling_id, status, started
                    )
                )
                self.seeded[user][status] = task_id


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    gateway = Gateway(config or EmulatorConfig())
    routes = [
        Route("/kling/v1/videos/image2video", gateway.submit_image, methods=["POST"]),
        Route("/kling/v1/videos/text2video", gateway.submit_text, methods=["POST"]),
        Route(
            "/kling/v1/videos/image2video/{task_id:anytext}",
            gateway.query,
            methods=["GET"],
        ),
        Route(
            "/kling/v1/videos/text2video/{task_id:anytext}",
            gateway.query,
            methods=["GET"],
        ),
        Route("/emulator/videos/{name}", gateway.video, methods=["GET"]),
        Route("/emulator/health", gateway.health, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: gateway.not_found}
    )
    app.state.gateway = gateway
    # Faults sit inside the request-id layer so that injected answers carry the header too.
    app.add_middleware(FaultInjector, faults=gateway.config.faults)
    app.add_middleware(RequestIdMiddleware)
    return app
