"""The stand-in for Kling's API as an ASGI application.

Routes, as Kling serves them and a gateway's Kling channel calls them:

* `POST /v1/videos/image2video`, `POST /v1/videos/text2video`: create a task;
* `GET /v1/videos/{action}/{id}`: one task, by Kling's id or the caller's external id;
* `GET /v1/videos/{action}?pageNum=&pageSize=`: the account's tasks, newest first;
* `GET /videos/{task_id}.mp4`: the video of a finished task (the URL its answer carries).

Every Kling route wants a valid JWT (`auth.verify`); each account sees only its own tasks.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kling_common import auth
from kling_common.params import FAIL_MARKER, refusal_of
from kling_common.serving import bounded_body
from kling_common.video import MEDIA_TYPE, sample_mp4
from kling_common.wire import TaskStatus, failure, new_request_id, success

from .callbacks import Callbacks, is_loopback_url
from .config import FAULT_CODES, UpstreamConfig
from .store import Clock, DuplicateExternalId, KlingStore, KlingTask

Handler = Callable[[Request], Awaitable[Response]]
FAULT_HEADER = "x-kling-fault"
_PROMPT_FAULT = re.compile(r"\[kling:(\d{4})\]")
ACTION_OF_ROUTE = {"image2video": "generate", "text2video": "textGenerate"}
PAGE_NUMBERS = range(1, 1001)
PAGE_SIZES = range(1, 501)


class ActionConvertor(Convertor[str]):
    regex = "image2video|text2video"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("kling_action", ActionConvertor())


def kling_error(code: int, detail: str = "") -> JSONResponse:
    status, body = failure(code, new_request_id(), detail)
    return JSONResponse(body, status_code=status)


class KlingStandIn:
    """Handlers and state of one stand-in."""

    def __init__(self, config: UpstreamConfig, clock: Clock = time.time) -> None:
        self.config = config
        # Where every task's lifecycle reads the time: tests step one instead of waiting.
        self.clock = clock
        self.store = KlingStore(config.max_tasks, clock)
        self.rng = random.Random(config.faults.seed)
        self.secrets = config.secrets
        self.callbacks = Callbacks(
            config.lifecycle, self._callback_body, config.callback_timeout, clock
        )
        # Every request the stand-in answered on a Kling route, for tests and cadence
        # measurements: (moment, method, path, status). Bounded.
        self.requests: list[tuple[float, str, str, int]] = []

    # -- answers ----------------------------------------------------------------------------

    def _callback_body(self, task: KlingTask, status: TaskStatus) -> dict[str, Any]:
        return task.data_in(status, self.config.lifecycle)

    def _seen(self, request: Request, status: int) -> None:
        if len(self.requests) >= 100_000:
            del self.requests[:50_000]
        self.requests.append((self.clock(), request.method, request.url.path, status))

    def _account(self, request: Request) -> str | JSONResponse:
        """The caller's access key, or Kling's 401; then any fault asked for."""
        verdict = auth.verify(
            request.headers.get("authorization"), self.secrets, self.config.leeway
        )
        if isinstance(verdict, int):
            return kling_error(verdict)
        fault = self._fault(request.headers.get(FAULT_HEADER, ""))
        if fault is not None:
            return kling_error(fault)
        return verdict

    def _fault(self, asked: str) -> int | None:
        asked = asked.strip()
        if asked.isdigit() and int(asked) in FAULT_CODES:
            return int(asked)
        for code, rate in self.config.faults.rates.items():
            if rate > 0 and self.rng.random() < rate:
                return code
        return None

    # -- routes -----------------------------------------------------------------------------

    def logged(self, handler: Handler) -> Handler:
        """A Kling route's handler whose every answer goes into the request log."""

        async def endpoint(request: Request) -> Response:
            answer = await handler(request)
            self._seen(request, answer.status_code)
            return answer

        return endpoint

    async def create(self, request: Request) -> Response:
        route = request.path_params["action"]
        account = self._account(request)
        if isinstance(account, JSONResponse):
            return account
        body = await self._json_body(request)
        if isinstance(body, JSONResponse):
            return body
        refused = refusal_of(body, ACTION_OF_ROUTE[route], self.config.unsafe_marker)
        if refused is not None:
            return kling_error(refused.code, refused.message)
        prompt = str(body.get("prompt") or "")
        asked = _PROMPT_FAULT.search(prompt)
        if asked and int(asked.group(1)) in FAULT_CODES:
            return kling_error(int(asked.group(1)))
        callback = str(body.get("callback_url") or "")
        if callback and not is_loopback_url(callback):
            return kling_error(
                1201, "callback_url: the stand-in calls back loopback addresses only"
            )
        fails = FAIL_MARKER in prompt or self.rng.random() < self.config.failure_rate
        try:
            video_base = self.config.public_url or str(request.base_url)
            task = self.store.add(account, route, body, fails, video_base)
        except DuplicateExternalId:
            return kling_error(1201, "external_task_id already exists")
        if task.callback_url:
            self.callbacks.schedule(task)
        created = task.data_in(TaskStatus.SUBMITTED, self.config.lifecycle)
        # A create answer carries no status message and no result yet.
        del created["task_status_msg"]
        return JSONResponse(success(created, new_request_id()))

    async def _json_body(self, request: Request) -> dict[str, Any] | JSONResponse:
        raw = await bounded_body(request, self.config.max_body_bytes)
        if raw is None:
            return kling_error(1200, "Invalid request parameters: body too large")
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            return kling_error(1200, "Invalid request parameters: invalid JSON")
        if not isinstance(body, dict):
            return kling_error(1200, "Invalid request parameters: not a JSON object")
        return body

    async def query(self, request: Request) -> Response:
        account = self._account(request)
        if isinstance(account, JSONResponse):
            return account
        route, wanted = request.path_params["action"], request.path_params["task_id"]
        task = self.store.get(account, route, wanted)
        if task is None:
            return kling_error(1203, f"task {wanted[:64]!r} does not exist")
        data = task.data(self.clock(), self.config.lifecycle)
        return JSONResponse(success(data, new_request_id()))

    async def page(self, request: Request) -> Response:
        account = self._account(request)
        if isinstance(account, JSONResponse):
            return account
        try:
            number = int(request.query_params.get("pageNum", "1"))
            size = int(request.query_params.get("pageSize", "30"))
        except ValueError:
            return kling_error(1201, "pageNum and pageSize are whole numbers")
        if number not in PAGE_NUMBERS or size not in PAGE_SIZES:
            return kling_error(1201, "pageNum is 1 to 1000 and pageSize 1 to 500")
        now = self.clock()
        tasks = self.store.page(account, request.path_params["action"], number, size)
        data = [t.data(now, self.config.lifecycle) for t in tasks]
        return JSONResponse(success(data, new_request_id()))

    async def video(self, request: Request) -> Response:
        """A finished task's video; what is not one is not found (no token: Kling's video
        URLs are plain links)."""
        task = self.store.by_id(request.path_params["task_id"])
        if (
            task is None
            or task.status(self.clock(), self.config.lifecycle)
            is not TaskStatus.SUCCEED
        ):
            return Response(b"not found", status_code=404, media_type="text/plain")
        return Response(sample_mp4(), media_type=MEDIA_TYPE)

    async def health(self, request: Request) -> Response:
        return JSONResponse(
            {
                "ok": True,
                "tasks": len(self.store),
                "callbacks": {
                    "sent": self.callbacks.sent,
                    "failed": self.callbacks.failed,
                    "dropped": self.callbacks.dropped,
                },
            }
        )

    async def seen(self, request: Request) -> Response:
        """Every request answered on a Kling route (the last 100,000 at most): when a
        gateway's refresh passes reach each task, for cadence measurements."""
        since = float(request.query_params.get("since", "0") or 0)
        rows = [
            {"at": at, "method": method, "path": path, "status": status}
            for at, method, path, status in self.requests
            if at >= since
        ]
        return JSONResponse({"requests": rows})

    async def not_found(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        if status == 405:
            return kling_error(1202)
        return kling_error(1203, "no such route")


def create_app(
    config: UpstreamConfig | None = None, clock: Clock = time.time
) -> Starlette:
    stand_in = KlingStandIn(config or UpstreamConfig(), clock)
    action = "{action:kling_action}"
    routes = [
        Route(
            f"/v1/videos/{action}", stand_in.logged(stand_in.create), methods=["POST"]
        ),
        Route(f"/v1/videos/{action}", stand_in.logged(stand_in.page), methods=["GET"]),
        Route(
            f"/v1/videos/{action}/{{task_id}}",
            stand_in.logged(stand_in.query),
            methods=["GET"],
        ),
        Route("/videos/{task_id}.mp4", stand_in.video, methods=["GET"]),
        Route("/upstream/health", stand_in.health, methods=["GET"]),
        Route("/upstream/requests", stand_in.seen, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: stand_in.not_found},
    )
    app.state.stand_in = stand_in
    app.router.redirect_slashes = False
    return app
