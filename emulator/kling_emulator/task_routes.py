"""Generation C's /v1/tasks routes: a task in the gateway's own terms, its artifact list,
and each artifact's content, by token or by the access capability of its content URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_common.video import MEDIA_TYPE, sample_mp4

from .gateway import GatewayCore
from .render import artifact_error, content_error, result_of, task_summary_body
from .responses import GinJSON
from .tasks import TaskRecord

PRIVATE = {"Cache-Control": "private, no-store"}
ARTIFACT_KEY = "video"  # the one artifact the Kling plugin lists
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def access_value(secret: bytes, task_id: str, key: str) -> str:
    """base64url(HMAC-SHA256(CryptoSecret, "v1\\0<task id>\\0<key>")): 43 characters, bound
    to one task and key, with no expiry."""
    mac = hmac.new(secret, f"v1\0{task_id}\0{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


class TaskRoutes(GatewayCore):
    async def task_summary(self, request: Request) -> Response:
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        record = await self._get(request.path_params["task_id"], caller.user)
        if record is None:
            return GinJSON(content_error("Task not found"), status_code=404)
        return GinJSON(task_summary_body(record, self.clock(), str(request.base_url)))

    async def artifacts(self, request: Request) -> Response:
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        record = await self._get(request.path_params["task_id"], caller.user)
        if record is None:
            return GinJSON(artifact_error(404), status_code=404, headers=PRIVATE)
        listed = []
        if self._video_url(record, str(request.base_url)):
            access = access_value(
                self.config.artifact_secret, record.task_id, ARTIFACT_KEY
            )
            base = str(request.base_url).rstrip("/")
            listed.append(
                {
                    "key": ARTIFACT_KEY,
                    "type": "video",
                    "content_url": f"{base}/v1/tasks/{record.task_id}/artifacts/"
                    f"{ARTIFACT_KEY}/content?access={access}",
                }
            )
        return GinJSON(
            {"task_id": record.task_id, "artifacts": listed}, headers=PRIVATE
        )

    async def artifact_content(self, request: Request) -> Response:
        """GET and HEAD: with `access`, every failure is the neutral 404 (checked before
        any lookup); with a token, a task that has not succeeded is 409."""
        task_id = request.path_params["task_id"]
        key = request.path_params["key"]
        access = request.query_params.get("access")
        neutral = GinJSON(artifact_error(404), status_code=404, headers=PRIVATE)
        if access is not None:
            expected = access_value(self.config.artifact_secret, task_id, key)
            if not hmac.compare_digest(access.encode(), expected.encode()):
                retry_after = self.wrong_access.retry_after(request)
                if retry_after is not None:
                    return GinJSON(
                        artifact_error(429),
                        status_code=429,
                        headers={**PRIVATE, "Retry-After": "60"},
                    )
                return neutral
            record = await self._get(task_id)
        else:
            caller = self.authenticate(request)
            if isinstance(caller, JSONResponse):
                return caller
            record = await self._get(task_id, caller.user)
        if record is None or key != ARTIFACT_KEY:
            return neutral
        url = self._video_url(record, str(request.base_url))
        if not url:
            if access is not None:
                return neutral
            return GinJSON(artifact_error(409), status_code=409, headers=PRIVATE)
        return await self._proxied(request, url)

    def _video_url(self, record: TaskRecord, base_url: str) -> str:
        """The video Kling named, once the task succeeded (the plugin's listArtifacts)."""
        status = record.status_at(self.clock())
        return result_of(record, status, base_url) if status == "SUCCESS" else ""

    async def _proxied(self, request: Request, url: str) -> Response:
        """The file, as the host proxies Kling's URL: the range asked for (206), or all."""
        if self.remote is None:
            video = sample_mp4()
        else:
            fetched = await self.remote.video(url)
            if isinstance(fetched, str):
                return GinJSON(artifact_error(404), status_code=404, headers=PRIVATE)
            video = fetched
        headers = {
            **PRIVATE,
            "Accept-Ranges": "bytes",
            "ETag": f'"{hashlib.sha256(video).hexdigest()[:16]}"',
        }
        status, body = 200, video
        wanted = _RANGE.match(request.headers.get("range", "").strip())
        if wanted and (wanted.group(1) or wanted.group(2)):
            size = len(video)
            if wanted.group(1):
                start = int(wanted.group(1))
                end = min(int(wanted.group(2) or size - 1), size - 1)
            else:
                start, end = max(0, size - int(wanted.group(2))), size - 1
            if start > end or start >= size:
                return Response(
                    status_code=416,
                    headers={**headers, "Content-Range": f"bytes */{size}"},
                )
            status, body = 206, video[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(status_code=status, headers=headers, media_type=MEDIA_TYPE)
        return Response(
            body, status_code=status, headers=headers, media_type=MEDIA_TYPE
        )
