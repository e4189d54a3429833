"""The Kling routes: POST /kling/v1/videos/{image2video,text2video} and their queries."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from .gateway import GatewayCore
from .render import task_json


class KlingRoutes(GatewayCore):
    async def submit(self, request: Request) -> Response:
        """Both Kling submit routes: the task's kind comes from the body, not the route."""
        return await self._submit(request, converted=True)

    async def query(self, request: Request) -> Response:
        """The Kling query routes and GET /v1/video/generations/{id}: one handler."""
        found = await self._queried(request)
        if isinstance(found, Response):
            return found
        body = task_json(
            found, time.time(), self.config.generation, str(request.base_url)
        )
        return Response(body, media_type="application/json")
