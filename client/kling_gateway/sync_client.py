"""The blocking client."""

from __future__ import annotations

import heapq
import os
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar, Unpack, cast

import httpx

from kling_gateway_api.models import Task

from . import errors
from ._base_client import ClientBase, SubmitRequest
from ._logs import logger, request_record
from ._response import (
    APIResponse,
    Submitted,
    answered,
    checked_task_id,
    last_response,
    remember_response,
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
from .policies import ProgressCallback, RetryPolicy, WaitPolicy
from .settings import Route
from .submit_fields import SubmitFields

T = TypeVar("T")


class KlingClient(ClientBase):
    """A blocking client for the Kling task routes of a gateway.

    Base URL and token come from the arguments or from KLING_BASE_URL and KLING_API_TOKEN.
    Use it as a context manager, or call `close()`.
    """

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_connections: int | None = None,
        max_response_bytes: int | None = None,
        retry: RetryPolicy | None = None,
        wait: WaitPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """`base_url` and `token` default to KLING_BASE_URL and KLING_API_TOKEN (read from
        `env`, os.environ by default). `timeout` in seconds (or an httpx.Timeout) bounds each
        read and each answer in total; `max_connections` sizes the pool; an answer larger
        than `max_response_bytes` (decoded, 16 MiB by default) is refused as malformed.
        `retry` and `wait` are the policies, `headers` extra headers for every gateway
        request, `transport` an httpx transport (proxies, mTLS, tests) that the size and
        time bounds wrap."""
        super().__init__(
            base_url,
            token,
            timeout=timeout,
            max_connections=max_connections,
            max_response_bytes=max_response_bytes,
            retry=retry,
            wait=wait,
            headers=headers,
            env=env,
        )
        self._http = httpx.Client(
            **self._settings.httpx_args(transport),
            event_hooks={"response": [remember_response]},
        )
        self._generated.set_httpx_client(self._http)
        self._video_http: httpx.Client | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        if self._video_http is not None:
            self._video_http.close()

    def _once(
        self,
        send: Callable[[], Any],
        unwrap: Callable[[httpx.Response, object], T],
        what: str,
        attempt: int,
    ) -> APIResponse[T]:
        sent = time.monotonic()
        with request_record(what, attempt, last_response.get), translated_errors():
            detailed = send()
        self._heard(sent, detailed.headers)
        return answered(detailed.parsed, unwrap)

    def _call(
        self,
        what: str,
        idempotent: bool,
        send: Callable[[], Any],
        unwrap: Callable[[httpx.Response, object], T],
    ) -> APIResponse[T]:
        """Every attempt of one call; RetryPolicy.delay decides whether and when to retry."""
        attempt = 1
        while True:
            try:
                return self._once(send, unwrap, what, attempt)
            except errors.KlingError as exc:
                delay = self._settings.retry.delay(attempt, exc, idempotent)
                if delay is None:
                    raise
                logger.info(
                    "%s: retry %d after %s in %.2f s", what, attempt, exc, delay
                )
            time.sleep(delay)
            attempt += 1

    # Queries

    def get_response(
        self, task_id: str, *, route: Route = "image2video"
    ) -> APIResponse[Task]:
        """`get`, with the HTTP response it came from."""
        task_id = checked_task_id(task_id)
        module = self._query_module(route)
        return self._call(
            f"GET {route}/{task_id}",
            True,
            lambda: module.sync_detailed(task_id, client=self._generated),
            partial(task_from, asked=task_id),
        )

    def get(self, task_id: str, *, route: Route = "image2video") -> Task:
        """The task as the gateway has it now."""
        return self.get_response(task_id, route=route).parsed

    # Submits

    def submit_response(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        route: Route = "image2video",
        retry_submit: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[SubmitFields],
    ) -> APIResponse[Submitted]:
        """`submit`, with the HTTP response it came from."""
        module, body, idempotent = self._submit_request(
            route, request, fields, retry_submit, extra_body
        )
        return self._call(
            f"POST {route}",
            idempotent,
            lambda: module.sync_detailed(client=self._generated, body=body),
            submitted_from,
        )

    def submit(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        route: Route = "image2video",
        retry_submit: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[SubmitFields],
    ) -> Submitted:
        """Submit a task: image-to-video, or text-to-video with `route="text2video"`.

        Fields as the spec documents them (`SubmitFields`; a key it does not list is refused
        before sending, with a suggestion); `extra_body` carries fields the spec does not
        list yet. Not retried after it may have reached Kling (it would create and bill a
        second task), unless it has an `external_task_id` or `retry_submit=True`.
        """
        answer = self.submit_response(
            request,
            route=route,
            retry_submit=retry_submit,
            extra_body=extra_body,
            **fields,
        )
        return answer.parsed

    def submit_text_to_video(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        retry_submit: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[SubmitFields],
    ) -> Submitted:
        """`submit(..., route="text2video")`."""
        return self.submit(
            request,
            route="text2video",
            retry_submit=retry_submit,
            extra_body=extra_body,
            **fields,
        )

    # Waiting

    def wait(
        self,
        task_id: str,
        *,
        route: Route = "image2video",
        deadline: float | None = None,
        interval: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Task:
        """Poll until SUCCESS and return the task; raise TaskFailedError on FAILURE and
        WaitTimeoutError after `deadline` seconds. `on_progress` sees every change."""
        waiter = self._waiter(
            task_id, self._settings.wait_policy(deadline, interval), on_progress
        )
        while True:
            sent = waiter.clock()
            response = self.get_response(task_id, route=route)
            delay = waiter.observe(response.parsed, sent=sent)
            if delay is None:
                break
            time.sleep(delay)
        assert waiter.last is not None
        return waiter.last

    def wait_many(
        self,
        task_ids: Iterable[str],
        *,
        route: Route = "image2video",
        deadline: float | None = None,
        interval: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Task | errors.KlingError]:
        """Wait for many tasks from this thread, one request at a time, each polled on its
        own schedule. Returns, in order, each final task or the KlingError that ended its wait."""
        policy = self._settings.wait_policy(deadline, interval)
        ids = list(task_ids)
        results: list[Task | errors.KlingError | None] = [None] * len(ids)
        due = [(time.monotonic(), index) for index in range(len(ids))]
        waiters = [self._waiter(task_id, policy, on_progress) for task_id in ids]
        while due:
            when, index = heapq.heappop(due)
            time.sleep(max(0.0, when - time.monotonic()))
            try:
                sent = waiters[index].clock()
                response = self.get_response(ids[index], route=route)
                delay = waiters[index].observe(response.parsed, sent=sent)
            except errors.KlingError as exc:
                results[index] = exc
                continue
            if delay is None:
                results[index] = waiters[index].last
            else:
                heapq.heappush(due, (time.monotonic() + delay, index))
        return cast(list[Task | errors.KlingError], results)

    # Downloads

    def download(
        self,
        task: Task | str,
        destination: str | os.PathLike[str] = ".",
        *,
        index: int = 0,
        max_bytes: int | None = None,
        route: Route = "image2video",
    ) -> Path:
        """Stream the task's video to `destination` (a file, or a folder for `<task_id>.mp4`).

        The file appears only when complete and of the announced size; on any failure a
        DownloadError is raised and nothing is left behind.
        """
        if isinstance(task, str):
            task = self.get(task, route=route)
        url = video_url(task, index)
        path = destination_for(task, destination, index)
        if self._video_http is None:
            self._video_http = httpx.Client(
                **download_client_args(self._settings.timeout)
            )
        try:
            with (
                PartialFile(path, max_bytes) as part,
                self._video_http.stream("GET", url) as response,
            ):
                part.start(response)
                for chunk in response.iter_bytes():
                    part.write(chunk)
                part.received = response.num_bytes_downloaded
        except httpx.HTTPError as exc:
            raise download_failure(exc) from exc
        return path
