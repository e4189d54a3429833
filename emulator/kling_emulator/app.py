"""The emulated gateway as an ASGI application."""

from __future__ import annotations

import gzip
import html
import json
import random
import time
from collections import deque
from email.utils import formatdate
from functools import lru_cache, partial
from urllib.parse import quote

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kling_common.generation import Generation
from kling_common.serving import bounded_body
from kling_common.video import MEDIA_TYPE, sample_mp4

from .config import GATEWAY_VERSION, EmulatorConfig, token_key
from .faults import FaultInjector
from .kling_stage import Created, RemoteKling
from .refresh import RefreshPasses
from .render import (
    content_error,
    gateway_error,
    panic_error,
    request_id,
    result_of,
    submitted_body,
    task_error,
    task_json,
    video_body,
)
from .seeding import seed_store
from .tasks import TaskRecord, TaskStore, new_gateway_id, new_kling_id
from .validation import (
    MODEL_REQUIRED,
    Refusal,
    Submission,
    model_of,
    parse_body,
    read_submit,
)


class TaskIdConvertor(Convertor[str]):
    """One path segment, newlines included: like gin's `:task_id`, an id never contains `/`
    (such a path is not a route), but every other id reaches the handler."""

    regex = r"[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("taskid", TaskIdConvertor())

# What the gateway's dashboard answers for everything that is not a route (a stand-in for
# its index page).
INDEX_PAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
    b'<title>New API</title></head><body><div id="root"></div></body></html>'
)
# The emulator sends these only as gin's trailing-slash redirects.
REDIRECTS = frozenset({301, 307})
# The web rate limit keeps a window per client address; this many at most.
MAX_LIMITED_ADDRESSES = 10_000
# What gin-contrib/cors (v1.7.2, the gateway's settings) sends.
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
# The web router's Cache-Version (middleware/cache.go at e2c7aa7) and the header a token that
# names a channel is answered with (middleware/auth.go).
CACHE_VERSION = "b688f2fb5be447c25e5aa3bd063087a83db32a288bf6a4f35f2d8db310e40b14"
SPECIFIC_CHANNEL_VERSION = "701e3ae1dc3f7975556d354e0675168d004891c8"
# NoRoute answers JSON only under these prefixes of the request URI.
API_PREFIXES = ("/v1", "/api", "/assets")


@lru_cache(maxsize=2)
def http_date(second: int) -> bytes:
    """The `Date` header for this second. Go's net/http writes it as each answer starts;
    uvicorn's own is refreshed once a second and may be a second stale, so it is off
    (`date_header=False`) and this one is sent instead: clients keep in step with it."""
    return formatdate(second, usegmt=True).encode()


class GatewayHeadersMiddleware:
    """Gives every request an id, and every answer `X-Oneapi-Request-Id`, the gateway's
    `X-New-Api-Version` and `Date`."""

    def __init__(self, app: ASGIApp, version: str) -> None:
        self.app = app
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
                date = (b"date", http_date(int(time.time())))
                # gin's trailing-slash redirects are written before any middleware: they
                # carry neither the request id nor the version (checked on the gateway).
                ours = () if message["status"] in REDIRECTS else added
                message = {**message, "headers": [*headers, *ours, date]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


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


@attrs.frozen
class Caller:
    """Who a request's token belongs to."""

    user: int
    token: str  # as configured, to look up its limits
    allowed_models: frozenset[str] | None  # None: every model


class Gateway:
    """Handlers and state of one emulated gateway."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        passes = None
        if config.refresh is not None:
            passes = RefreshPasses(config.refresh, config.lifecycle.scale, time.time())
        self.store = TaskStore(config.max_tasks, passes=passes)
        self.remote = RemoteKling(config.kling) if config.kling is not None else None
        self._web_hits: dict[str, deque[int]] = {}
        self.rng = random.Random(config.faults.seed)
        self.tokens = {token_key(t): t for t in config.tokens}
        self.seeded: dict[int, dict[str, str]] = {}
        if config.seed_tasks:
            self.seeded = seed_store(self.store, config)

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

    def authenticate(self, request: Request) -> Caller | JSONResponse:
        """The caller behind the token, or the gateway's 401/403 answer (middleware/auth.go)."""
        key = request.headers.get("authorization", "")
        if key.startswith(("Bearer ", "bearer ")):
            key = key[7:].strip()
        parts = key.removeprefix("sk-").split("-")
        token = self.tokens.get(parts[0]) if parts[0] else None
        if token is None:
            # No user yet: the request's language, else the default (middleware/i18n.go).
            chinese = (
                request.headers.get("accept-language", "").lower().startswith("zh")
            )
            return self.routing_error(
                request, 401, "无效的令牌" if chinese else "Invalid token"
            )
        if token in self.config.exhausted_tokens:
            if self.config.generation is Generation.A:
                return self.routing_error(
                    request,
                    401,
                    f"This token quota is exhausted TokenStatusExhausted"
                    f"[sk-{parts[0][:3]}***{parts[0][-3:]}]",
                )
            return self.routing_error(request, 401, "Invalid token")
        if token in self.config.banned_tokens:
            return self.routing_error(request, 403, "User has been banned")
        if len(parts) > 1:
            # The part after `-` names a channel: only administrators may pick one.
            refused = self.routing_error(request, 403, "普通用户不支持指定渠道")
            refused.headers["specific_channel_version"] = SPECIFIC_CHANNEL_VERSION
            return refused
        return Caller(
            self.config.tokens[token], token, self.config.model_limits.get(token)
        )

    def model_refusal(
        self, request: Request, caller: Caller, model: str
    ) -> JSONResponse | None:
        """A model-limited token may not use this model (middleware/distributor.go)."""
        if caller.allowed_models is None or model in caller.allowed_models:
            return None
        return self.routing_error(
            request, 403, f"This token has no access to model {model}"
        )

    # -- routes ------------------------------------------------------------------------------

    async def query(self, request: Request) -> Response:
        """The Kling query routes and GET /v1/video/generations/{id}: one handler."""
        found = await self._queried(request)
        if isinstance(found, Response):
            return found
        body = task_json(
            found, time.time(), self.config.generation, str(request.base_url)
        )
        return Response(body, media_type="application/json")

    async def video_query(self, request: Request) -> Response:
        """GET /v1/videos/{id}: the same lookup, the task as an OpenAI video object."""
        found = await self._queried(request)
        if isinstance(found, Response):
            return found
        return JSONResponse(video_body(found, time.time(), str(request.base_url)))

    async def _queried(self, request: Request) -> TaskRecord | Response:
        """The caller's task, or the answer that refuses the query."""
        if request.method != "GET":  # Starlette adds HEAD to GET routes; gin does not
            return not_a_route(request)
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        record = await self._get(request.path_params["task_id"], caller.user)
        # The model of the task asked for, "" for an unknown one. Generation A gateways
        # refused every query of a model-limited token.
        model = (
            record.model if record and self.config.generation is Generation.B else ""
        )
        refused = self.model_refusal(request, caller, model)
        if refused is not None:
            return refused
        if record is None:
            return self.task_error(400, "task_not_exist", "task_not_exist")
        return record

    async def content(self, request: Request) -> Response:
        """GET /v1/videos/{id}/content (controller/video_proxy.go): token checks but no
        distributor, errors in the route's own shape, the video streamed from its URL.
        Generation A ran the distributor here too: a model-limited token is refused as on
        its query routes (checked on the gateway built from 8aa025f6e)."""
        if request.method != "GET":
            return not_a_route(request)
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        if self.config.generation is Generation.A:
            refused = self.model_refusal(request, caller, "")
            if refused is not None:
                return refused
        record = await self._get(request.path_params["task_id"], caller.user)
        if record is None:
            return JSONResponse(content_error("Task not found"), status_code=404)
        status = record.status_at(time.time())
        if status != "SUCCESS":
            return JSONResponse(
                content_error(f"Task is not completed yet, current status: {status}"),
                status_code=400,
            )
        # The video URL the gateway recorded from Kling's last answer.
        url = result_of(record, status, str(request.base_url))
        if self.remote is None or not url:
            # The video this emulator itself serves for the task: no request to make.
            video = sample_mp4()
        else:
            fetched = await self.remote.video(url)
            if isinstance(fetched, str):
                return JSONResponse(
                    content_error(fetched, "server_error"), status_code=502
                )
            video = fetched
        return Response(
            video,
            media_type=MEDIA_TYPE,
            headers={"Cache-Control": "public, max-age=86400"},
        )

    async def remix(self, request: Request) -> Response:
        """POST /v1/videos/{video_id}/remix: the origin task is looked up first. For one that
        exists the gateway built from e2c7aa7 panics (relay/relay_task.go ResolveOriginTask),
        which its recovery answers as 500; the one built from 8aa025f6e (generation A) makes
        a new task on the origin's model from the body. Both checked on the running gateways."""
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        origin = await self._get(request.path_params["video_id"], caller.user)
        if origin is None:
            return self.task_error(400, "task_not_exist", "task_origin_not_exist")
        if self.config.generation is Generation.A:
            return await self._submit(request, converted=False, model=origin.model)
        return JSONResponse(
            panic_error(
                "runtime error: invalid memory address or nil pointer dereference"
            ),
            status_code=500,
        )

    async def submit(self, request: Request) -> Response:
        """Both Kling submit routes: the task's kind comes from the body, not the route."""
        return await self._submit(request, converted=True)

    async def unified_submit(self, request: Request) -> Response:
        """POST /v1/video/generations and /v1/videos: the same adaptor and answer, the body
        read without the Kling routes' converter (router/video-router.go)."""
        return await self._submit(request, converted=False)

    async def _submit(
        self, request: Request, converted: bool, model: str | None = None
    ) -> Response:
        """A submit; `model` (a remix's origin task's) stands for the body's."""
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        raw = await bounded_body(request, self.config.max_body_bytes)
        if raw is None:
            return self.routing_error(
                request, 400, "Invalid request: Invalid request: request body too large"
            )
        # The unified routes read their body the generation B way in every generation,
        # forms included (checked on the gateway built from 8aa025f6e, generation A).
        generation = self.config.generation if converted else Generation.B
        content_type = request.headers.get("content-type", "")
        body = parse_body(raw, content_type, generation)
        if isinstance(body, Refusal):
            return self.refusal(request, body)
        if model is not None and isinstance(body, dict):
            body = {**body, "model": model}
        found = model_of(body, generation)
        # The routing layer reads the model as text, whatever its JSON type (gjson).
        model = found if isinstance(found, str) else json.dumps(found)
        refused = self.model_refusal(request, caller, model)
        if refused is not None:
            return refused
        if not model:
            return self.routing_error(request, 400, MODEL_REQUIRED)
        if model not in self.config.models:
            return self.routing_error(
                request,
                503,
                f"No available channel for model {model} under group default (distributor)",
                code="model_not_found",
            )
        submission = read_submit(
            body,
            model,
            self.config.generation,
            check_kling=self.remote is None,
            converted=converted,
            # Generation A decoded a unified body's duration as an int: text, from JSON or
            # an urlencoded form, was refused; a multipart form's was read (8aa025f6e).
            int_duration=self.config.generation is Generation.A
            and not converted
            and not content_type.lower().startswith("multipart/"),
        )
        if isinstance(submission, Refusal):
            return self.refusal(request, submission)
        created: Created | None = None
        if self.remote is not None:
            answer = await self.remote.create(
                submission.kling_request, submission.action
            )
            if isinstance(answer, Refusal):
                return self.refusal(request, answer)
            created = answer
        record = self.store.add(
            lambda row: self._new_record(row, caller.user, submission, created)
        )
        # Per-call prices have no other ratios: generation B sends an empty object, A
        # nothing (checked on the gateways built from e2c7aa7 and 8aa025f6e).
        ratios = {"X-New-Api-Other-Ratios": "{}"}
        return JSONResponse(
            submitted_body(record, self.config.generation),
            headers=ratios if self.config.generation is Generation.B else None,
        )

    async def _get(self, task_id: str, user: int | None = None) -> TaskRecord | None:
        """A user's task (any user's with `user=None`, for the emulator's own routes).
        Refresh passes run up to now first; with a real Kling they poll it over HTTP, so
        then the lookup runs off the event loop."""
        if user is None:
            lookup = partial(self.store.find, task_id)
        else:
            lookup = partial(self.store.get, task_id, user)
        if self.remote is None:
            return lookup()
        return await run_in_threadpool(lookup)

    def _new_record(
        self, row: int, user: int, submission: Submission, created: Created | None
    ) -> TaskRecord:
        kling_id = new_kling_id() if created is None else created.kling_id
        return TaskRecord(
            task_id=kling_id
            if self.config.generation is Generation.A
            else new_gateway_id(),
            kling_id=kling_id,
            user_id=user,
            action=submission.action,
            model=submission.model,
            prompt=submission.prompt,
            external_task_id=submission.external_task_id,
            submitted_at=time.time(),
            lifecycle=self.config.lifecycle,
            fails="[fail]" in submission.prompt
            or self.rng.random() < self.config.failure_rate,
            row_id=row,
            kling_request=submission.kling_request,
            remote=self.remote,
            kling_answer=None if created is None else created.answer,
        )

    async def forwarded(self, request: Request) -> Response:
        """What the gateway forwarded to Kling for a task (emulator only, for tests)."""
        record = await self._get(request.path_params["task_id"])
        if record is None:
            return JSONResponse({"error": "no such task"}, status_code=404)
        return JSONResponse(
            {"action": record.action, "kling_request": record.kling_request}
        )

    async def refreshes(self, request: Request) -> Response:
        """How often refresh passes reached a task, and when one last changed it (emulator
        only, for benchmarks: the moment a wait could first have seen its final state)."""
        record = await self._get(request.path_params["task_id"])
        if record is None or record.written is None:
            return JSONResponse({"error": "no such refreshed task"}, status_code=404)
        return JSONResponse(
            {
                "refreshes": record.written.refreshes,
                "written_at": record.written.written_at,
                "status": record.written.status,
            }
        )

    async def video(self, request: Request) -> Response:
        return Response(sample_mp4(), media_type=MEDIA_TYPE)

    async def health(self, request: Request) -> Response:
        return JSONResponse(
            {
                "ok": True,
                "tasks": len(self.store),
                "generation": self.config.generation.value,
            }
        )

    async def not_found(self, request: Request, exc: Exception) -> Response:
        # gin redirects before any middleware runs; the web rate limit counts the rest.
        redirect = trailing_slash_redirect(request)
        if redirect is not None:
            return redirect
        retry_after = self._web_limited(request)
        if retry_after is not None:
            limited = Response(
                status_code=429, headers={"Retry-After": str(retry_after)}
            )
            return gzipped(request, limited)
        return not_a_route(request)

    def _web_limited(self, request: Request) -> int | None:
        """GlobalWebRateLimit's in-memory sliding window (common/rate-limit.go): a request
        is let through while fewer than N were let through in the window; refused ones are
        not counted. The window's length (its Retry-After) when refused, else None."""
        if self.config.web_rate_limit is None:
            return None
        limit, window = self.config.web_rate_limit
        address = request.client.host if request.client else ""
        hits = self._web_hits.get(address)
        if hits is None:
            if len(self._web_hits) >= MAX_LIMITED_ADDRESSES:
                self._web_hits.pop(next(iter(self._web_hits)))
            hits = self._web_hits[address] = deque(maxlen=limit)
        now = int(time.time())
        if len(hits) == limit and now - hits[0] < window:
            return window
        hits.append(now)
        return None


def trailing_slash_redirect(request: Request) -> Response | None:
    """gin.New() keeps RedirectTrailingSlash on: a path that is a route of the same method
    without its trailing slash is redirected there, 301 for GET and 307 otherwise, with Go's
    http.Redirect body. (Starlette's own version strips every trailing slash and redirects
    whatever the method, so it is switched off in create_app.)"""
    path = request.url.path
    if path == "/" or not path.endswith("/"):
        return None
    stripped = path[:-1]
    # gin's tree (getValue, v1.9.1) lets the last parameter be empty when it looks for this
    # redirect: GET .../image2video// goes to .../image2video/, which is no route either.
    probe = stripped + "_" if stripped.endswith("/") else stripped
    scope = {**request.scope, "path": probe}
    if not any(route.matches(scope)[0] == Match.FULL for route in request.app.routes):
        return None
    # Escaped as Go's URL.EscapedPath does: a header carries no raw non-ASCII.
    location = quote(stripped, safe="/:@!$&'()*+,;=~")
    location += f"?{request.url.query}" if request.url.query else ""
    if request.method == "GET":
        return Response(
            f'<a href="{html.escape(location)}">Moved Permanently</a>.\n\n',
            status_code=301,
            media_type="text/html; charset=utf-8",
            headers={"Location": location},
        )
    return Response(status_code=307, headers={"Location": location})


def not_a_route(request: Request) -> Response:
    """gin's NoRoute in the gateway (router/web-router.go): no 404 or 405 for the task routes.
    Only API prefixes get a JSON 404 (without a request id in the message); everything else,
    other methods on the task routes included, gets the dashboard's page with 200. The web
    router's middleware marks both (middleware/cache.go) and gzips them."""
    if request.url.path.startswith(API_PREFIXES):
        body = {
            "error": {
                "message": f"Invalid URL ({request.method} {request.url.path})",
                "type": "invalid_request_error",
                "param": "",
                "code": "",
            }
        }
        answer: Response = JSONResponse(
            body, status_code=404, headers={"Cache-Control": "max-age=604800"}
        )
    else:
        answer = Response(
            INDEX_PAGE,
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )
    answer.headers["Cache-Version"] = CACHE_VERSION
    return gzipped(request, answer)


def gzipped(request: Request, answer: Response) -> Response:
    """gin-contrib/gzip on the web router: every answer gzipped for a client that takes it,
    an empty one too."""
    if "gzip" not in request.headers.get("accept-encoding", ""):
        return answer
    answer.body = gzip.compress(answer.body, mtime=0)
    answer.headers["Content-Length"] = str(len(answer.body))
    answer.headers["Content-Encoding"] = "gzip"
    answer.headers["Vary"] = "Accept-Encoding"
    return answer


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    gateway = Gateway(config or EmulatorConfig())
    routes = [
        Route("/kling/v1/videos/image2video", gateway.submit, methods=["POST"]),
        Route("/kling/v1/videos/text2video", gateway.submit, methods=["POST"]),
        Route(
            "/kling/v1/videos/image2video/{task_id:taskid}",
            gateway.query,
            methods=["GET"],
        ),
        Route(
            "/kling/v1/videos/text2video/{task_id:taskid}",
            gateway.query,
            methods=["GET"],
        ),
        # The unified video routes (router/video-router.go): the same tasks and tokens.
        Route("/v1/video/generations", gateway.unified_submit, methods=["POST"]),
        Route(
            "/v1/video/generations/{task_id:taskid}",
            gateway.query,
            methods=["GET"],
        ),
        Route("/v1/videos", gateway.unified_submit, methods=["POST"]),
        Route("/v1/videos/{task_id:taskid}", gateway.video_query, methods=["GET"]),
        Route("/v1/videos/{task_id:taskid}/content", gateway.content, methods=["GET"]),
        Route("/v1/videos/{video_id:taskid}/remix", gateway.remix, methods=["POST"]),
        Route("/emulator/videos/{name}", gateway.video, methods=["GET"]),
        Route("/emulator/health", gateway.health, methods=["GET"]),
        Route(
            "/emulator/tasks/{task_id:taskid}/forwarded",
            gateway.forwarded,
            methods=["GET"],
        ),
        Route(
            "/emulator/tasks/{task_id:taskid}/refreshes",
            gateway.refreshes,
            methods=["GET"],
        ),
    ]
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: gateway.not_found}
    )
    app.state.gateway = gateway
    # Starlette would answer 307 to a path that matches a route of any method once all its
    # trailing slashes are stripped (an id of "/" made GET .../image2video// a redirect to
    # the submit route, whose method is POST); gin's rule is trailing_slash_redirect's.
    app.router.redirect_slashes = False
    # Faults sit inside the headers layer so that injected answers carry the headers too;
    # CORS answers before either, as the gateway's CORS middleware comes first.
    app.add_middleware(FaultInjector, faults=gateway.config.faults)
    app.add_middleware(CorsMiddleware)
    app.add_middleware(
        GatewayHeadersMiddleware,
        version=GATEWAY_VERSION[gateway.config.generation.value],
    )
    return app
