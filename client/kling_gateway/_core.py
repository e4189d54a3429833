"""The client's one core, without I/O: every call is a flow that says what to do next
(`_flows.py`). `KlingClient` runs flows with httpx.Client and time.sleep, `AsyncKlingClient`
with httpx.AsyncClient, as httpx's `Auth.auth_flow` drives both of its clients: retries,
waiting, request building and answer classification exist once, and a test can drive a flow
with scripted answers on a fake clock. Which operation serves each call is `_routes.py`'s.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar, Unpack

import attrs
import httpx

from kling_common.families import is_not_a_route
from kling_gateway_api import Client
from kling_gateway_api.models import (
    ImageToVideoRequest,
    TextToVideoRequest,
    VideoSubmitRequest,
)

from . import errors
from ._download import destination_for, video_url
from ._flows import (
    Destination,
    DownloadProgress,
    Failure,
    Fetch,
    Flow,
    Gather,
    Send,
    Sleep,
    exchange,
    settled,
)
from ._generated import Parser
from ._images import with_images_encoded
from ._logs import logger
from ._pacing import GatewayClock, server_time
from ._policies import ProgressCallback, Waiter, WaitPolicy
from ._response import (
    PARSE_ERRORS,
    APIResponse,
    Generated,
    Submitted,
    artifact_url,
    checked_task_id,
    connection_error,
    gave_up,
    is_native,
    malformed,
    request_id_of,
    submitted_from,
)
from ._routes import (
    ARTIFACTS,
    CONTENT,
    KLING_ROUTES,
    QUERIES,
    SUBMITS,
    UNIFIED_ROUTES,
    Route,
    SubmitRequest,
    route_entry,
)
from ._settings import Settings, checked_timeout
from ._submit_fields import SubmitFields, checked_fields
from ._task_model import Task
from ._tasks import is_final, is_success, video_urls
from ._transport import ResponseTooLarge
from ._wire import submit_body, unified_submit_body

T = TypeVar("T")
R = TypeVar("R")
# What can go wrong while an answer's body is read, after its headers arrived.
UNREADABLE = (httpx.TransportError, httpx.DecodingError, ResponseTooLarge)


def _outcome_text(outcome: httpx.Response | Failure) -> str:
    if isinstance(outcome, Failure):
        return type(outcome.error).__name__
    return f"{outcome.status_code} (request id {request_id_of(outcome) or '-'})"


class ClientCore:
    """Settings, the gateway's clock and every call as a flow; the clients do the I/O.

    The public methods' signatures and docstrings are these: the clients wrap each one
    (`_client.py`), so the blocking and the async client cannot drift apart.
    """

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        gateway_clock: GatewayClock | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        # The generated parsers take a client; they read only its raise_on_unexpected_status
        # (off: an undocumented status comes back as None and is classified here).
        self._generated = Client(base_url=settings.base_url)
        # The gateway's clock, learned from every answer (see _pacing.py); shared by the
        # copies of a client (with_options), which talk to the same gateway.
        self.gateway_clock = gateway_clock or GatewayClock()
        # The settings' own headers on every request, so that a copy with other headers
        # sends them over the connections it shares (the token is the client's alone).
        self._headers = {
            name: value
            for name, value in settings.headers.items()
            if name.lower() != "authorization"
        }

    # One call, with its retries

    def _call(
        self,
        what: str,
        send: Send,
        parse: Parser[T],
        unwrap: Callable[[httpx.Response, T], R],
        idempotent: bool,
    ) -> Flow[APIResponse[R]]:
        """Every attempt of one call; RetryPolicy.delay decides whether and when to retry."""
        attempt = 1
        started = self.clock()
        while True:
            sent = self.clock()
            outcome = yield from exchange(send)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "%s -> %s in %.1f ms, attempt %d",
                    what,
                    _outcome_text(outcome),
                    (self.clock() - sent) * 1000,
                    attempt,
                )
            try:
                result = self._answer(outcome, sent, parse, unwrap)
            except errors.KlingError as exc:
                delay = self.settings.retry.delay(attempt, exc, idempotent)
                if delay is None and isinstance(exc, errors.APIConnectionError):
                    raise gave_up(
                        exc,
                        f"{send.method} {self.settings.base_url}{send.url}",
                        attempt,
                        self.clock() - started,
                        send.timeout or self.settings.timeout,
                    ) from exc.__cause__
                if delay is None:
                    raise
                logger.info(
                    "%s: retry %d after %s in %.2f s", what, attempt, exc, delay
                )
            else:
                assert isinstance(outcome, httpx.Response)  # a Failure raised above
                return APIResponse(result, outcome, retries_taken=attempt - 1)
            yield Sleep(delay)
            attempt += 1

    def _answer(
        self,
        outcome: httpx.Response | Failure,
        sent: float,
        parse: Parser[T],
        unwrap: Callable[[httpx.Response, T], R],
    ) -> R:
        if isinstance(outcome, Failure):
            raise _unanswered(outcome) from outcome.error
        self.gateway_clock.observe(
            sent, self.clock(), server_time(outcome.headers.get("date"))
        )
        try:
            parsed = parse(client=self._generated, response=outcome)
        except PARSE_ERRORS as exc:
            raise malformed(outcome, exc) from exc
        return unwrap(outcome, parsed)

    def _send(
        self,
        kwargs: Mapping[str, Any],
        timeout: float | httpx.Timeout | None,
        extra_headers: Mapping[str, str] | None,
    ) -> Send:
        """The request the generated builder describes, with the call's own options."""
        return Send(
            method=kwargs["method"].upper(),
            url=kwargs["url"],
            json=kwargs.get("json"),
            headers={
                **self._headers,
                **kwargs.get("headers", {}),
                **(extra_headers or {}),
            },
            # Always explicit: a copy of a client (with_options) shares its connections,
            # not its default timeout.
            timeout=checked_timeout(timeout) or self.settings.timeout,
        )

    # The calls: signatures and docstrings of both clients' methods

    def get(
        self,
        task_id: str,
        *,
        route: Route | None = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Flow[APIResponse[Task]]:
        """The task as the gateway has it now: its own status and reason, as `wait` sees
        them, on every generation (on generation C that takes a second request while the
        task is not final, see `_reads`).

        `route` reads one family alone, as asked: a Kling route, `"generations"`, `"videos"`
        or `"tasks"` (any of them reads a task created on any other); generation C's Kling
        routes then show Kling's last stored answer, which stays "processing" for a task the
        gateway failed itself. A `"videos"` answer is read in the same terms as the others:
        the status a Kling route reports (`unknown` is NOT_START), progress as "N%", times
        in seconds, the URL as `result_url`, no Kling payload.
        `timeout` (seconds, or an httpx.Timeout) replaces the client's for this call, each
        attempt's answer included; `extra_headers` are added to this call's requests."""
        if route is not None:
            return (yield from self._query(task_id, route, timeout, extra_headers)())
        read = self._reads(task_id, "image2video", timeout, extra_headers)
        return (yield from read())

    def _reads(
        self,
        task_id: str,
        route: Route,
        timeout: float | httpx.Timeout | None,
        extra_headers: Mapping[str, str] | None,
    ) -> Callable[[], Flow[APIResponse[Task]]]:
        """Reads of one task that give the gateway's own status and reason on every
        generation (`get`, each poll of a wait, a download by id); each call reads again.

        Only a Kling route can answer in generation C's envelope, and its first answer
        says. There the Kling route shows Kling's last answer as stored, which keeps saying
        "processing" for a task the gateway failed itself (its 24 h sweep, 20 failed polls,
        Kling's 404), and carries Kling's times, not the gateway's. /v1/video/generations/{id}
        still answers the gateway's own task: its status, its reason, the moment a pass last
        wrote it (so that polls stay in step) and Kling's stored answer. So the first read
        of a task not final there asks that route too, and later reads ask only it; where
        the gateway does not serve it (its not-a-route answer), the Kling route is all there
        is."""
        kling = self._query(task_id, route, timeout, extra_headers)
        if route not in KLING_ROUTES:
            return kling
        own = self._query(task_id, "generations", timeout, extra_headers)
        # None until the first answer says; then whether the gateway's own view is asked.
        use_own: list[bool] = []

        def gateways_view() -> Flow[APIResponse[Task] | None]:
            try:
                answer = yield from own()
            except errors.NotFoundError as exc:
                if not _is_not_a_route(exc):
                    raise
                use_own[:] = [False]
                return None
            if is_success(answer.parsed) and not video_urls(answer.parsed):
                # SUCCESS by the gateway's word, without a URL there: the Kling route has it.
                return (yield from kling())
            return answer

        def read() -> Flow[APIResponse[Task]]:
            if use_own == [True]:
                answer = yield from gateways_view()
                if answer is not None:
                    return answer
                return (yield from kling())
            answer = yield from kling()
            if use_own:
                return answer
            use_own.append(is_native(answer.http_response))
            if not use_own[0] or is_final(answer.parsed):
                # A final answer of Kling's is the gateway's too (it stores both at once).
                return answer
            mine = yield from gateways_view()
            return answer if mine is None else mine

        return read

    def _query(
        self,
        task_id: str,
        route: Route,
        timeout: float | httpx.Timeout | None,
        extra_headers: Mapping[str, str] | None,
    ) -> Callable[[], Flow[APIResponse[Task]]]:
        """One query, checked and built once: each call of the result asks again (a wait
        polls with it, and does not check the id and build the request at every poll)."""
        task_id = checked_task_id(task_id)
        operation, read = route_entry(QUERIES, route)
        send = self._send(operation.build(task_id), timeout, extra_headers)
        what = f"GET {route}/{task_id}"

        def unwrap(response: httpx.Response, parsed: object) -> Task:
            return read(response, parsed, task_id)

        return lambda: self._call(what, send, operation.parse, unwrap, True)

    def submit(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        route: Route = "image2video",
        retry_submit: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **fields: Unpack[SubmitFields],
    ) -> Flow[APIResponse[Submitted]]:
        """Submit a task: image-to-video, or text-to-video with `route="text2video"`; on
        `route="generations"` or `"videos"` (the unified routes) an image makes an
        image-to-video task and none a text-to-video one.

        Fields as the spec documents them (`SubmitFields`; a key it does not list is refused
        before sending, with a suggestion); `extra_body` carries fields the spec does not
        list yet. Not retried after it may have reached Kling (it would create and bill a
        second task), unless it has an `external_task_id` or `retry_submit=True`.
        `timeout` and `extra_headers` as for `get`.
        """
        model, operation = route_entry(SUBMITS, route)
        body, idempotent = _submit_body(route, model, request, fields, extra_body)
        send = self._send(operation.build(body=body), timeout, extra_headers)
        return (
            yield from self._call(
                f"POST {route}",
                send,
                operation.parse,
                submitted_from,
                retry_submit or idempotent,
            )
        )

    def submit_text_to_video(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        retry_submit: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **fields: Unpack[SubmitFields],
    ) -> Flow[APIResponse[Submitted]]:
        """`submit(..., route="text2video")`."""
        return (
            yield from self.submit(
                request,
                route="text2video",
                retry_submit=retry_submit,
                extra_body=extra_body,
                timeout=timeout,
                extra_headers=extra_headers,
                **fields,
            )
        )

    def generate(
        self,
        request: SubmitRequest | Mapping[str, Any] | None = None,
        *,
        route: Route = "image2video",
        save_to: str | os.PathLike[str] | None = None,
        deadline: float | None = None,
        interval: float | None = None,
        on_progress: ProgressCallback | None = None,
        retry_submit: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **fields: Unpack[SubmitFields],
    ) -> Flow[Generated]:
        """The common case in one call: submit a task (it costs money), wait until it is
        final, and save its video to `save_to` (a file, or a folder for `<task_id>.mp4`)
        when given. Arguments as for `submit`, `wait` and `download`.

        The task is paid for once submitted: an error after that names its id
        (`TaskFailedError.task_id`, `WaitTimeoutError.task_id`), and the id is logged
        (logger `kling_gateway`, INFO), so that it can be waited for or downloaded again."""
        submitted = yield from self.submit(
            request,
            route=route,
            retry_submit=retry_submit,
            extra_body=extra_body,
            timeout=timeout,
            extra_headers=extra_headers,
            **fields,
        )
        task_id = submitted.parsed.task_id
        logger.info("submitted task %s", task_id)
        try:
            task = yield from self.wait(
                task_id,
                route=route,
                deadline=deadline,
                interval=interval,
                on_progress=on_progress,
                timeout=timeout,
                extra_headers=extra_headers,
            )
            if save_to is None:
                return Generated(task)
            try:
                path = yield from self.download(
                    task,
                    save_to,
                    route=route,
                    timeout=timeout,
                    extra_headers=extra_headers,
                )
            except errors.DownloadError as exc:
                raise errors.DownloadError(
                    f"task {task_id} succeeded, but its video was not saved: {exc}"
                ) from exc
        except KeyboardInterrupt as exc:
            # Still a KeyboardInterrupt (Ctrl-C stops the program), naming the paid task.
            raise errors.TaskInterrupted(task_id) from exc
        except GeneratorExit:
            # An async generate cancelled: the cancellation must go on as it is.
            logger.warning("task %s goes on at the gateway (cancelled)", task_id)
            raise
        return Generated(task, path)

    # Waiting

    def _waiter(
        self, task_id: str, policy: WaitPolicy, on_progress: ProgressCallback | None
    ) -> Waiter:
        return Waiter(
            task_id, policy, on_progress, clock=self.clock, gateway=self.gateway_clock
        )

    def _waiting(
        self,
        waiter: Waiter,
        route: Route,
        timeout: float | httpx.Timeout | None,
        extra_headers: Mapping[str, str] | None,
    ) -> Flow[Task]:
        read = self._reads(waiter.task_id, route, timeout, extra_headers)
        while True:
            sent = self.clock()
            answer = yield from read()
            delay = waiter.observe(answer.parsed, sent=sent)
            if delay is None:
                return answer.parsed
            yield Sleep(delay)

    def wait(
        self,
        task_id: str,
        *,
        route: Route = "image2video",
        deadline: float | None = None,
        interval: float | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Flow[Task]:
        """Poll until SUCCESS and return the task; raise TaskFailedError on FAILURE and
        WaitTimeoutError after `deadline` seconds. `on_progress` sees every change; polls
        follow the gateway's refresh passes, or every `interval` seconds. `timeout` and
        `extra_headers` apply to each poll. Cancelling an async wait stops it at once."""
        policy = self.settings.wait_policy(deadline, interval)
        waiter = self._waiter(task_id, policy, on_progress)
        return (yield from self._waiting(waiter, route, timeout, extra_headers))

    def wait_many(
        self,
        task_ids: Iterable[str],
        *,
        route: Route = "image2video",
        deadline: float | None = None,
        interval: float | None = None,
        on_progress: ProgressCallback | None = None,
        concurrency: int | None = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Flow[list[Task | errors.KlingError]]:
        """Wait for many tasks, each polled on its own schedule. Returns, in order, each
        final task or the KlingError that ended its wait.

        The async client has at most `concurrency` requests in flight (the connection pool's
        size by default); the blocking one sends one request at a time from its thread."""
        if concurrency is not None and not (
            isinstance(concurrency, int) and concurrency >= 1
        ):
            raise errors.InvalidRequestError("concurrency must be at least 1")
        policy = self.settings.wait_policy(deadline, interval)
        flows = [
            settled(
                self._waiting(
                    self._waiter(task_id, policy, on_progress),
                    route,
                    timeout,
                    extra_headers,
                )
            )
            for task_id in task_ids
        ]
        results = yield Gather(flows, concurrency)
        assert isinstance(results, list)
        return results

    # Downloads

    def download(
        self,
        task: Task | str,
        destination: str | os.PathLike[str] = ".",
        *,
        index: int = 0,
        max_bytes: int | None = None,
        on_progress: DownloadProgress | None = None,
        route: Route = "image2video",
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Flow[Path]:
        """Stream the task's video to `destination` (a file, or a folder for `<task_id>.mp4`).

        The file appears only when complete and of the announced size; on any failure a
        DownloadError is raised and nothing is left behind. A task that succeeded without a
        URL in its answer is fetched through the gateway (its artifact's content URL, or
        `GET /v1/videos/{id}/content`). `on_progress(received, total)` sees every chunk
        (`total` None when the server announced no size). `extra_headers` go to the
        gateway only, never to the video's host.
        """
        saved = yield from self._video(
            task,
            lambda known: destination_for(known, destination, index),
            index,
            max_bytes,
            on_progress,
            route,
            timeout,
            extra_headers,
        )
        assert isinstance(saved, Path)
        return saved

    def download_to(
        self,
        task: Task | str,
        file: IO[bytes],
        *,
        index: int = 0,
        max_bytes: int | None = None,
        on_progress: DownloadProgress | None = None,
        route: Route = "image2video",
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Flow[int]:
        """Stream the task's video into a binary file you opened (`open(..., "wb")`, a
        BytesIO, a pipe) and return the number of bytes written. On failure a seekable file
        is cut back to where it stood; `download` for the rest."""
        written = yield from self._video(
            task,
            lambda known: file,
            index,
            max_bytes,
            on_progress,
            route,
            timeout,
            extra_headers,
        )
        assert isinstance(written, int)
        return written

    def download_bytes(
        self,
        task: Task | str,
        *,
        index: int = 0,
        max_bytes: int | None = None,
        on_progress: DownloadProgress | None = None,
        route: Route = "image2video",
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Flow[bytes]:
        """The task's video as bytes, held in memory (bound it with `max_bytes`); `download`
        for the rest."""
        content = yield from self._video(
            task,
            lambda known: None,
            index,
            max_bytes,
            on_progress,
            route,
            timeout,
            extra_headers,
        )
        assert isinstance(content, bytes)
        return content

    def _video(
        self,
        task: Task | str,
        where: Callable[[Task], Destination],
        index: int,
        max_bytes: int | None,
        on_progress: DownloadProgress | None,
        route: Route,
        timeout: float | httpx.Timeout | None,
        extra_headers: Mapping[str, str] | None,
    ) -> Flow[object]:
        """Every download: the task (asked for when given by id), where its video comes
        from, and the Fetch that brings it to `where(task)`."""
        # For the query and the video alike.
        chosen = checked_timeout(timeout) or self.settings.timeout
        if isinstance(task, str):
            read = self._reads(task, route, chosen, extra_headers)
            task = (yield from read()).parsed
        destination = where(task)
        if video_urls(task) or not is_success(task):
            fetch = Fetch(video_url(task, index), destination, max_bytes, chosen)
        else:
            artifact = yield from self._artifact(
                task, index, destination, max_bytes, chosen, extra_headers
            )
            fetch = artifact or self._content(
                task, index, destination, max_bytes, chosen, extra_headers
            )
        result = yield attrs.evolve(fetch, on_progress=on_progress)
        return result

    def _artifact(
        self,
        task: Task,
        index: int,
        path: Destination,
        max_bytes: int | None,
        timeout: httpx.Timeout | None,
        extra_headers: Mapping[str, str] | None,
    ) -> Flow[Fetch | None]:
        """A finished task's video from generation C's artifact list: its content URL,
        fetched without the token (its `access` value is the credential, never shown). None
        where the gateway serves no /v1/tasks routes (older generations) or lists no video."""
        task_id = checked_task_id(task.task_id)
        send = self._send(ARTIFACTS.build(task_id), timeout, extra_headers)

        def unwrap(response: httpx.Response, parsed: object) -> str | None:
            return artifact_url(response, parsed, "video")

        try:
            answer = yield from self._call(
                f"GET tasks/{task_id}/artifacts",
                send,
                ARTIFACTS.parse,
                unwrap,
                True,
            )
        except errors.NotFoundError:
            return None
        if answer.parsed is None:
            return None
        return Fetch(
            answer.parsed,
            path,
            max_bytes,
            timeout,
            source="the gateway's artifact route",
            secret=True,
        )

    def _content(
        self,
        task: Task,
        index: int,
        path: Destination,
        max_bytes: int | None,
        timeout: httpx.Timeout | None,
        extra_headers: Mapping[str, str] | None,
    ) -> Fetch:
        """The gateway's own copy of a finished task's first video: its /content route,
        asked with the token (the only download that carries it)."""
        if index != 0:
            raise errors.DownloadError(
                f"task {task.task_id} names no video URL; the gateway serves only its "
                f"first video, not #{index}"
            )
        kwargs = CONTENT.build(checked_task_id(task.task_id))
        return Fetch(
            self.settings.base_url + kwargs["url"],
            path,
            max_bytes,
            timeout,
            headers={**self.settings.gateway_headers(), **(extra_headers or {})},
            # 400: the task has not succeeded; 404: unknown, or another user's task.
            source="the gateway's /content route",
        )


def _is_not_a_route(exc: errors.APIStatusError) -> bool:
    """Whether an error answer is the gateway's answer for a family it does not serve."""
    response = exc.response
    if response is None:
        return False
    return is_not_a_route(response.status_code, response.headers, response.content)


def _unanswered(failure: Failure) -> errors.KlingError:
    """A request without a usable answer: a transport failure, or a body that could not be
    read (too large, badly encoded, cut off)."""
    exc, response = failure.error, failure.response
    if isinstance(exc, httpx.TransportError):
        return connection_error(exc)
    return errors.MalformedResponseError(
        f"answer could not be read: {exc}",
        status_code=response.status_code if response is not None else 0,
        request_id=request_id_of(response),
    )


def _submit_body(
    route: str,
    model: type[SubmitRequest],
    request: SubmitRequest | Mapping[str, Any] | None,
    fields: Mapping[str, object],
    extra_body: Mapping[str, Any] | None,
) -> tuple[SubmitRequest, bool]:
    """The request body, and whether it names its task (so that retrying it is safe).

    Fields are written as the route reads them (_wire.py); a request object is the body
    itself, sent as it is."""
    if isinstance(
        request, ImageToVideoRequest | TextToVideoRequest | VideoSubmitRequest
    ):
        if fields:
            raise errors.InvalidRequestError(
                "pass either a request object or fields, not both"
            )
        if not isinstance(request, model):
            raise errors.InvalidRequestError(f"{route} takes a {model.__name__}")
        body = request.to_dict()
        if model is not VideoSubmitRequest:
            body = submit_body(body, needs_image=route == "image2video")
    else:
        data = {**(request or {}), **fields}
        checked_fields(data)
        data = with_images_encoded(data)
        if route in UNIFIED_ROUTES:
            body = unified_submit_body(data)
        else:
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
    return parsed, bool(external_id)
