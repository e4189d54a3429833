"""The hand-written client against the emulator over real HTTP, with its fault injection."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

import kling_gateway as kg
from kling_emulator.config import Faults, Lifecycle
from kling_emulator.server import EmulatorServer
from kling_gateway import IntervalSchedule, RetryPolicy, WaitPolicy
from kling_gateway import _response as answers

from ..conftest import BANNED, TOKEN_1, TOKEN_2, make_config

FAST_RETRY = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.02, jitter=0.0)
FAST_WAIT = WaitPolicy(schedule=IntervalSchedule(interval=0.05, max_interval=0.1))
IMAGE = "https://example.com/cat.png"


def fast_options(token: str = TOKEN_1, **kwargs: Any) -> dict[str, Any]:
    """Client options for tests: short retry delays and polling intervals."""
    return {"token": token, "retry": FAST_RETRY, "wait": FAST_WAIT, **kwargs}


def client_for(
    server: EmulatorServer, token: str = TOKEN_1, **kwargs: Any
) -> kg.KlingClient:
    return kg.KlingClient(server.base_url, **fast_options(token, **kwargs))


def async_client_for(
    server: EmulatorServer, token: str = TOKEN_1, **kwargs: Any
) -> kg.AsyncKlingClient:
    return kg.AsyncKlingClient(server.base_url, **fast_options(token, **kwargs))


def seeded(server: EmulatorServer, status: str, user: int = 1) -> str:
    return server.seeded[user][status]


class Watched(httpx.AsyncHTTPTransport):
    """httpx's own async transport, telling `before` and `after` of each request."""

    def __init__(
        self,
        before: Callable[[httpx.Request], None],
        after: Callable[[httpx.Request], None] = lambda request: None,
        max_connections: int = 20,
    ) -> None:
        super().__init__(limits=httpx.Limits(max_connections=max_connections))
        self.before, self.after = before, after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.before(request)
        try:
            return await super().handle_async_request(request)
        finally:
            self.after(request)


class RequestLog(logging.Handler):
    """Counts the requests httpx reports sending (one INFO line per request)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def sent() -> Iterator[list[str]]:
    handler = RequestLog()
    logger = logging.getLogger("httpx")
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(previous)


# Results and their conveniences


@pytest.mark.parametrize(
    "status", ["NOT_START", "SUBMITTED", "QUEUED", "IN_PROGRESS", "SUCCESS", "FAILURE"]
)
def test_get_reads_every_status_in_both_generations(
    emulator: EmulatorServer, status: str
) -> None:
    with kg.KlingClient(emulator.base_url, TOKEN_1) as client:
        task = client.get(seeded(emulator, status))
    assert task.task_id == seeded(emulator, status)
    assert kg.status_of(task) == kg.TaskStatus(status)
    assert kg.is_final(task) == (status in ("SUCCESS", "FAILURE"))
    assert kg.progress_of(task) == float(task.progress.rstrip("%"))
    if status == "SUCCESS":
        assert kg.video_urls(task) and all(
            u.startswith("http") for u in kg.video_urls(task)
        )
    else:
        assert kg.video_urls(task) == []
    if status == "FAILURE":
        assert kg.fail_reason_of(task)


def test_raw_response_is_available(gateway: EmulatorServer) -> None:
    with client_for(gateway) as client:
        answer = client.with_raw_response.get(seeded(gateway, "SUCCESS"))
    assert answer.http_response.status_code == 200
    assert answer.retries_taken == 0
    assert (
        answer.request_id
        and answer.request_id == answer.http_response.headers["X-Oneapi-Request-Id"]
    )
    assert answer.parsed.task_id == seeded(gateway, "SUCCESS")


def test_submit_then_wait_reports_progress_and_returns_the_video(
    gateway: EmulatorServer,
) -> None:
    seen: list[str] = []
    with client_for(gateway) as client:
        submitted = client.submit(
            model_name="kling-v1", image=IMAGE, prompt="a cat", duration="5"
        )
        task = client.wait(
            submitted.task_id, on_progress=lambda t: seen.append(str(t.status))
        )
    assert task.task_id == submitted.task_id
    assert kg.is_success(task) and kg.video_urls(task)
    assert seen[-1] == "SUCCESS" and len(seen) >= 2
    assert len(seen) == len(set(seen)), "the callback sees changes, not every poll"


def test_text_to_video_route(gateway: EmulatorServer) -> None:
    with client_for(gateway) as client:
        submitted = client.submit_text_to_video(model_name="kling-v1", prompt="a river")
        task = client.wait(submitted.task_id, route="text2video")
    assert kg.is_success(task) and task.action == "textGenerate"


def test_wait_raises_task_failed_with_the_reason(gateway: EmulatorServer) -> None:
    with client_for(gateway) as client:
        submitted = client.submit(
            model_name="kling-v1", image=IMAGE, prompt="[fail] a cat"
        )
        with pytest.raises(kg.TaskFailedError) as caught:
            client.wait(submitted.task_id)
    assert caught.value.reason and caught.value.reason in str(caught.value)
    assert kg.status_of(caught.value.task) == kg.TaskStatus.FAILURE


def test_wait_gives_up_at_its_deadline(gateway: EmulatorServer) -> None:
    # When, exactly, is pinned on a fake clock in test_flows.py.
    running = seeded(gateway, "IN_PROGRESS")  # seeded tasks never move on
    with client_for(gateway) as client, pytest.raises(kg.WaitTimeoutError) as caught:
        client.wait(running, deadline=0.3)
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.task is not None and caught.value.task.status == "IN_PROGRESS"
    assert str(caught.value) == (
        f"task {running} not final after 0.3 s, last status IN_PROGRESS 30%; it goes on "
        "at the gateway: wait for it again by its id"
    )


def test_sync_wait_many_polls_all_tasks_from_one_thread() -> None:
    # Tasks final within 10 ms: each is final by its first poll, however loaded the
    # machine, and only the seeded running task meets the deadline.
    instant = make_config(
        lifecycle=Lifecycle.scaled(0.01), faults=Faults(retry_after=0)
    )
    with EmulatorServer(instant) as gateway, client_for(gateway) as client:
        ids = [
            client.submit(
                model_name="kling-v1", image=IMAGE, prompt="[fail]" if i == 1 else "ok"
            ).task_id
            for i in range(4)
        ]
        # That they are waited for side by side is pinned on a fake clock (test_flows.py).
        results = client.wait_many([*ids, seeded(gateway, "IN_PROGRESS")], deadline=1.5)
    assert [type(r).__name__ for r in results] == [
        "Task",
        "TaskFailedError",
        "Task",
        "Task",
        "WaitTimeoutError",
    ]


# Async: cancellation and many tasks at once


async def test_async_wait_and_submit(gateway: EmulatorServer) -> None:
    async with async_client_for(gateway) as client:
        submitted = await client.submit(
            model_name="kling-v1", image=IMAGE, prompt="a cat"
        )
        task = await client.wait(submitted.task_id)
    assert kg.is_success(task)


async def test_cancelling_an_async_wait_stops_polling(gateway: EmulatorServer) -> None:
    calls: list[float] = []

    def counted(request: httpx.Request) -> None:
        calls.append(time.monotonic())

    async with async_client_for(gateway, transport=Watched(before=counted)) as client:
        waiting = asyncio.create_task(
            client.wait(seeded(gateway, "IN_PROGRESS"), interval=0.02)
        )
        await asyncio.sleep(0.2)
        assert calls, "the wait was polling"
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        polled = len(calls)
        await asyncio.sleep(0.2)
    assert len(calls) == polled


async def test_wait_many_bounds_requests_in_flight_and_keeps_order(
    gateway: EmulatorServer,
) -> None:
    in_flight = peak = 0

    def sent(request: httpx.Request) -> None:
        nonlocal in_flight, peak
        if request.method == "GET":
            in_flight += 1
            peak = max(peak, in_flight)

    def answered(request: httpx.Request) -> None:
        nonlocal in_flight
        if request.method == "GET":
            in_flight -= 1

    # A pool of 8 under a limit of 4: the limit, not the pool, must bound the requests.
    watched = Watched(before=sent, after=answered, max_connections=8)
    async with async_client_for(
        gateway, max_connections=4, transport=watched
    ) as client:
        ids = [
            (
                await client.submit(
                    model_name="kling-v1",
                    image=IMAGE,
                    prompt="[fail]" if i % 7 == 0 else "ok",
                )
            ).task_id
            for i in range(30)
        ]
        results = await client.wait_many(ids, deadline=10)
    assert 1 < peak <= 4
    for index, (task_id, result) in enumerate(zip(ids, results, strict=True)):
        if index % 7 == 0:
            assert isinstance(result, kg.TaskFailedError) and result.task_id == task_id
        else:
            assert (
                isinstance(result, kg.Task)
                and result.task_id == task_id
                and kg.is_success(result)
            )


# Every exception type


def test_error_answers_become_typed_exceptions(gateway: EmulatorServer) -> None:
    cases: list[tuple[Callable[[], object], type[kg.APIError], int, str | None]] = []
    bad = client_for(gateway, token="sk-not-a-token")
    banned = client_for(gateway, token=BANNED)
    other = client_for(gateway, token=TOKEN_2)
    good = client_for(gateway)
    # Under /v1 the gateway answers a JSON 404; elsewhere its dashboard's HTML page with 200.
    wrong_prefix = kg.KlingClient(gateway.base_url + "/v1", TOKEN_1, retry=FAST_RETRY)
    html = kg.KlingClient(gateway.base_url + "/v2", TOKEN_1, retry=FAST_RETRY)
    cases = [
        (lambda: bad.get("abc"), kg.AuthenticationError, 401, None),
        (lambda: banned.get("abc"), kg.PermissionDeniedError, 403, None),
        (lambda: good.get("no_such_task"), kg.TaskNotFoundError, 400, "task_not_exist"),
        (
            lambda: other.get(seeded(gateway, "SUCCESS", user=1)),
            kg.TaskNotFoundError,
            400,
            "task_not_exist",
        ),
        (
            lambda: good.submit(model_name="kling-v1", image=IMAGE, prompt="x" * 2501),
            kg.BadRequestError,
            400,
            None,
        ),
        (lambda: wrong_prefix.get("abc"), kg.NotFoundError, 404, None),
        (lambda: html.get("abc"), kg.MalformedResponseError, 200, None),
    ]
    try:
        for call, kind, status, code in cases:
            with pytest.raises(kind) as caught:
                call()
            error = caught.value
            assert error.status_code == status
            assert error.request_id, "every gateway answer carries a request id"
            assert error.message and error.message in str(error)
            if code:
                assert error.code == code
    finally:
        for client in (bad, banned, other, good, wrong_prefix, html):
            client.close()


@pytest.mark.parametrize(
    ("fault", "kind", "status"),
    [
        ("429", kg.RateLimitError, 429),
        ("502", kg.ServerError, 502),
        ("503", kg.ServerError, 503),
        ("504", kg.ServerError, 504),
        ("truncated", kg.MalformedResponseError, 200),
        ("malformed", kg.MalformedResponseError, 200),
    ],
)
def test_faults_become_typed_exceptions_after_the_retries(
    gateway: EmulatorServer,
    sent: list[str],
    fault: str,
    kind: type[kg.APIError],
    status: int,
) -> None:
    with (
        client_for(gateway, headers={"X-Emulator-Fault": fault}) as client,
        pytest.raises(kind) as caught,
    ):
        client.get(seeded(gateway, "SUCCESS"))
    assert caught.value.status_code == status
    retried = fault in ("429", "502", "503", "504")
    assert len(sent) == (1 + FAST_RETRY.max_retries if retried else 1)


def test_dropped_connection_is_a_connection_error_after_retries(
    gateway: EmulatorServer, sent: list[str]
) -> None:
    with (
        client_for(gateway, headers={"X-Emulator-Fault": "drop"}) as client,
        pytest.raises(kg.APIConnectionError),
    ):
        client.get(seeded(gateway, "SUCCESS"))


def test_a_slow_answer_is_a_timeout(gateway: EmulatorServer) -> None:
    retry = RetryPolicy(max_retries=1, initial_delay=0.01, jitter=0.0)
    with (
        client_for(
            gateway, headers={"X-Emulator-Fault": "latency=2"}, timeout=0.2, retry=retry
        ) as client,
        pytest.raises(kg.APITimeoutError),
    ):
        client.get(seeded(gateway, "SUCCESS"))


def test_an_unreachable_gateway_is_a_connection_error() -> None:
    with (
        kg.KlingClient("http://127.0.0.1:9", TOKEN_1, retry=FAST_RETRY) as client,
        pytest.raises(kg.APIConnectionError) as caught,
    ):
        client.get("abc")
    assert caught.value.request_sent is False


# Retries


def test_transient_failures_are_retried_until_success(sent: list[str]) -> None:
    config = make_config(
        faults=Faults(rates={"503": 0.5, "drop": 0.2}, seed=7, retry_after=0)
    )
    retry = RetryPolicy(max_retries=12, initial_delay=0.001, max_delay=0.01, jitter=0.0)
    with EmulatorServer(config) as server, client_for(server, retry=retry) as client:
        tasks = [client.get(seeded(server, "SUCCESS")) for _ in range(10)]
    assert all(kg.is_success(t) for t in tasks)
    assert len(sent) > 10, "some requests failed and were retried"


def test_retry_after_is_honoured_and_bounded(sent: list[str]) -> None:
    config = make_config(faults=Faults(retry_after=1))
    with EmulatorServer(config) as server:
        patient = client_for(
            server,
            headers={"X-Emulator-Fault": "429"},
            retry=RetryPolicy(max_retries=1),
        )
        # How long each pause is, is pinned on a fake clock (test_flows.py).
        with patient, pytest.raises(kg.RateLimitError) as caught:
            patient.get(seeded(server, "SUCCESS"))
        assert caught.value.retry_after == 1.0
        assert len(sent) == 2
        impatient = client_for(
            server,
            headers={"X-Emulator-Fault": "429"},
            retry=RetryPolicy(max_retries=3, max_retry_after=0.5),
        )
        with impatient, pytest.raises(kg.RateLimitError):
            impatient.get(seeded(server, "SUCCESS"))
        assert len(sent) == 3, "a Retry-After above max_retry_after is not waited for"


def test_submit_is_not_retried_blindly(
    gateway: EmulatorServer, sent: list[str]
) -> None:
    fields: kg.SubmitFields = {
        "model_name": "kling-v1",
        "image": IMAGE,
        "prompt": "a cat",
    }
    with client_for(gateway, headers={"X-Emulator-Fault": "503"}) as client:
        with pytest.raises(kg.ServerError):
            client.submit(**fields)
        assert len(sent) == 1, (
            "a 503 may come after Kling created the task: no second submit"
        )
        with pytest.raises(kg.ServerError):
            with_id: kg.SubmitFields = {**fields, "external_task_id": "order-42"}
            client.submit(**with_id)
        assert len(sent) == 1 + 1 + FAST_RETRY.max_retries, (
            "an external_task_id makes it safe"
        )
        with pytest.raises(kg.ServerError):
            client.submit(**fields, retry_submit=True)
        assert len(sent) == 1 + 2 * (1 + FAST_RETRY.max_retries)


def test_submit_fields_are_checked_before_sending(
    gateway: EmulatorServer, sent: list[str]
) -> None:
    with client_for(gateway) as client:
        with pytest.raises(kg.InvalidRequestError, match="image"):
            client.submit(model_name="kling-v1", prompt="no image")
        with pytest.raises(kg.InvalidRequestError):
            client.submit(model_name="kling-v1", image=IMAGE, prompt="x", duration="7")
    assert sent == []


# Malformed answers, from a server that sends exactly what each case needs


def serve_fixed(
    status: int, body: bytes, content_type: str = "application/json"
) -> EmulatorServer:
    async def answer(request: Request) -> Response:
        return Response(body, status_code=status, media_type=content_type)

    app = Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])

    def replace(_: Starlette) -> ASGIApp:
        return app

    return EmulatorServer(make_config(), wrap=replace)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, b"not json", kg.MalformedResponseError),
        (200, b"[1, 2]", kg.MalformedResponseError),
        (
            200,
            b'{"code": "success", "message": "", "data": {}}',
            kg.MalformedResponseError,
        ),
        (
            200,
            b'{"code": "error", "message": "", "data": {}}',
            kg.MalformedResponseError,
        ),
        (
            200,
            b'{"code": "success", "message": "", "data": {"task_id": "t", "status": 5, "progress": "1%", "data": null}}',
            kg.MalformedResponseError,
        ),
        (
            200,
            b'{"code": "success", "message": "", "data": {"task_id": "t", "status": "SUCCESS", "progress": null, "data": null}}',
            kg.MalformedResponseError,
        ),
        (
            200,
            b'{"code": "success", "message": "", "data": "SUCCESS"}',
            kg.MalformedResponseError,
        ),
        (500, b"<html>Internal Server Error</html>", kg.ServerError),
        (401, b"", kg.AuthenticationError),
        (400, b'{"error": "odd"}', kg.BadRequestError),
        (418, b'{"message": "teapot"}', kg.APIStatusError),
    ],
)
def test_malformed_answers_are_clear_errors(
    status: int, body: bytes, kind: type[kg.APIError]
) -> None:
    with (
        serve_fixed(status, body) as server,
        client_for(server, retry=RetryPolicy(max_retries=0)) as client,
        pytest.raises(kind) as caught,
    ):
        client.get("t")
    assert type(caught.value) is kind
    assert caught.value.status_code == status
    assert str(caught.value)


def test_an_undocumented_status_passes_through() -> None:
    body = b'{"code": "success", "message": "", "data": {"task_id": "t", "status": "PAUSED", "progress": "", "data": null, "new": 1}}'
    with serve_fixed(200, body) as server, client_for(server) as client:
        task = client.get("t")
    assert kg.status_of(task) == "PAUSED" and not kg.is_final(task)
    assert kg.progress_of(task) is None and kg.video_urls(task) == []


# Task ids that could change the request path


UNSAFE_IDS = [
    "../x",
    "a/b",
    "?",
    "#",
    "..",
    ".",
    "",
    "a b",
    "%2e%2e",
    "a\nb",
    "x" * 129,
    "task?id=1",
    "a#b",
]


@pytest.mark.parametrize("task_id", UNSAFE_IDS)
def test_path_unsafe_task_ids_are_refused_before_sending(
    gateway: EmulatorServer, sent: list[str], task_id: str
) -> None:
    with client_for(gateway) as client:
        for call in (client.get, client.wait, client.download):
            with pytest.raises(kg.InvalidTaskIdError):
                call(task_id)
    assert sent == []


def test_task_id_and_token_rules_are_the_spec_rules(spec: dict[str, Any]) -> None:
    """One source: the spec. The contract target reads it; the client's copies are held
    to it here."""
    from kling_contract import target
    from kling_gateway import _settings

    schema = spec["components"]["parameters"]["TaskId"]["schema"]
    assert answers.TASK_ID_PATTERN == schema["pattern"] == target.TASK_ID.pattern
    assert (
        answers.TASK_ID_MAX_LENGTH == schema["maxLength"] == target.TASK_ID_MAX_LENGTH
    )
    token = spec["components"]["securitySchemes"]["bearerAuth"]["x-token-pattern"]
    assert _settings.TOKEN_PATTERN == token == target.TOKEN.pattern


# Configuration and secrets


def test_configuration_comes_from_arguments_or_environment() -> None:
    with pytest.raises(kg.ConfigurationError, match="KLING_API_TOKEN"):
        kg.KlingClient("http://127.0.0.1:1", env={})
    with pytest.raises(kg.ConfigurationError, match="KLING_BASE_URL"):
        kg.KlingClient(token="sk-x", env={})
    with pytest.raises(kg.ConfigurationError, match="http"):
        kg.KlingClient("ftp://gateway", "sk-x", env={})
    client = kg.KlingClient(
        env={"KLING_BASE_URL": "http://127.0.0.1:1/", "KLING_API_TOKEN": "sk-x"}
    )
    assert client.base_url == "http://127.0.0.1:1"
    client.close()


async def test_the_token_never_leaks(
    gateway: EmulatorServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    secret = TOKEN_1
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    retry = RetryPolicy(max_retries=1, initial_delay=0.0, jitter=0.0)
    for fault in ("429", "503", "drop", "malformed", "truncated", "latency=1"):
        async with kg.AsyncKlingClient(
            gateway.base_url,
            secret,
            headers={"X-Emulator-Fault": fault},
            retry=retry,
            timeout=0.3,
        ) as client:
            texts.append(repr(client))
            try:
                await client.get(seeded(gateway, "SUCCESS"))
            except kg.KlingError as exc:
                texts += [str(exc), repr(exc), repr(exc.__cause__)]
    with client_for(gateway, token=secret) as client:
        task = client.wait(
            client.submit(model_name="kling-v1", image=IMAGE, prompt="a").task_id
        )
        client.download(task, tmp_path)
        texts.append(repr(client))
    assert len(texts) > 10
    joined = "\n".join(texts) + caplog.text
    assert "HTTP Request" in caplog.text, "the logs were captured"
    assert secret not in joined
    assert secret.removeprefix("sk-") not in joined


# Downloads


def test_download_writes_the_whole_video(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    with client_for(gateway) as client:
        path = client.download(seeded(gateway, "SUCCESS"), tmp_path)
        named = client.download(seeded(gateway, "SUCCESS"), tmp_path / "out" / "v.mp4")
    assert path.parent == tmp_path and path.stat().st_size > 0
    assert named.read_bytes() == path.read_bytes()
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        [path.name, "out", "v.mp4"]
    )


def test_download_refuses_a_task_without_video(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    with (
        client_for(gateway) as client,
        pytest.raises(kg.DownloadError, match="no video"),
    ):
        client.download(seeded(gateway, "IN_PROGRESS"), tmp_path)
    assert list(tmp_path.iterdir()) == []


def _video_server(body: bytes, announced: int) -> EmulatorServer:
    """A gateway whose video host announces `announced` bytes and sends `body`."""

    def replace(app: Starlette) -> ASGIApp:
        async def serve(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"].startswith(
                "/emulator/videos/"
            ):
                headers = [
                    (b"content-length", str(announced).encode()),
                    (b"content-type", b"video/mp4"),
                ]
                await send(
                    {"type": "http.response.start", "status": 200, "headers": headers}
                )
                await send({"type": "http.response.body", "body": body})
                return
            await app(scope, receive, send)

        return serve

    return EmulatorServer(make_config(), wrap=replace)


@pytest.mark.parametrize(
    ("body", "announced", "max_bytes"), [(b"x" * 50, 100, None), (b"x" * 100, 100, 60)]
)
async def test_a_failed_download_leaves_nothing_behind(
    tmp_path: Path, body: bytes, announced: int, max_bytes: int | None
) -> None:
    destination = tmp_path / "video.mp4"
    destination.write_bytes(b"previous")
    with _video_server(body, announced) as server:
        async with async_client_for(server) as client:
            with pytest.raises(kg.DownloadError):
                await client.download(
                    seeded(server, "SUCCESS"), destination, max_bytes=max_bytes
                )
    assert destination.read_bytes() == b"previous", "the destination is left untouched"
    assert [p.name for p in tmp_path.iterdir()] == ["video.mp4"], "no partial file"
