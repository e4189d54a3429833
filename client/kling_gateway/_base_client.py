"""What the sync and the async client share: settings, request building, routes."""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import httpx

from kling_gateway_api import Client
from kling_gateway_api.api.tasks import (
    get_image_to_video_task,
    get_text_to_video_task,
    submit_image_to_video_task,
    submit_text_to_video_task,
)
from kling_gateway_api.models import ImageToVideoRequest, TextToVideoRequest

from . import errors
from ._response import PARSE_ERRORS
from .pacing import GatewayClock, server_time
from .policies import ProgressCallback, RetryPolicy, Waiter, WaitPolicy
from .settings import Route, Settings
from .submit_fields import checked_fields
from .wire import submit_body

QUERY_MODULES: dict[str, ModuleType] = {
    "image2video": get_image_to_video_task,
    "text2video": get_text_to_video_task,
}
SUBMIT_MODULES: dict[
    str, tuple[ModuleType, type[ImageToVideoRequest | TextToVideoRequest]]
] = {
    "image2video": (submit_image_to_video_task, ImageToVideoRequest),
    "text2video": (submit_text_to_video_task, TextToVideoRequest),
}
SubmitRequest = ImageToVideoRequest | TextToVideoRequest


class ClientBase:
    """Configuration and request building; the subclasses do the I/O."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_connections: int | None = None,
        retry: RetryPolicy | None = None,
        wait: WaitPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        max_response_bytes: int | None = None,
    ) -> None:
        """`timeout` in seconds (or an httpx.Timeout), `max_connections` for the pool,
        `retry` and `wait` policies, extra `headers` for every gateway request; `env`
        replaces os.environ when reading KLING_BASE_URL and KLING_API_TOKEN. A gateway
        answer larger than `max_response_bytes` (decoded; default 16 MiB) is refused as
        malformed, and each request must be answered within its read timeout in total."""
        self._settings = Settings.resolve(
            base_url,
            token,
            timeout=timeout,
            max_connections=max_connections,
            retry=retry,
            wait=wait,
            headers=headers,
            env=env,
            max_response_bytes=max_response_bytes,
        )
        # The generated client without a token: the pooled httpx client set on it by the
        # subclass carries the Authorization header, so the token lives in one place only.
        self._generated = Client(base_url=self._settings.base_url)
        # The gateway's clock, learned from every answer (see pacing.py).
        self._gateway_clock = GatewayClock()

    def _heard(self, sent: float, headers: httpx.Headers) -> None:
        """Every answer's Date keeps waits in step with the gateway's clock (pacing.py)."""
        self._gateway_clock.observe(
            sent, time.monotonic(), server_time(headers.get("date"))
        )

    def _waiter(
        self, task_id: str, policy: WaitPolicy, on_progress: ProgressCallback | None
    ) -> Waiter:
        return Waiter(task_id, policy, on_progress, gateway=self._gateway_clock)

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def max_connections(self) -> int:
        return self._settings.max_connections

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._settings.base_url!r})"

    @staticmethod
    def _query_module(route: Route) -> ModuleType:
        try:
            return QUERY_MODULES[route]
        except KeyError:
            raise errors.ConfigurationError(f"unknown route {route!r}") from None

    @staticmethod
    def _submit_request(
        route: Route,
        request: SubmitRequest | Mapping[str, Any] | None,
        fields: Mapping[str, object],
        retry_submit: bool,
        extra_body: Mapping[str, Any] | None,
    ) -> tuple[ModuleType, SubmitRequest, bool]:
        """The generated module, the request body and whether retrying it is safe."""
        try:
            module, model = SUBMIT_MODULES[route]
        except KeyError:
            raise errors.ConfigurationError(f"unknown route {route!r}") from None
        if isinstance(request, ImageToVideoRequest | TextToVideoRequest):
            if fields:
                raise errors.InvalidRequestError(
                    "pass either a request object or fields, not both"
                )
            if not isinstance(request, model):
                raise errors.InvalidRequestError(f"{route} takes a {model.__name__}")
            data = request.to_dict()
        else:
            data = {**(request or {}), **fields}
            checked_fields(data)
        body = submit_body(data, needs_image=route == "image2video")
        # Fields the spec does not list yet: sent as given, at the top level.
        body.update(extra_body or {})
        try:
            parsed = model.from_dict(body)
        except KeyError as exc:
            raise errors.InvalidRequestError(f"missing field {exc.args[0]!r}") from None
        except PARSE_ERRORS as exc:
            raise errors.InvalidRequestError(f"invalid submit fields: {exc}") from None
        external_id = body.get("external_task_id") or body.get("metadata", {}).get(
            "external_task_id"
        )
        return module, parsed, retry_submit or bool(external_id)
