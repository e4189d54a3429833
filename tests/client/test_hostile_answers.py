"""A hostile or broken gateway cannot make the client write outside its folder, leak the
token, or crash its readers; over HTTP, for the sync and the async client."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

import kling_gateway as kg
from kling_emulator.config import Lifecycle
from kling_emulator.server import EmulatorServer
from kling_gateway import RetryPolicy
from kling_gateway import cli as cli_module
from kling_gateway.cli import main as cli_main

from ..broken_gateways import RewriteAnswers
from ..conftest import TOKEN_1, make_config

NO_RETRY = RetryPolicy(max_retries=0)


def answering_task(
    change: Callable[[dict[str, Any]], None],
) -> Callable[[Any], ASGIApp]:
    """A gateway whose 200 task answers are changed by `change`."""

    def rewrite(
        scope: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if scope["method"] == "GET" and status == 200 and b'"code":"success"' in body:
            answer = json.loads(body)
            change(answer["data"])
            body = json.dumps(answer).encode()
        return status, headers, body

    return lambda app: RewriteAnswers(app, rewrite)


def _serve(change: Callable[[dict[str, Any]], None]) -> EmulatorServer:
    return EmulatorServer(make_config(), wrap=answering_task(change))


@pytest.mark.parametrize("answered", ["../../escaped", "/tmp/absolute", "a/b"])
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_an_answer_about_another_task_is_refused(
    answered: str, flavour: str, tmp_path: Path
) -> None:
    with _serve(lambda task: task.__setitem__("task_id", answered)) as server:
        task_id = server.seeded[1]["SUCCESS"]
        with pytest.raises(kg.MalformedResponseError, match="another task"):
            if flavour == "sync":
                with kg.KlingClient(server.base_url, TOKEN_1, retry=NO_RETRY) as c:
                    c.download(task_id, f"{tmp_path}/videos/")
            else:
                import asyncio

                async def run() -> None:
                    async with kg.AsyncKlingClient(
                        server.base_url, TOKEN_1, retry=NO_RETRY
                    ) as c:
                        await c.download(task_id, f"{tmp_path}/videos/")

                asyncio.run(run())
    assert (
        not any(tmp_path.rglob("*.mp4"))
        and not (tmp_path.parent / "escaped.mp4").exists()
    )


def test_a_task_object_with_an_unsafe_id_never_names_a_file(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    with kg.KlingClient(gateway.base_url, TOKEN_1, retry=NO_RETRY) as client:
        task = client.get(gateway.seeded[1]["SUCCESS"])
        task.task_id = "../outside"
        with pytest.raises(kg.DownloadError, match="cannot name a file"):
            client.download(task, f"{tmp_path}/videos/")
    assert not (tmp_path / "outside.mp4").exists()


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        {"task_result": {"videos": "abc"}},
        {"task_result": {"videos": [None]}},
        {"task_result": [1]},
        {"task_status_msg": 5},
    ],
    ids=["list", "videos a string", "videos [null]", "result a list", "msg a number"],
)
def test_malformed_kling_payloads_never_crash_the_readers(
    payload: Any, tmp_path: Path
) -> None:
    """Nothing readable names the video: the readers say so, and a download of the finished
    task asks the gateway's /content route for it instead."""

    def change(task: dict[str, Any]) -> None:
        task["data"]["data"] = payload
        task.pop("result_url", None)

    with _serve(change) as server:
        task_id = server.seeded[1]["SUCCESS"]
        with kg.KlingClient(server.base_url, TOKEN_1, retry=NO_RETRY) as client:
            task = client.get(task_id)
            assert kg.video_urls(task) == [] and kg.videos_of(task) == []
            assert kg.fail_reason_of(task) == ""
            saved = client.download(task, tmp_path / "v.mp4")
            assert saved.read_bytes()[4:8] == b"ftyp"
            with pytest.raises(kg.DownloadError, match="first video"):
                client.download(task, tmp_path / "second.mp4", index=1)
        result = CliRunner().invoke(
            cli_main,
            ["--base-url", server.base_url, "download", task_id, "-o", str(tmp_path)],
            env={"KLING_API_TOKEN": TOKEN_1},
        )
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{task_id}.mp4").read_bytes()[4:8] == b"ftyp"
    assert not (tmp_path / "second.mp4").exists()


@pytest.mark.parametrize(
    "token", ["sk-a\r\nX-Evil: 1", "sk-a\x00b", "sk-ümlaut", "sk a"]
)
def test_a_token_httpx_would_echo_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(kg.ConfigurationError) as caught:
        kg.KlingClient("http://127.0.0.1:9", token)
    assert token not in str(caught.value) and "sk-a" not in str(caught.value)
    with pytest.raises(kg.ConfigurationError):
        kg.AsyncKlingClient("http://127.0.0.1:9", token)
    if "\x00" in token:
        return  # no environment variable can hold it
    result = CliRunner().invoke(
        cli_main,
        ["--base-url", "http://127.0.0.1:9", "get", "1"],
        env={"KLING_API_TOKEN": token},
    )
    assert result.exit_code == 2 and token not in result.output


@pytest.mark.parametrize("task_id", ["abc\n", "abc\r\n", "\nabc"])
def test_a_task_id_with_a_newline_is_refused(task_id: str) -> None:
    with (
        kg.KlingClient("http://127.0.0.1:9", TOKEN_1) as client,
        pytest.raises(kg.InvalidTaskIdError),
    ):
        client.get(task_id)


def test_a_malformed_base_url_is_a_configuration_error() -> None:
    with pytest.raises(kg.ConfigurationError):
        kg.KlingClient("http://[::1", TOKEN_1)


@pytest.fixture
def gzip_video_server() -> Iterator[tuple[str, bytes]]:
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400

    async def serve(request: Request) -> Response:
        return Response(
            gzip.compress(video),
            media_type="video/mp4",
            headers={"Content-Encoding": "gzip"},
        )

    app = Starlette(routes=[Route("/v.mp4", serve)])
    # The emulator's server, serving only this app: a video host that compresses.
    with EmulatorServer(make_config(), wrap=lambda _: app) as server:
        yield server.base_url + "/v.mp4", video


def test_a_gzip_encoded_video_downloads_whole(
    gzip_video_server: tuple[str, bytes], gateway: EmulatorServer, tmp_path: Path
) -> None:
    url, video = gzip_video_server
    with kg.KlingClient(gateway.base_url, TOKEN_1, retry=NO_RETRY) as client:
        task = client.get(gateway.seeded[1]["SUCCESS"])
        assert task.data is not None
        task.data.data.task_result.videos[0].url = url  # type: ignore[union-attr,index]
        path = client.download(task, tmp_path / "v.mp4")
    assert path.read_bytes() == video


# -- unbounded and slow answers ----------------------------------------------------------------

HUGE = 300 * 1024 * 1024
CHUNK = 1024 * 1024


def _gzip_bomb() -> bytes:
    """About 300 KB of gzip that expands to 300 MB of spaces, built a chunk at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(b" " * CHUNK) for _ in range(HUGE // CHUNK)]
    return b"".join(parts) + compressor.flush()


def hostile_app() -> Starlette:
    bomb = _gzip_bomb()

    async def huge(request: Request) -> Response:
        async def body() -> Any:
            for _ in range(HUGE // CHUNK):
                yield b" " * CHUNK

        return StreamingResponse(body(), media_type="application/json")

    async def gzip_bomb(request: Request) -> Response:
        return Response(
            bomb, media_type="application/json", headers={"Content-Encoding": "gzip"}
        )

    async def drip(request: Request) -> Response:
        async def body() -> Any:
            # A byte every 0.1 s for a minute: no single read ever waits long enough to
            # time out, only the total deadline can end it.
            for _ in range(600):
                yield b" "
                await asyncio.sleep(0.1)

        return StreamingResponse(body(), media_type="application/json")

    query = "/kling/v1/videos/image2video/{task_id}"
    return Starlette(
        routes=[
            Route("/huge" + query, huge),
            Route("/bomb" + query, gzip_bomb),
            Route("/drip" + query, drip),
        ]
    )


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    app = hostile_app()
    with EmulatorServer(make_config(), wrap=lambda _: app) as server:
        yield server.base_url


@pytest.mark.parametrize("kind", ["huge", "bomb"])
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_an_oversized_answer_is_malformed_not_memory(
    hostile: str, kind: str, flavour: str
) -> None:
    url = f"{hostile}/{kind}"
    with pytest.raises(kg.MalformedResponseError, match="max_response_bytes=1048576"):
        if flavour == "sync":
            with kg.KlingClient(
                url, TOKEN_1, retry=NO_RETRY, max_response_bytes=CHUNK
            ) as c:
                c.get("1")
        else:

            async def run() -> None:
                async with kg.AsyncKlingClient(
                    url, TOKEN_1, retry=NO_RETRY, max_response_bytes=CHUNK
                ) as c:
                    await c.get("1")

            asyncio.run(run())


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_dripped_answer_ends_at_the_request_timeout(
    hostile: str, flavour: str
) -> None:
    started = time.monotonic()
    with pytest.raises(kg.APITimeoutError):
        if flavour == "sync":
            with kg.KlingClient(
                f"{hostile}/drip", TOKEN_1, retry=NO_RETRY, timeout=0.5
            ) as c:
                c.get("1")
        else:

            async def run() -> None:
                async with kg.AsyncKlingClient(
                    f"{hostile}/drip", TOKEN_1, retry=NO_RETRY, timeout=0.5
                ) as c:
                    await c.get("1")

            asyncio.run(run())
    # The drip lasts 60 s; the deadline is 0.5 s, plus at most one read of up to 0.1 s.
    assert time.monotonic() - started < 5


def test_peak_memory_stays_bounded_for_a_huge_answer_and_a_gzip_bomb(
    hostile: str,
) -> None:
    """In a fresh interpreter, so that the figure is the client's alone: the peak RSS
    gained while reading both answers, over what the interpreter had after its imports."""
    script = f"""
import resource, kling_gateway as kg
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
with kg.KlingClient({hostile!r}, {TOKEN_1!r}) as warm:
    pass
before = peak()
for kind in ("huge", "bomb"):
    with kg.KlingClient({hostile!r} + "/" + kind, {TOKEN_1!r}) as client:
        try:
            client.get("1")
        except kg.MalformedResponseError:
            pass
        else:
            raise SystemExit("no error")
print(before, peak())
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split())
    # At most 16 MiB of answer (the default cap), held once as chunks and once joined.
    assert after - before < 64, f"peak RSS {before} -> {after} MiB"


# -- bad options and Ctrl-C ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["wait", "123", "--interval", "0"],
        ["wait", "123", "--interval", "-1"],
        ["wait", "123", "--interval", "nan"],
        ["wait", "123", "--deadline", "0"],
        ["wait", "123", "--deadline", "inf"],
        ["--request-timeout", "nan", "get", "123"],
        ["--base-url", "http://[::1", "get", "123"],
        ["submit", "--prompt", "a", "--image", "x", "--deadline", "-5"],
    ],
)
def test_bad_cli_options_are_usage_errors_without_a_traceback(argv: list[str]) -> None:
    result = CliRunner().invoke(
        cli_main,
        ["--base-url", "http://127.0.0.1:9", *argv]
        if "--base-url" not in argv
        else argv,
        env={"KLING_API_TOKEN": TOKEN_1},
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "options", [{"deadline": 0}, {"deadline": float("nan")}, {"interval": -1.0}]
)
def test_bad_wait_arguments_are_invalid_requests(
    gateway: EmulatorServer, options: dict[str, float]
) -> None:
    with (
        kg.KlingClient(gateway.base_url, TOKEN_1) as client,
        pytest.raises(kg.InvalidRequestError),
    ):
        client.wait(gateway.seeded[1]["IN_PROGRESS"], **options)  # type: ignore[arg-type]


def _kling(argv: list[str], server: EmulatorServer) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KLING_")},
        "KLING_BASE_URL": server.base_url,
        "KLING_API_TOKEN": TOKEN_1,
    }
    return subprocess.Popen(
        [sys.executable, "-c", _KLING_WITH_SIGINT, *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# The `kling` script, with SIGINT raising KeyboardInterrupt as in a terminal: a job started in
# the background by a non-interactive shell (as CI may run the tests) inherits SIGINT
# ignored, and Python then never raises it.
_KLING_WITH_SIGINT = (
    "import signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "sys.argv[0] = 'kling'\n"
    "from kling_gateway.cli import main\n"
    "main()\n"
)


class _PollWatch:
    """Notes the path of every GET the emulator is sent, so that a test can wait until a
    process is polling a task instead of guessing how long its start-up takes."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def watched(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] == "GET":
                self.paths.append(scope["path"])
            await app(scope, receive, send)

        return watched

    def wait_for_a_poll(self, task_id: str, bound: float = 60.0) -> None:
        """Until a GET of the task arrived; the bound only ends a hung test."""
        deadline = time.monotonic() + bound
        while not any(p.endswith(f"/{task_id}") for p in list(self.paths)):
            assert time.monotonic() < deadline, f"no poll of {task_id}: {self.paths}"
            time.sleep(0.02)


def test_ctrl_c_while_waiting_exits_130_after_printing_the_new_tasks_id() -> None:
    slow = make_config(lifecycle=Lifecycle.scaled(600))
    polls = _PollWatch()
    with EmulatorServer(slow, wrap=polls.wrap) as server:
        running = server.seeded[1]["IN_PROGRESS"]
        waiting = _kling(["wait", running], server)
        submitting = _kling(
            [
                "--json",
                "submit",
                "--image",
                "https://e.x/a.png",
                "--prompt",
                "a",
                "--wait",
            ],
            server,
        )
        first_line = submitting.stdout.readline() if submitting.stdout else ""
        # Both are waiting once each has polled its task (a loaded machine starts them
        # slowly; a fixed pause could interrupt one before it began to wait).
        polls.wait_for_a_poll(running)
        polls.wait_for_a_poll(json.loads(first_line)["task_id"])
        for process in (waiting, submitting):
            process.send_signal(signal.SIGINT)
        outcomes = [p.communicate(timeout=30) for p in (waiting, submitting)]
    assert waiting.returncode == submitting.returncode == 130, outcomes
    task_id = json.loads(first_line)["task_id"]
    assert task_id.startswith("task_")
    assert f"submitted task {task_id}" in outcomes[1][1]
    assert (
        f"task {task_id} goes on at the gateway: kling wait {task_id}" in outcomes[1][1]
    )
    assert "Traceback" not in outcomes[0][1] + outcomes[1][1]


@pytest.mark.parametrize("kind", ["huge", "bomb", "drip"])
def test_the_token_appears_in_no_exception_log_record_or_cli_output(
    hostile: str,
    kind: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    retry = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.01, jitter=0.0)
    # The CLI's own retries would only wait longer between the same failures.
    monkeypatch.setattr(cli_module, "KlingClient", partial(kg.KlingClient, retry=retry))
    with (
        kg.KlingClient(
            f"{hostile}/{kind}", TOKEN_1, retry=retry, timeout=0.3
        ) as client,
        pytest.raises(kg.KlingError) as caught,
    ):
        client.get("1")
    texts = [str(caught.value), repr(caught.value), *map(str, caught.value.args)]
    texts += [record.getMessage() for record in caplog.records]
    result = CliRunner().invoke(
        cli_main,
        [
            "--json",
            "--request-timeout",
            "0.3",
            "--base-url",
            f"{hostile}/{kind}",
            "get",
            "1",
        ],
        env={"KLING_API_TOKEN": TOKEN_1},
    )
    assert result.exit_code == 3, result.output
    texts.append(result.output)
    assert not [text for text in texts if TOKEN_1 in text or "emulatoruser1" in text]
