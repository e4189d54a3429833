"""The emulated gateway as an ASGI application: its route table, its middlewares, and
what it answers for what is not a route."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kling_common.families import Family
from kling_common.generation import Generation
from kling_common.video import MEDIA_TYPE, sample_mp4

from .config import GATEWAY_VERSION, EmulatorConfig
from .cors import CorsMiddleware
from .faults import FaultInjector
from .headers import GatewayHeadersMiddleware
from .kling_routes import KlingRoutes
from .not_a_route import gzipped, not_a_route, trailing_slash_redirect
from .task_routes import TaskRoutes
from .tasks import Clock
from .unified_routes import UnifiedRoutes


class TaskIdConvertor(Convertor[str]):
    """One path segment, newlines included: like gin's `:task_id`, an id never contains `/`
    (such a path is not a route), but every other id reaches the handler."""

    regex = r"[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("taskid", TaskIdConvertor())


# The paths of the Kling plugin's routes (generation C).
NATIVE_PREFIX = "/kling/v1/videos/"


class Gateway(KlingRoutes, UnifiedRoutes, TaskRoutes):
    """One emulated gateway: every route family on one state, and the emulator's own routes."""

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

    async def submits(self, request: Request) -> Response:
        """Every task a submit created, in order, with the external_task_id it named
        (emulator only, for tests: what a real gateway would have billed)."""
        return JSONResponse({"count": len(self.created), "created": self.created})

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
        plugin_path = (
            self.config.generation is Generation.C
            and request.url.path.startswith(NATIVE_PREFIX)
        )
        if plugin_path and getattr(exc, "status_code", None) == 405:
            # The plugin engine, inside NoRoute and before the web limiter, answers a wrong
            # method on a path it serves with 405 and no body (HandleMethodNotAllowed).
            return Response(status_code=405)
        # gin redirects before any middleware runs (its outer routes only: the plugin's
        # routes are not among them); the web rate limit counts the rest.
        redirect = None if plugin_path else trailing_slash_redirect(request)
        if redirect is not None:
            return redirect
        retry_after = (
            None if self.web_limit is None else self.web_limit.retry_after(request)
        )
        if retry_after is not None:
            limited = Response(
                status_code=429, headers={"Retry-After": str(retry_after)}
            )
            return gzipped(request, limited)
        return not_a_route(request)


def task_routes(gateway: Gateway) -> list[Route]:
    """Generation C's /v1/tasks routes (older gateways answer them as not a route)."""
    return [
        Route("/v1/tasks/{task_id:taskid}", gateway.task_summary, methods=["GET"]),
        Route(
            "/v1/tasks/{task_id:taskid}/artifacts",
            gateway.artifacts,
            methods=["GET"],
        ),
        Route(
            "/v1/tasks/{task_id:taskid}/artifacts/{key:taskid}/content",
            gateway.artifact_content,
            methods=["GET", "HEAD"],
        ),
    ]


def kling_routes(gateway: Gateway) -> list[Route]:
    return [
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
    ]


def generations_routes(gateway: Gateway) -> list[Route]:
    return [
        Route("/v1/video/generations", gateway.unified_submit, methods=["POST"]),
        Route(
            "/v1/video/generations/{task_id:taskid}",
            gateway.query,
            methods=["GET"],
        ),
    ]


def videos_routes(gateway: Gateway) -> list[Route]:
    return [
        Route("/v1/videos", gateway.unified_submit, methods=["POST"]),
        Route("/v1/videos/{task_id:taskid}", gateway.video_query, methods=["GET"]),
        Route("/v1/videos/{task_id:taskid}/content", gateway.content, methods=["GET"]),
        Route("/v1/videos/{video_id:taskid}/remix", gateway.remix, methods=["POST"]),
    ]


def create_app(
    config: EmulatorConfig | None = None, clock: Clock = time.time
) -> Starlette:
    """The gateway's application; `clock` is where it reads the time (tests step one)."""
    gateway = Gateway(config or EmulatorConfig(), clock)
    served = gateway.config.families
    routes = [
        *(kling_routes(gateway) if Family.KLING in served else []),
        # The unified video routes (router/video-router.go): the same tasks and tokens.
        *(generations_routes(gateway) if Family.GENERATIONS in served else []),
        *(videos_routes(gateway) if Family.VIDEOS in served else []),
        *(
            task_routes(gateway)
            if gateway.config.generation is Generation.C and Family.TASKS in served
            else []
        ),
        Route("/emulator/videos/{name}", gateway.video, methods=["GET"]),
        Route("/emulator/health", gateway.health, methods=["GET"]),
        Route("/emulator/submits", gateway.submits, methods=["GET"]),
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
        clock=clock,
    )
    return app
