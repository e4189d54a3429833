"""The two faces of one core: `KlingClient` runs the flows of _core.py with blocking I/O,
`AsyncKlingClient` with anyio (asyncio or trio). Each public method is a core call wrapped once here, so its
signature and docstring are written once, in ClientCore; what differs is only how a flow's
actions are carried out (and `Gather`: many waits at once, or in turn on one thread)."""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable, Coroutine, Mapping
from contextlib import AbstractAsyncContextManager, closing, nullcontext
from types import TracebackType
from typing import (
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    Self,
    TypeVar,
    assert_never,
)

import anyio
import httpx

from ._batch import batch as _batch
from ._core import UNREADABLE, ClientCore
from ._download import download_client_args, download_failure, sink_for
from ._flows import Action, Failure, Fetch, Flow, Gather, Send, Sleep, in_turn
from ._policies import RetryPolicy, WaitPolicy
from ._response import APIResponse
from ._settings import Settings
from .errors import ConfigurationError

P = ParamSpec("P")
R = TypeVar("R")
TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)


class _Runs(Protocol):
    @property
    def _core(self) -> ClientCore: ...

    def _run(self, flow: Flow[R]) -> R: ...


class _AwaitsRuns(Protocol):
    @property
    def _core(self) -> ClientCore: ...

    async def _run(self, flow: Flow[R]) -> R: ...


def _parsed(
    call: Callable[Concatenate[ClientCore, P], Flow[APIResponse[R]]],
) -> Callable[Concatenate[ClientCore, P], Flow[R]]:
    """A core call answering its parsed result, without the HTTP response."""

    @functools.wraps(call)
    def flow(core: ClientCore, /, *args: P.args, **kwargs: P.kwargs) -> Flow[R]:
        return (yield from call(core, *args, **kwargs)).parsed

    return flow


def _blocking(
    call: Callable[Concatenate[ClientCore, P], Flow[R]],
) -> Callable[Concatenate[_Runs, P], R]:
    """A core call as a blocking method, answering what the flow returns."""

    @functools.wraps(call)
    def method(self: _Runs, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._run(call(self._core, *args, **kwargs))

    return method


def _awaited(
    call: Callable[Concatenate[ClientCore, P], Flow[R]],
) -> Callable[Concatenate[_AwaitsRuns, P], Coroutine[Any, Any, R]]:
    """A core call as a coroutine method, answering what the flow returns."""

    @functools.wraps(call)
    async def method(self: _AwaitsRuns, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._run(call(self._core, *args, **kwargs))

    return method


class _IntoFlow(Exception):  # a carrier for an error, not an error of its own
    """An error to raise in the running flow rather than past it."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def _before(send: Send) -> Exception | None:
    """Run a Send's `before`; the error it raised, to be raised in the flow instead."""
    if send.before is None:
        return None
    try:
        send.before()
    except Exception as exc:  # noqa: BLE001 (raised in the flow instead)
        return exc
    return None


class _ClientBase(Generic[TransportT]):
    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_connections: int | None = None,
        max_response_bytes: int | None = None,
        retry: RetryPolicy | None = None,
        max_retries: int | None = None,
        wait: WaitPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        transport: TransportT | None = None,
        env: Mapping[str, str] | None = None,
        api_key: str | None = None,
    ) -> None:
        """`base_url` and `token` default to KLING_BASE_URL and KLING_API_TOKEN (read from
        `env`, os.environ by default); `api_key` is `token` by openai-python's name. `timeout` in seconds (or an httpx.Timeout) bounds each
        read and each answer in total; `max_connections` sizes the pool; an answer larger
        than `max_response_bytes` (decoded, 16 MiB by default) is refused as malformed.
        `retry` and `wait` are the policies (`max_retries` changes the retry policy's count
        alone), `headers` extra headers for every gateway request, `transport` an httpx
        transport (proxies, mTLS, tests) that the size and time bounds wrap."""
        if api_key is not None:
            if token is not None:
                raise ConfigurationError("pass token= or api_key=, not both")
            token = api_key
        settings = Settings.resolve(
            base_url,
            token,
            timeout=timeout,
            max_connections=max_connections,
            retry=retry,
            wait=wait,
            headers=headers,
            env=env,
            max_response_bytes=max_response_bytes,
            max_retries=max_retries,
        )
        self._core = ClientCore(settings)
        self._open(settings, transport)

    def _open(self, settings: Settings, transport: TransportT | None) -> None:
        raise NotImplementedError

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        wait: WaitPolicy | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A copy of this client with these options changed (headers are added to its
        own), as openai-python's `with_options`. It shares this client's connections and
        its knowledge of the gateway's clock: close this client, not the copy (closing a
        copy closes nothing)."""
        settings = self._core.settings
        changed = Settings.resolve(
            settings.base_url,
            settings.token,
            timeout=timeout or settings.timeout,
            max_connections=settings.max_connections,
            retry=retry or settings.retry,
            max_retries=max_retries,
            wait=wait or settings.wait,
            headers={**settings.headers, **(headers or {})},
            env={},
            max_response_bytes=settings.max_response_bytes,
        )
        twin = copy.copy(self)
        twin._core = ClientCore(
            changed, clock=self._core.clock, gateway_clock=self._core.gateway_clock
        )
        twin._adopted()
        return twin

    def _adopted(self) -> None:
        """Fresh per-copy state of a copy made by with_options."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    @property
    def max_connections(self) -> int:
        return self._core.settings.max_connections

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _request(
        self, http: httpx.Client | httpx.AsyncClient, send: Send
    ) -> httpx.Request:
        return http.build_request(
            send.method,
            send.url,
            json=send.json,
            headers=send.headers,
            timeout=send.timeout or httpx.USE_CLIENT_DEFAULT,
        )


class KlingClient(_ClientBase[httpx.BaseTransport]):
    """A blocking client for the Kling task routes of a gateway.

    Base URL and token come from the arguments or from KLING_BASE_URL and KLING_API_TOKEN.
    Use it as a context manager, or call `close()`. `with_raw_response` has the same calls
    answering `APIResponse` (the result with its httpx.Response).
    """

    with_raw_response: RawResponses

    def _open(self, settings: Settings, transport: httpx.BaseTransport | None) -> None:
        self._http = httpx.Client(**settings.httpx_args(transport))
        self._video_http: httpx.Client | None = None
        # The client whose connections these are: itself, or the one a copy was made from.
        self._root: KlingClient = self
        self.with_raw_response = RawResponses(self)

    def _adopted(self) -> None:
        self.with_raw_response = RawResponses(self)

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
        if self._root is not self:
            return  # a copy's connections are its original's
        self._http.close()
        if self._video_http is not None:
            self._video_http.close()

    get = _blocking(_parsed(ClientCore.get))
    submit = _blocking(_parsed(ClientCore.submit))
    submit_text_to_video = _blocking(_parsed(ClientCore.submit_text_to_video))
    generate = _blocking(ClientCore.generate)
    wait = _blocking(ClientCore.wait)
    wait_many = _blocking(ClientCore.wait_many)
    batch = _blocking(_batch)
    download = _blocking(ClientCore.download)
    download_to = _blocking(ClientCore.download_to)
    download_bytes = _blocking(ClientCore.download_bytes)

    def _run(self, flow: Flow[R]) -> R:
        # As httpx drives an auth flow: whatever ends the run, the flow is closed, so that
        # its own clean-up (an in_turn's other waits) runs at once.
        with closing(flow):
            outcome: object = None
            thrown: BaseException | None = None
            while True:
                try:
                    if thrown is not None:
                        # Ctrl-C, a refused `before` or a failed download where the flow
                        # stands, so that it can say what goes on (generate names its paid
                        # task) or handle it.
                        action, thrown = flow.throw(thrown), None
                    else:
                        action = flow.send(outcome)
                except StopIteration as stop:
                    result: R = stop.value
                    return result
                try:
                    outcome = self._act(action)
                except (KeyboardInterrupt, _IntoFlow) as exc:
                    thrown = exc.error if isinstance(exc, _IntoFlow) else exc

    def _act(self, action: Action) -> object:
        match action:
            case Send():
                refused = _before(action)
                if refused is not None:
                    raise _IntoFlow(refused)
                return self._send(action)
            case Sleep():
                time.sleep(action.seconds)
                return None
            case Gather():
                # One thread sends one request at a time: the waits take turns.
                return self._run(in_turn(action.flows, self._core.clock))
            case Fetch():
                # A failed download is raised in the flow, which may handle it.
                try:
                    return self._fetch(action)
                except Exception as exc:
                    raise _IntoFlow(exc) from exc
            case _:
                assert_never(action)

    def _send(self, send: Send) -> httpx.Response | Failure:
        try:
            response = self._http.send(self._request(self._http, send), stream=True)
        except httpx.TransportError as exc:
            return Failure(exc)
        try:
            response.read()
        except UNREADABLE as exc:
            return Failure(exc, response)
        finally:
            response.close()
        return response

    def _fetch(self, fetch: Fetch) -> object:
        root = self._root
        if root._video_http is None:
            root._video_http = httpx.Client(
                **download_client_args(root._core.settings.timeout)
            )
        timeout = fetch.timeout or httpx.USE_CLIENT_DEFAULT
        try:
            with (
                sink_for(fetch) as sink,
                root._video_http.stream(
                    "GET", fetch.url, headers=fetch.headers, timeout=timeout
                ) as response,
            ):
                sink.start(response)
                for chunk in response.iter_bytes():
                    sink.write(chunk)
                sink.received = response.num_bytes_downloaded
        except httpx.HTTPError as exc:
            raise download_failure(exc, fetch) from exc
        return sink.result()


class AsyncKlingClient(_ClientBase[httpx.AsyncBaseTransport]):
    """An async client for the Kling task routes of a gateway: KlingClient's methods,
    awaited, under asyncio or trio (through anyio, as httpx itself). Use it as an async
    context manager, or await `aclose()`."""

    with_raw_response: AsyncRawResponses

    def _open(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self._http = httpx.AsyncClient(**settings.async_httpx_args(transport))
        self._video_http: httpx.AsyncClient | None = None
        self._root: AsyncKlingClient = self
        self.with_raw_response = AsyncRawResponses(self)

    def _adopted(self) -> None:
        self.with_raw_response = AsyncRawResponses(self)

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
        if self._root is not self:
            return  # a copy's connections are its original's
        await self._http.aclose()
        if self._video_http is not None:
            await self._video_http.aclose()

    get = _awaited(_parsed(ClientCore.get))
    submit = _awaited(_parsed(ClientCore.submit))
    submit_text_to_video = _awaited(_parsed(ClientCore.submit_text_to_video))
    generate = _awaited(ClientCore.generate)
    wait = _awaited(ClientCore.wait)
    wait_many = _awaited(ClientCore.wait_many)
    batch = _awaited(_batch)
    download = _awaited(ClientCore.download)
    download_to = _awaited(ClientCore.download_to)
    download_bytes = _awaited(ClientCore.download_bytes)

    async def _run(
        self, flow: Flow[R], limit: AbstractAsyncContextManager[Any] | None = None
    ) -> R:
        """Run one flow; `limit` (a semaphore shared by the flows of one Gather) bounds
        the requests in flight, not the sleeps."""
        with closing(flow):
            outcome: object = None
            thrown: Exception | None = None
            while True:
                try:
                    if thrown is not None:
                        action, thrown = flow.throw(thrown), None
                    else:
                        action = flow.send(outcome)
                except StopIteration as stop:
                    result: R = stop.value
                    return result
                match action:
                    case Send():
                        async with limit or nullcontext():
                            thrown = _before(action)
                            if thrown is None:
                                outcome = await self._send(action)
                    case Sleep():
                        await anyio.sleep(action.seconds)
                        outcome = None
                    case Gather():
                        outcome = await self._gather(action)
                    case Fetch():
                        try:
                            outcome = await self._fetch(action)
                        except Exception as exc:  # noqa: BLE001 (raised in the flow)
                            thrown = exc
                    case _:
                        assert_never(action)

    async def _gather(self, gather: Gather) -> list[Any]:
        """The flows side by side in one task group: when one raises, the others are
        cancelled and awaited before the error leaves, so no wait of a failed wait_many
        goes on polling, and no request of it is still in flight."""
        shared = anyio.Semaphore(gather.concurrency or self.max_connections)
        results: list[Any] = [None] * len(gather.flows)

        async def run(index: int, flow: Flow[Any]) -> None:
            results[index] = await self._run(flow, shared)

        first: BaseException | None = None
        try:
            async with anyio.create_task_group() as group:
                for index, flow in enumerate(gather.flows):
                    group.start_soon(run, index, flow)
        except BaseExceptionGroup as failed:
            first = failed.exceptions[0]
        if first is not None:
            # The first failure, as a single wait would raise it (the rest were cancelled).
            raise first
        return results

    async def _send(self, send: Send) -> httpx.Response | Failure:
        try:
            response = await self._http.send(
                self._request(self._http, send), stream=True
            )
        except httpx.TransportError as exc:
            return Failure(exc)
        try:
            await response.aread()
        except UNREADABLE as exc:
            return Failure(exc, response)
        finally:
            await response.aclose()
        return response

    async def _fetch(self, fetch: Fetch) -> object:
        root = self._root
        if root._video_http is None:
            root._video_http = httpx.AsyncClient(
                **download_client_args(root._core.settings.timeout)
            )
        timeout = fetch.timeout or httpx.USE_CLIENT_DEFAULT
        try:
            with sink_for(fetch) as sink:
                async with root._video_http.stream(
                    "GET", fetch.url, headers=fetch.headers, timeout=timeout
                ) as response:
                    sink.start(response)
                    async for chunk in response.aiter_bytes():
                        sink.write(chunk)
                sink.received = response.num_bytes_downloaded
        except httpx.HTTPError as exc:
            raise download_failure(exc, fetch) from exc
        return sink.result()


class RawResponses:
    """`client.with_raw_response`: the calls that make one request, answering
    `APIResponse` (the parsed result, its httpx.Response, request id and retries)."""

    def __init__(self, client: KlingClient) -> None:
        self._client = client

    @property
    def _core(self) -> ClientCore:
        return self._client._core

    def _run(self, flow: Flow[R]) -> R:
        return self._client._run(flow)

    get = _blocking(ClientCore.get)
    submit = _blocking(ClientCore.submit)
    submit_text_to_video = _blocking(ClientCore.submit_text_to_video)


class AsyncRawResponses:
    """`AsyncKlingClient.with_raw_response`: RawResponses, awaited."""

    def __init__(self, client: AsyncKlingClient) -> None:
        self._client = client

    @property
    def _core(self) -> ClientCore:
        return self._client._core

    async def _run(self, flow: Flow[R]) -> R:
        return await self._client._run(flow)

    get = _awaited(ClientCore.get)
    submit = _awaited(ClientCore.submit)
    submit_text_to_video = _awaited(ClientCore.submit_text_to_video)
