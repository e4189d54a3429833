"""The Kling routes: POST /kling/v1/videos/{image2video,text2video} and their queries.

Generations A and B answer them through the gateway's own task layer (gateway.py); a
generation C gateway through the official Kling task plugin (native.py): Kling's own
envelope with the gateway's id, and the plugin's error shape after the token checks.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_common import params as kling_params
from kling_common.generation import Generation
from kling_common.serving import bounded_body

from . import native
from .gateway import GatewayCore
from .kling_stage import Created
from .render import native_created_body, native_task_body, task_json
from .validation import Refusal, Submission


class KlingRoutes(GatewayCore):
    async def submit(self, request: Request) -> Response:
        """Both Kling submit routes: the task's kind comes from the body, not the route
        (in generation C, from the route)."""
        if self.config.generation is Generation.C:
            return await self._native_submit(request)
        return await self._submit(request, converted=True)

    async def query(self, request: Request) -> Response:
        """The Kling query routes and GET /v1/video/generations/{id}: one handler."""
        native_route = request.url.path.startswith("/kling/")
        if self.config.generation is Generation.C and native_route:
            return await self._native_query(request)
        found = await self._queried(request)
        if isinstance(found, Response):
            return found
        body = task_json(
            found, self.clock(), self.config.generation, str(request.base_url)
        )
        return Response(body, media_type="application/json")

    # Generation C: the Kling task plugin

    async def _native_query(self, request: Request) -> Response:
        """The plugin's query route: token checks, then the caller's task (no channel and
        no model check), rendered by the plugin; an unknown or another user's id is 404."""
        if request.method != "GET":  # Starlette adds HEAD; the plugin engine does not
            return Response(status_code=405)
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        record = await self._get(request.path_params["task_id"], caller.user)
        if record is None:
            return native_error(404, "Task not found")
        body = native_task_body(record, self.clock(), str(request.base_url))
        return JSONResponse(body)

    async def _native_submit(self, request: Request) -> Response:
        """The plugin's submit route: the route fixes the action, the model is one of the
        plugin's, and the whole body reaches Kling as sent."""
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        raw = await bounded_body(request, self.config.max_body_bytes)
        if raw is None:
            return native_error(400, "request body too large")
        decoded = native.decode_submit(raw, request.headers.get("content-type", ""))
        if isinstance(decoded, native.NativeRefusal):
            return JSONResponse(decoded.body(), status_code=decoded.status)
        body, model = decoded
        if caller.allowed_models is not None and model not in caller.allowed_models:
            return native_error(403, f"This token has no access to model {model}")
        if model not in self.config.models:
            return native_error(503, "no channel for the model")
        purse = self.purse_refusal(caller)
        if purse is not None:
            # Past the route's preparation: the plugin's shape, the host's text.
            return native_error(403, purse.message)
        action = native.ACTION_OF_ROUTE[request.url.path.rsplit("/", 1)[1]]
        kling_request = native.kling_request(body, model)
        created: Created | None = None
        if self.remote is not None:
            answer = await self.remote.create(kling_request, action)
            if isinstance(answer, Refusal):
                return native_refusal(answer)
            created = answer
        else:
            refused = kling_params.refusal_of(kling_request, action, models=None)
            if refused is not None:
                # Kling's 400, passed on with the host's text for it.
                return native_error(400, refused.message)
        prompt = kling_request.get("prompt")
        submission = Submission(
            action, model, prompt if isinstance(prompt, str) else "", kling_request
        )
        record = self.store.add(
            lambda row: self._new_record(row, caller.user, submission, created)
        )
        record.max_poll_failures = native.MAX_POLL_FAILURES
        return JSONResponse(
            native_created_body(record, str(request.base_url)),
            headers={"X-New-Api-Other-Ratios": "{}"},
        )


def native_error(status: int, message: str) -> JSONResponse:
    return JSONResponse(native.error_body(status, message), status_code=status)


def native_refusal(refusal: Refusal) -> JSONResponse:
    """Kling's refusal of a submit, as the host passes it on: Kling's HTTP status for a
    4xx, 502 for an answer of 200 whose code is not 0, the 5xx as it came."""
    if refusal.code == "task_failed":
        return native_error(502, refusal.message)
    if refusal.status == 429:
        return native_error(429, "Too many requests")
    return native_error(refusal.status, refusal.message)
