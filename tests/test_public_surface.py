"""The library's public surface says what it accepts; unit tests through httpx.MockTransport
pin the submit body and the error translation for the sync and the async client alike."""

from __future__ import annotations

import asyncio
import fnmatch
import inspect
import json
import logging
import ssl
import time
import tomllib
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

import kling_gateway as kg
from kling_gateway._pacing import GatewayClock, server_time
from kling_gateway._submit_fields import KNOWN_FIELDS
from kling_gateway._transport import shared_tls_context
from kling_gateway_api.models import ImageToVideoRequest, TextToVideoRequest

from .conftest import ROOT

TOKEN = "sk-mocktoken1"
EXPECTED_ALL = {
    "APIConnectionError", "APIError", "APIResponse", "APIStatusError", "APITimeoutError",
    "AsyncKlingClient", "AsyncRawResponses", "AuthenticationError", "BadRequestError", "ConfigurationError",
    "DownloadError", "Generated", "IntervalSchedule", "InvalidRequestError", "InvalidTaskIdError",
    "JobResult", "JobState", "JobsChangedError", "JournalError", "JournalInUseError", "JournalVersionError",
    "KlingClient", "KlingError",
    "MalformedResponseError", "NotFoundError", "PermissionDeniedError", "ProgressCallback",
    "RateLimitError", "RawResponses", "Route",
    "RefreshSchedule", "RetryPolicy", "ServerError", "SubmitFields", "Submitted", "SubmittedTask", "Task",
    "TaskFailedError", "TaskInterrupted", "TaskNotFoundError", "TaskStatus", "UNSET", "Unset", "WaitPolicy",
    "WaitTimeoutError",
    "fail_reason_of", "is_final", "is_success", "progress_of", "status_of", "video_urls",
    "videos_of",
}  # fmt: skip
NO_RETRY = kg.RetryPolicy(max_retries=0)


def test_all_is_pinned() -> None:
    assert set(kg.__all__) == EXPECTED_ALL
    assert kg.__version__ and kg.__version__ != "0+unknown"


def test_the_package_namespace_holds_only_what_all_names() -> None:
    """No helper of the package's own (importlib's `version`, `PackageNotFoundError`)
    passes for part of its surface; submodules aside."""
    public = {
        name
        for name, value in vars(kg).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(kg.__all__)


@pytest.mark.parametrize("client", [kg.KlingClient, kg.AsyncKlingClient])
def test_api_key_is_the_token_by_openai_pythons_name(client: Any) -> None:
    """A user of openai-python tries `api_key=` first."""
    made = client("http://gw.test", api_key=TOKEN)
    assert made._core.settings.token == TOKEN
    with pytest.raises(kg.ConfigurationError, match="token= or api_key=, not both"):
        client("http://gw.test", token=TOKEN, api_key=TOKEN)


def test_both_clients_take_the_same_explicit_parameters() -> None:
    sync = inspect.signature(kg.KlingClient.__init__).parameters
    asynchronous = inspect.signature(kg.AsyncKlingClient.__init__).parameters
    assert list(sync) == list(asynchronous)
    assert not any(
        p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sync.values()
    ), "a constructor that takes anything hides typos"
    for name in sync:
        assert sync[name].default == asynchronous[name].default, name
    assert "transport" in sync and "max_response_bytes" in sync


def test_clients_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the CA bundle costs tens of milliseconds: once per process, not per client."""
    built: list[object] = []
    real = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(args)
        return real(*args, **kwargs)

    for proxy in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
    ):
        monkeypatch.delenv(proxy, raising=False)  # a proxy would bring its own context
    monkeypatch.setattr(ssl, "create_default_context", counted)
    shared_tls_context.cache_clear()
    try:
        for _ in range(3):
            kg.KlingClient("https://gw.example", "sk-x").close()
            asyncio.run(kg.AsyncKlingClient("https://gw.example", "sk-x").aclose())
    finally:
        shared_tls_context.cache_clear()
    assert len(built) == 1


def test_submit_fields_are_the_specs() -> None:
    generated = {
        field.name
        for model in (ImageToVideoRequest, TextToVideoRequest)
        for field in attrs.fields(model)
        if field.name != "additional_properties"
    }
    assert KNOWN_FIELDS == generated


def test_every_package_is_typed() -> None:
    for package in ("client/kling_gateway", "generated/kling_gateway_api",
                    "common/kling_common", "emulator/kling_emulator",
                    "emulator/kling_upstream", "contract_tests/kling_contract"):  # fmt: skip
        assert (ROOT / package / "py.typed").is_file(), package


def test_every_installed_top_level_name_is_the_projects() -> None:
    """A wheel that installs a generic name (contract_tests, tests) shadows, or is shadowed
    by, a user's own package of that name."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = config["tool"]["setuptools"]["packages"]["find"]
    packages = {
        init.parent.name
        for where in found["where"]
        for init in (ROOT / where).glob("*/__init__.py")
        if any(
            fnmatch.fnmatch(init.parent.name, pattern) for pattern in found["include"]
        )
    }
    assert packages == {
        "kling_gateway", "kling_gateway_api", "kling_common", "kling_emulator",
        "kling_upstream", "kling_contract",
    }  # fmt: skip


CALLS = ["get", "submit", "submit_text_to_video", "wait", "wait_many", "download"]


def test_implementation_modules_are_private() -> None:
    """Users import from `kling_gateway`; only `errors` and the CLI's module are public."""
    folder = Path(kg.__file__).parent
    public = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    assert public == ["cli", "errors"]


def test_what_public_signatures_name_is_exported() -> None:
    hints = typing.get_type_hints(kg.KlingClient.wait)
    assert hints["on_progress"] == kg.ProgressCallback | None
    assert hints["route"] == kg.Route
    queued = kg.Task.from_dict(
        {"task_id": "1", "status": "QUEUED", "progress": "0%", "data": None}
    )
    # Not sent: None to read, as openai-python's models; the generated model's UNSET beneath.
    assert queued.fail_reason is None and queued.raw().fail_reason is kg.UNSET
    assert isinstance(kg.UNSET, kg.Unset)
    for call in CALLS:
        for hint in typing.get_type_hints(getattr(kg.KlingClient, call)).values():
            for part in typing.get_args(hint) or (hint,):
                module = getattr(part, "__module__", "")
                if module.startswith("kling_gateway._"):
                    assert part.__name__ in kg.__all__, (call, part)


def test_both_clients_have_one_signature_per_call_with_per_call_options() -> None:
    for call in CALLS:
        sync = inspect.signature(getattr(kg.KlingClient, call))
        asynchronous = inspect.signature(getattr(kg.AsyncKlingClient, call))
        assert sync == asynchronous, call
        assert {"timeout", "extra_headers"} <= set(sync.parameters), call
        assert inspect.iscoroutinefunction(getattr(kg.AsyncKlingClient, call))
        assert getattr(kg.KlingClient, call).__doc__, call
    for call in ["get", "submit", "submit_text_to_video"]:
        assert inspect.signature(getattr(kg.RawResponses, call)) == inspect.signature(
            getattr(kg.KlingClient, call)
        )
    assert "concurrency" in inspect.signature(kg.KlingClient.wait_many).parameters


# -- through httpx.MockTransport ------------------------------------------------------------------


def _answer(
    status: int, body: Any, **headers: str
) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            status, json=body, headers={"X-Oneapi-Request-Id": "rid-1", **headers}
        )

    sent: list[httpx.Request] = []
    handle.sent = sent  # type: ignore[attr-defined]
    return handle


SUBMITTED = {
    "id": "task_" + "a" * 32,
    "task_id": "task_" + "a" * 32,
    "status": "queued",
}


def _call(flavour: str, handler: Any, call: str, *args: Any, **kwargs: Any) -> Any:
    if flavour == "sync":
        with kg.KlingClient(
            "http://gw.test",
            TOKEN,
            retry=NO_RETRY,
            transport=httpx.MockTransport(handler),
        ) as client:
            return getattr(client, call)(*args, **kwargs)

    async def run() -> Any:
        async with kg.AsyncKlingClient(
            "http://gw.test",
            TOKEN,
            retry=NO_RETRY,
            transport=httpx.MockTransport(handler),
        ) as client:
            return await getattr(client, call)(*args, **kwargs)

    return asyncio.run(run())


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_every_answer_sets_the_gateway_clock(flavour: str) -> None:
    """A submit's Date already tells waits where the gateway's second lies (pacing.py):
    the offset lies between the Date minus when the answer came and the Date's second's
    end minus when the request went."""
    date = "Sun, 06 Nov 1994 08:49:37 GMT"
    handler = _answer(200, SUBMITTED, Date=date)
    transport = httpx.MockTransport(handler)
    before = time.monotonic()
    if flavour == "sync":
        with kg.KlingClient("http://gw.test", TOKEN, transport=transport) as client:
            client.submit(model="m", prompt="p", image="https://e.com/i.png")
        clock = client._core.gateway_clock
    else:

        async def run() -> GatewayClock:
            async with kg.AsyncKlingClient(
                "http://gw.test", TOKEN, transport=transport
            ) as client:
                await client.submit(model="m", prompt="p", image="https://e.com/i.png")
            return client._core.gateway_clock

        clock = asyncio.run(run())
    after = time.monotonic()
    seconds = server_time(date)
    assert seconds is not None and clock.known
    assert seconds - after <= clock.low <= clock.high <= seconds + 1 - before


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_typo_in_a_submit_field_is_refused_before_sending(flavour: str) -> None:
    handler = _answer(200, SUBMITTED)
    with pytest.raises(kg.InvalidRequestError, match="did you mean 'negative_prompt'"):
        _call(
            flavour,
            handler,
            "submit",
            model="m",
            prompt="p",
            image="https://e.com/i.png",
            negativ_prompt="x",
        )
    assert handler.sent == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_extra_body_sends_what_the_spec_does_not_list_yet(flavour: str) -> None:
    handler = _answer(200, SUBMITTED)
    submitted = _call(
        flavour,
        handler,
        "submit",
        model="m",
        prompt="p",
        image="https://e.com/i.png",
        negative_prompt="blur",
        extra_body={"voice_list": [{"voice_id": "v1"}]},
    )
    (request,) = handler.sent  # type: ignore[attr-defined]
    body = json.loads(request.content)
    assert (
        body["voice_list"] == [{"voice_id": "v1"}]
        and "voice_list" not in body["metadata"]
    )
    assert body["metadata"] == {"negative_prompt": "blur"}
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert submitted.task_id == SUBMITTED["id"]


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (503, {"error": {"message": "No available channel", "type": "new_api_error",
                         "code": "model_not_found"}}, kg.ServerError, "model_not_found"),
        (429, {"code": "fail_to_fetch_task", "message": "busy", "data": None},
         kg.RateLimitError, "fail_to_fetch_task"),
        (400, {"code": "task_not_exist", "message": "task_not_exist", "data": None},
         kg.TaskNotFoundError, "task_not_exist"),
        (401, {"error": {"message": "Invalid token", "type": "new_api_error", "code": ""}},
         kg.AuthenticationError, "new_api_error"),
        (502, {"code": "bad_gateway", "message": "upstream"}, kg.ServerError, "bad_gateway"),
    ],
)  # fmt: skip
def test_error_translation(
    flavour: str, status: int, body: Any, kind: type[kg.APIStatusError], code: str
) -> None:
    handler = _answer(status, body)
    with pytest.raises(kind) as caught:
        _call(flavour, handler, "get", "123")
    assert caught.value.status_code == status and caught.value.code == code
    assert caught.value.request_id == "rid-1" and TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    ("entry", "cached", "missing", "extra"),
    [
        ("kling_emulator.entry", "kling_emulator.__main__", "uvicorn", "emulator"),
        ("kling_upstream.entry", "kling_upstream.__main__", "uvicorn", "emulator"),
        ("kling_upstream.entry", "kling_upstream.__main__", "jwt", "emulator"),
        ("kling_contract.entry", "kling_contract.cli", "schemathesis", "contract"),
    ],
)
def test_a_console_script_without_its_extra_says_which_to_install(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    entry: str,
    cached: str,
    missing: str,
    extra: str,
) -> None:
    import importlib
    import sys

    # Forget the modules that import the extra, and the package attributes that
    # `from . import x` would find them by, so that the import really happens again.
    for name in (
        cached,
        "kling_contract.runner",
        "kling_contract.checks",
        "kling_common.serving",
        "kling_upstream.app",
        "kling_common.auth",
        "kling_upstream.config",
    ):
        monkeypatch.delitem(sys.modules, name, raising=False)
        package, _, attribute = name.rpartition(".")
        if package in sys.modules:
            monkeypatch.delattr(sys.modules[package], attribute, raising=False)
    monkeypatch.setitem(sys.modules, missing, None)
    module = importlib.import_module(entry)
    with pytest.raises(SystemExit) as caught:
        module.main()
    assert caught.value.code == 2  # a usage error of the shared table: nothing was sent
    assert f"pip install 'kling-gateway[{extra}]'" in capsys.readouterr().err


def test_the_exception_tree_in_the_docstring_is_the_real_one() -> None:
    from kling_gateway import errors

    drawn = errors.__doc__ or ""
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, kg.KlingError)
    ]
    for cls in classes:
        assert f" {cls.__name__} " in drawn.replace("\n", " "), cls.__name__
        if cls is not kg.KlingError:
            parent = next(b for b in cls.__mro__[1:] if issubclass(b, kg.KlingError))
            line = next(l for l in drawn.splitlines() if f" {cls.__name__} " in l + " ")
            parent_line = next(
                l for l in drawn.splitlines() if f" {parent.__name__}" in l
            )
            # drawn one level deeper than its parent
            indent = len(line) - len(line.lstrip("│ ├└─"))
            parent_indent = len(parent_line) - len(parent_line.lstrip("│ ├└─"))
            assert indent > parent_indent, (cls.__name__, parent.__name__)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_one_debug_record_per_request_attempt_without_the_token(
    flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="kling_gateway")
    answers = iter([503, 200])

    def handle(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        body: Any = (
            {"code": "x", "message": "busy", "data": None}
            if status == 503
            else {"code": "success", "message": "", "data": {
                "task_id": "123", "status": "SUBMITTED", "progress": "10%", "data": None}}
        )  # fmt: skip
        return httpx.Response(status, json=body, headers={"X-Oneapi-Request-Id": "r"})

    retry = kg.RetryPolicy(max_retries=2, initial_delay=0.0, max_delay=0.0, jitter=0.0)
    if flavour == "sync":
        with kg.KlingClient(
            "http://gw.test", TOKEN, retry=retry, transport=httpx.MockTransport(handle)
        ) as client:
            client.get("123")
    else:

        async def run() -> None:
            async with kg.AsyncKlingClient(
                "http://gw.test",
                TOKEN,
                retry=retry,
                transport=httpx.MockTransport(handle),
            ) as client:
                await client.get("123")

        asyncio.run(run())
    records = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    requests = [m for m in records if m.startswith("GET image2video/123 ->")]
    assert len(requests) == 2, records
    assert "503 (request id r)" in requests[0] and requests[0].endswith("attempt 1")
    assert "200 (request id r)" in requests[1] and requests[1].endswith("attempt 2")
    assert not any(TOKEN in m for m in records)


# -- retry timing: one pure function, pinned by a table ------------------------------------------


def _rate_limited(retry_after: float | None) -> kg.RateLimitError:
    return kg.RateLimitError("slow down", status_code=429, retry_after=retry_after)


def _server_error(status: int) -> kg.ServerError:
    return kg.ServerError("failed", status_code=status)


POLICY = kg.RetryPolicy(max_retries=3, initial_delay=0.5, max_delay=2.0, jitter=0.5)


@pytest.mark.parametrize(
    ("attempt", "exc", "idempotent", "expected"),
    [
        (1, kg.APIConnectionError("x", request_sent=True), True, 0.5 + 0.25),
        (2, kg.APIConnectionError("x", request_sent=True), True, 1.0 + 0.25),
        (3, kg.APIConnectionError("x", request_sent=True), True, 2.0 + 0.25),  # capped
        (4, kg.APIConnectionError("x", request_sent=True), True, None),  # retries spent
        (
            1,
            kg.APIConnectionError("x", request_sent=True),
            False,
            None,
        ),  # may have billed
        (1, kg.APIConnectionError("x", request_sent=False), False, 0.75),  # never sent
        (1, kg.APITimeoutError("x", request_sent=True), True, 0.75),
        (1, _rate_limited(None), False, 0.75),
        (1, _rate_limited(7.0), True, 7.0),  # the server's Retry-After wins
        (1, _rate_limited(61.0), True, None),  # longer than max_retry_after
        (1, _server_error(503), True, 0.75),
        (1, _server_error(503), False, None),
        (1, _server_error(500), True, None),
        (1, kg.BadRequestError("no", status_code=400), True, None),
    ],
)
def test_retry_timing(
    attempt: int, exc: Exception, idempotent: bool, expected: float | None
) -> None:
    assert POLICY.delay(attempt, exc, idempotent, rand=lambda: 0.5) == expected


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Sat, 28 Nov 2026 12:00:30 GMT", 30.0),  # an HTTP date, 30 s after "now"
        ("Sat, 28 Nov 2026 11:59:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_in_both_forms(header: str, seconds: float | None) -> None:
    from email.utils import parsedate_to_datetime

    from kling_gateway._response import retry_after_of

    now = parsedate_to_datetime("Sat, 28 Nov 2026 12:00:00 GMT").timestamp()
    response = httpx.Response(429, headers={"Retry-After": header} if header else {})
    assert retry_after_of(response, now=now) == seconds


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_per_call_options_reach_the_request_and_raw_answers_keep_the_response(
    flavour: str,
) -> None:
    handler = _answer(200, SUBMITTED)
    options: dict[str, Any] = {"timeout": 3.0, "extra_headers": {"X-Trace": "t-1"}}
    fields: dict[str, Any] = {
        "model": "m",
        "prompt": "p",
        "image": "https://e.com/i.png",
    }
    if flavour == "sync":
        with kg.KlingClient(
            "http://gw.test", TOKEN, transport=httpx.MockTransport(handler)
        ) as client:
            raw = client.with_raw_response.submit(**fields, **options)
            plain = client.submit(**fields)
    else:

        async def run() -> tuple[Any, Any]:
            async with kg.AsyncKlingClient(
                "http://gw.test", TOKEN, transport=httpx.MockTransport(handler)
            ) as client:
                raw = await client.with_raw_response.submit(**fields, **options)
                return raw, await client.submit(**fields)

        raw, plain = asyncio.run(run())
    assert isinstance(raw, kg.APIResponse) and isinstance(plain, kg.Submitted)
    assert raw.parsed == plain and raw.request_id == "rid-1"
    assert raw.http_response.status_code == 200 and raw.retries_taken == 0
    first, second = handler.sent  # type: ignore[attr-defined]
    assert first.headers["X-Trace"] == "t-1" and "X-Trace" not in second.headers
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert first.extensions["timeout"]["read"] == 3.0
    assert second.extensions["timeout"]["read"] == 30.0


class _Drip(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'{"id": "task_1", '
        for _ in range(10):
            time.sleep(0.05)
            yield b" "
        yield b'"task_id": "task_1", "status": "queued"}'


def test_a_calls_own_timeout_bounds_its_whole_answer() -> None:
    """The client's 30 s would let a dripping answer through; the call's 0.1 s does not."""

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Drip())

    with kg.KlingClient(
        "http://gw.test", TOKEN, retry=NO_RETRY, transport=httpx.MockTransport(handle)
    ) as client:
        assert (
            client.submit(model="m", prompt="p", image="https://e.com/i.png").task_id
            == "task_1"
        )
        with pytest.raises(kg.APITimeoutError):
            client.submit(
                model="m", prompt="p", image="https://e.com/i.png", timeout=0.1
            )
    with (
        pytest.raises(kg.InvalidRequestError, match="positive number"),
        kg.KlingClient("http://gw.test", TOKEN) as client,
    ):
        client.get("abc", timeout=-1)
