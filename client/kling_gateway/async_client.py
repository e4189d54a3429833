"""The asyncio client: the same methods as KlingClient, awaited."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import tenacity

from kling_gateway_api.models import Task

from . import errors
from ._common import ClientBase, SubmitRequest
from .answers import (
    APIResponse,
    Submitted,
    answered,
    checked_task_id,
    remember_response_async,
    submitted_from,
    task_from,
    translated_errors,
)
from .download import (
    PartialFile,
    destination_for,
    download_client_args,
    download_failure,
    video_url,
)
from .policies import ProgressCallback, Waiter
from .settings import Route

T = TypeVar("T")


class AsyncKlingClient(ClientBase):
    """An asyncio client for the Kling task routes of a gateway.

    Base URL and token come from the arguments or from KLING_BASE_URL and KLING_API_TOKEN.
    Use it as an async context manager, or await `aclose()`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = httpx.AsyncClient(
            **self._settings.httpx_args(asynchronous=True),
            event_hooks={"response": [remember_response_async]},
        )
        self._generated.set_async_httpx_client(self._http)
        self._video_http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._video_http is not None:
            await self._video_http.aclose()

    async def _once(
        self,
        send: Callable[[], Awaitable[Any]],
        unwrap: Callable[[httpx.Response, object], T],
    ) -> APIResponse[T]:
        with translated_errors():
            detailed = await send()
        return answered(detailed.parsed, unwrap)

    async def _call(
        self,
        what: str,
        idempotent: bool,
        send: Callable[[], Awaitable[Any]],
        unwrap: Callable[[httpx.Response, object], T],
    ) -> APIResponse[T]:
        try:
            return await self._once(send, unwrap)
        except errors.KlingError as exc:
            delay = self._settings.retry.first_retry(exc, idempotent, what)
            if delay is None:
                raise
        await asyncio.sleep(delay)
        retrying = tenacity.AsyncRetrying(
            **self._settings.retry.tenacity_args(idempotent, what)
        )
        result: APIResponse[T] = await retrying(self._once, send, unwrap)
        return result

    # Queries

    async def get_response(
        self, task_id: str, *, route: Route = "image2video"
    ) -> APIResponse[Task]:
        """`get`, with the HTTP response it came from."""
        task_id = checked_task_id(task_id)
        module = self._query_module(route)
        return await self._call(
            f"GET {route}/{task_id}",
            True,
            lambda: module.asyncio_detailed(task_id, client=self._generated),
            partial(task_from, asked=task_id),
        )

    async def get(self, task_id: str, *, route: Route = "image2video") -> Task:
        """The task as the gateway has it now."""
        return (await self.get_response(task_id, route=route)).parsed

    # Submits

    async def submit_response(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        route: Route = "image2video",
        retry_submit: bool = False,
        **fields: Any,
    ) -> APIResponse[Submitted]:
        """`submit`, with the HTTP response it came from."""
        module, body, idempotent = self._submit_request(
            route, request, fields, retry_submit
        )
        return await self._call(
            f"POST {route}",
            idempotent,
            lambda: module.asyncio_detailed(client=self._generated, body=body),
            submitted_from,
        )

    async def submit(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        retry_submit: bool = False,
        **fields: Any,
    ) -> Submitted:
        """Submit an image-to-video task (see KlingClient.submit)."""
        return (
            await self.submit_response(request, retry_submit=retry_submit, **fields)
        ).parsed

    async def submit_text_to_video(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        retry_submit: bool = False,
        **fields: Any,
    ) -> Submitted:
        """Submit a text-to-video task; fields as in TextToVideoRequest."""
        answer = await self.submit_response(
            request, route="text2video", retry_submit=retry_submit, **fields
        )
        return answer.parsed

    # Waiting

    async def wait(
        self,
        task_id: str,
        *,
        route: Route = "image2video",
        timeout: float | None = None,
        interval: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Task:
        """Poll until SUCCESS (see KlingClient.wait). Cancelling the awaiting task stops
        the polling at once."""
        waiter = Waiter(
            task_id, self._settings.wait_policy(timeout, interval), on_progress
        )
        return await self._wait(waiter, route)

    async def _wait(
        self,
        waiter: Waiter,
        route: Route,
        limit: AbstractAsyncContextManager[Any] | None = None,
    ) -> Task:
        while True:
            async with limit or nullcontext():
                task = await self.get(waiter.task_id, route=route)
            delay = waiter.observe(task)
            if delay is None:
                return task
            await asyncio.sleep(delay)

    async def wait_many(
        self,
        task_ids: Iterable[str],
        *,
        route: Route = "image2video",
        timeout: float | None = None,
        interval: float | None = None,
        on_progress: ProgressCallback | None = None,
        concurrency: int | None = None,
    ) -> list[Task | errors.KlingError]:
        """Wait for many tasks at once, with at most `concurrency` requests in flight (the
        connection pool's size by default). Returns, in order, each final task or the
        KlingError that ended its wait."""
        policy = self._settings.wait_policy(timeout, interval)
        limit = asyncio.Semaphore(concurrency or self.max_connections)

        async def one(task_id: str) -> Task | errors.KlingError:
            try:
                return await self._wait(
                    Waiter(task_id, policy, on_progress), route, limit
                )
            except errors.KlingError as exc:
                return exc

        return list(await asyncio.gather(*(one(task_id) for task_id in task_ids)))

    # Downloads

    async def download(
        self,
        task: Task | str,
        destination: str | os.PathLike[str] = ".",
        *,
        index: int = 0,
        max_bytes: int | None = None,
    ) -> Path:
        """Stream the task's video to `destination` (see KlingClient.download)."""
        if isinstance(task, str):
            task = await self.get(task)
        url = video_url(task, index)
        path = destination_for(task, destination, index)
        if self._video_http is None:
            self._video_http = httpx.AsyncClient(
                **download_client_args(self._settings.timeout)
            )
        try:
            with PartialFile(path, max_bytes) as part:
                async with self._video_http.stream("GET", url) as response:
                    part.start(response)
                    async for chunk in response.aiter_bytes():
                        part.write(chunk)
                part.received = response.num_bytes_downloaded
        except httpx.HTTPError as exc:
            raise download_failure(exc) from exc
        return path
