"""The unified video routes: /v1/video/generations and /v1/videos (with /content, remix)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_common.generation import Generation
from kling_common.video import MEDIA_TYPE, sample_mp4

from .gateway import GatewayCore
from .not_a_route import not_a_route
from .render import content_error, panic_error, result_of, video_body
from .responses import GinJSON


class UnifiedRoutes(GatewayCore):
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
            return GinJSON(content_error("Task not found"), status_code=404)
        status = record.status_at(self.clock())
        if status != "SUCCESS":
            return GinJSON(
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
                return GinJSON(content_error(fetched, "server_error"), status_code=502)
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
        return GinJSON(
            panic_error(
                "runtime error: invalid memory address or nil pointer dereference"
            ),
            status_code=500,
        )

    async def unified_submit(self, request: Request) -> Response:
        """POST /v1/video/generations and /v1/videos: the same adaptor and answer, the body
        read without the Kling routes' converter (router/video-router.go)."""
        return await self._submit(request, converted=False)

    async def video_query(self, request: Request) -> Response:
        """GET /v1/videos/{id}: the same lookup, the task as an OpenAI video object."""
        found = await self._queried(request)
        if isinstance(found, Response):
            return found
        return JSONResponse(
            video_body(
                found, self.clock(), str(request.base_url), self.config.generation
            )
        )
