"""The gateway's Kling stage when Kling is a real API: the stand-in (`kling-upstream`) or any
Kling base URL. Submits and polls are forwarded as a gateway's Kling adaptor sends them
(`relay/channel/task/kling/adaptor.go`, `relay/relay_task.go`), signed with a JWT, and Kling's
answers are read the way the gateway reads them.

Without one, the emulator models Kling in-process with the same lifecycle and rules
(`kling_common.wire`, `kling_common.params`).
"""

from __future__ import annotations

from typing import Any

import attrs
import httpx

from kling_common import auth
from kling_common.auth import KeyPair
from kling_common.wire import GATEWAY_STATUS, TaskStatus

from .validation import Refusal

JSON = dict[str, Any]
# What the gateway says instead of Kling's body when Kling answers 429 (controller/relay.go).
UPSTREAM_SATURATED = "当前分组上游负载已饱和，请稍后再试"
VIDEO_TIMEOUT = 60.0  # controller/video_proxy.go
ROUTE_OF_ACTION = {"generate": "image2video", "textGenerate": "text2video"}


@attrs.frozen
class KlingUpstream:
    """Where the Kling channel points: a base URL and the channel's `access|secret` key."""

    base_url: str
    keys: KeyPair
    timeout: float = 30.0


@attrs.frozen
class PollFailure:
    """A poll of Kling without an answer the gateway can read, classified as generation
    C's host does (docs "Polling contract"): its class, Kling's HTTP status (0 for none)."""

    kind: str  # transient, auth, unrecognized, transport_error
    http_status: int
    detail: str

    @classmethod
    def of_status(cls, status: int, detail: str) -> PollFailure:
        kind = "auth" if status in (401, 403) else "transient"
        if 400 <= status < 500 and status not in (401, 403, 429):
            kind = "unrecognized"
        return cls(kind, status, detail)

    @property
    def gone(self) -> bool:
        """Kling no longer knows the task: generation C fails it at once."""
        return self.http_status in (404, 410)

    def describe(self) -> str:
        return f"{self.kind} (HTTP {self.http_status}): {self.detail}"


@attrs.frozen
class Created:
    kling_id: str
    answer: JSON  # Kling's create answer, which the gateway keeps until its first poll


class RemoteKling:
    """Kling over HTTP. `create` runs on the event loop; `poll` runs inside refresh passes,
    which hold the task store's lock, so it is synchronous and is called off the loop."""

    def __init__(self, upstream: KlingUpstream) -> None:
        self.upstream = upstream
        self._base = upstream.base_url.rstrip("/")
        self._poller = httpx.Client(timeout=upstream.timeout, trust_env=False)
        # Made on the event loop by the first submit, and kept: a client per submit would
        # build a TLS context (tens of milliseconds) each time.
        self._submitter: httpx.AsyncClient | None = None

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {auth.sign(self.upstream.keys)}",
            "Accept": "application/json",
            "User-Agent": "kling-sdk/1.0",
        }

    def _client(self) -> httpx.AsyncClient:
        if self._submitter is None:
            self._submitter = httpx.AsyncClient(
                timeout=self.upstream.timeout, trust_env=False
            )
        return self._submitter

    async def create(self, request: JSON, action: str) -> Created | Refusal:
        url = f"{self._base}/v1/videos/{ROUTE_OF_ACTION[action]}"
        try:
            answer = await self._client().post(
                url, json=request, headers=self._headers()
            )
        except httpx.HTTPError as exc:
            return Refusal(500, "task", "do_request_failed", type(exc).__name__)
        if answer.status_code == 429:
            return Refusal(429, "task", "fail_to_fetch_task", UPSTREAM_SATURATED)
        if answer.status_code != 200:
            return Refusal(
                answer.status_code, "task", "fail_to_fetch_task", answer.text
            )
        try:
            body = answer.json()
            code, data = body["code"], body["data"]
        except (ValueError, KeyError, TypeError):
            return Refusal(500, "task", "unmarshal_response_failed", answer.text[:200])
        if code != 0:
            return Refusal(400, "task", "task_failed", str(body.get("message", "")))
        return Created(str(data.get("task_id", "")), body)

    async def video(self, url: str) -> bytes | str:
        """The video at Kling's URL, as /content fetches it (60 s), or the error text the
        gateway answers 502 with."""
        try:
            answer = await self._client().get(url, timeout=VIDEO_TIMEOUT)
        except httpx.HTTPError:
            return "Failed to fetch video content"
        if answer.status_code != 200:
            return f"Upstream service returned status {answer.status_code}"
        return answer.content

    def poll(self, kling_id: str, action: str) -> tuple[str, JSON] | PollFailure:
        """Kling's answer for a task, as a gateway status and the body, or why there is
        none the gateway can read (then it leaves the task as it is, or, in generation C,
        counts the failure)."""
        url = f"{self._base}/v1/videos/{ROUTE_OF_ACTION[action]}/{kling_id}"
        try:
            answer = self._poller.get(url, headers=self._headers())
        except httpx.HTTPError as exc:
            return PollFailure("transport_error", 0, type(exc).__name__)
        if answer.status_code != 200:
            return PollFailure.of_status(answer.status_code, answer.text[:200])
        try:
            body = answer.json()
            status = TaskStatus(body["data"]["task_status"])
        except (ValueError, KeyError, TypeError) as exc:
            return PollFailure("unrecognized", 200, f"unknown task status: {exc}")
        return GATEWAY_STATUS[status], body

    def close(self) -> None:
        self._poller.close()
