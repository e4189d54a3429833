"""What a new user meets first, against the emulator over HTTP: one read of a task gives the
gateway's own status on every generation, the CLI reads every family the client does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from click.testing import CliRunner, Result

import kling_gateway as kg
from kling_common import exit_codes
from kling_common.exit_codes import ExitCode
from kling_common.families import Family
from kling_common.generation import Generation
from kling_emulator.seeding import GATEWAY_FAILED, GATEWAY_FAILURE
from kling_emulator.server import EmulatorServer
from kling_gateway._response import status_error
from kling_gateway.cli import main

from ..conftest import BANNED, BROKE, LOW_QUOTA, TOKEN_1, make_config
from .test_over_http import async_client_for, client_for


@pytest.fixture(scope="module")
def generation_c() -> Iterator[EmulatorServer]:
    with EmulatorServer(make_config(generation=Generation.C)) as server:
        yield server


@pytest.fixture(scope="module")
def generation_c_kling_only() -> Iterator[EmulatorServer]:
    """Generation C with its unified routes off: the gateway's own view is not served."""
    config = make_config(generation=Generation.C, families=frozenset({Family.KLING}))
    with EmulatorServer(config) as server:
        yield server


def kling(gateway: EmulatorServer, *args: str, token: str = TOKEN_1) -> Result:
    env = {"KLING_BASE_URL": gateway.base_url, "KLING_API_TOKEN": token}
    return CliRunner().invoke(main, list(args), env=env)


def test_get_reads_the_gateways_failure_as_wait_does(
    generation_c: EmulatorServer,
) -> None:
    task_id = generation_c.seeded[1][GATEWAY_FAILED]
    with client_for(generation_c) as client:
        task = client.get(task_id)
        with pytest.raises(kg.TaskFailedError) as failed:
            client.wait(task_id, deadline=30)
    assert task.status == kg.TaskStatus.FAILURE
    assert kg.fail_reason_of(task) == GATEWAY_FAILURE == failed.value.reason


def test_the_async_get_reads_the_gateways_failure_too(
    generation_c: EmulatorServer,
) -> None:
    async def read() -> kg.Task:
        async with async_client_for(generation_c) as client:
            return await client.get(generation_c.seeded[1][GATEWAY_FAILED])

    task = asyncio.run(read())
    assert task.status == kg.TaskStatus.FAILURE
    assert kg.fail_reason_of(task) == GATEWAY_FAILURE


def test_a_get_of_the_kling_route_asked_explicitly_reads_that_route(
    generation_c: EmulatorServer,
) -> None:
    with client_for(generation_c) as client:
        task = client.get(generation_c.seeded[1][GATEWAY_FAILED], route="image2video")
    assert task.status == kg.TaskStatus.IN_PROGRESS  # Kling's stored answer, as asked


def test_without_the_generations_family_get_reads_the_kling_route(
    generation_c_kling_only: EmulatorServer,
) -> None:
    with client_for(generation_c_kling_only) as client:
        task = client.get(generation_c_kling_only.seeded[1]["SUCCESS"])
    assert task.status == kg.TaskStatus.SUCCESS and kg.video_urls(task)


def test_kling_get_and_kling_wait_agree(generation_c: EmulatorServer) -> None:
    task_id = generation_c.seeded[1][GATEWAY_FAILED]
    got = kling(generation_c, "get", task_id)
    waited = kling(generation_c, "wait", task_id, "--interval", "0.1")
    assert f"task {task_id}: FAILURE" in got.stdout, got.output
    assert f"reason: {GATEWAY_FAILURE}" in got.stdout
    assert got.stdout in waited.stdout


def test_kling_get_and_wait_read_the_tasks_family(generation_c: EmulatorServer) -> None:
    task_id = generation_c.seeded[1]["SUCCESS"]
    got = kling(generation_c, "--json", "get", task_id, "--family", "tasks")
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["status"] == "SUCCESS"
    waited = kling(generation_c, "wait", task_id, "--family", "tasks")
    assert waited.exit_code == 0 and "SUCCESS" in waited.stdout, waited.output


def test_kling_submit_refuses_the_tasks_family(generation_c: EmulatorServer) -> None:
    result = kling(
        generation_c, "submit", "--text", "--prompt", "rain", "--family", "tasks"
    )
    assert result.exit_code == 2 and "'tasks' is not one of" in result.output


def test_a_missing_image_file_is_named_as_such_in_the_cli(
    generation_c: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = kling(generation_c, "submit", "--image", "cat.png", "--prompt", "a cat")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "error: image file 'cat.png' does not exist (a URL or raw Base64 is sent as given)"
    )


# -- messages in the user's terms ----------------------------------------------------------


def _stderr_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("generation", ["B", "C"])
def test_an_unknown_task_names_its_id_what_it_means_and_what_to_do(
    gateway: EmulatorServer, generation_c: EmulatorServer, generation: str
) -> None:
    server = gateway if generation == "B" else generation_c
    result = kling(server, "get", "no_such_task")
    assert result.exit_code == ExitCode.TASK_NOT_FOUND
    line = _stderr_line(result)
    assert line.startswith(
        "error: task 'no_such_task' is unknown to this gateway, or another user's"
    ), line
    assert "check the id" in line and "Error:" not in line
    with client_for(server) as client, pytest.raises(kg.TaskNotFoundError) as caught:
        client.get("no_such_task")
    assert caught.value.task_id == "no_such_task"
    assert caught.value.hint is not None and caught.value.hint in str(caught.value)


def _forbidden_examples(spec: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(code, message) of every 403 example the spec documents, in either error shape."""
    found = []
    for name in ("Forbidden", "SubmitForbidden"):
        content = spec["components"]["responses"][name]["content"]
        for example in content["application/json"]["examples"].values():
            body = example["value"]
            detail = body.get("error", body)
            found.append((detail.get("code") or None, detail["message"]))
    return found


def test_every_403_the_spec_documents_has_a_hint(spec: dict[str, Any]) -> None:
    from kling_gateway._response import FORBIDDEN_HINTS, forbidden_hint

    codes = set(spec["components"]["schemas"]["NativeErrorCode"]["enum"])
    codes = {"permission_denied"} & codes | {
        "insufficient_user_quota",
        "pre_consume_token_quota_failed",
    }
    for code in codes:
        assert forbidden_hint(code, "") is not None, code
    for code, message in _forbidden_examples(spec):
        answer = httpx.Response(
            403,
            json={"error": {"message": message, "type": "new_api_error", "code": code}}
            if code is None
            else {"code": code, "message": message, "data": None},
        )
        error = status_error(answer)
        assert isinstance(error, kg.PermissionDeniedError) and error.hint, message
    assert len({hint.hint for hint in FORBIDDEN_HINTS}) == len(FORBIDDEN_HINTS)


@pytest.mark.parametrize(
    ("token", "command", "gateways_text", "meaning"),
    [
        (TOKEN_1 + "-7", "get", "普通用户不支持指定渠道", "names a channel"),
        (BANNED, "get", "User has been banned", "banned this user"),
        (BROKE, "submit", "用户额度不足, 剩余额度: ＄0.000000", "balance is used up"),
        (LOW_QUOTA, "submit", "令牌额度不足", "too little quota left"),
    ],
)
@pytest.mark.parametrize("generation", ["B", "C"])
def test_a_403_keeps_the_gateways_text_and_says_what_it_means(
    gateway: EmulatorServer,
    generation_c: EmulatorServer,
    generation: str,
    token: str,
    command: str,
    gateways_text: str,
    meaning: str,
) -> None:
    server = gateway if generation == "B" else generation_c
    args = (
        ["get", server.seeded[1]["SUCCESS"]]
        if command == "get"
        else ["submit", "--text", "--prompt", "rain"]
    )
    result = kling(server, *args, token=token)
    assert result.exit_code == ExitCode.TOKEN, result.output
    line = _stderr_line(result)
    assert gateways_text in line and meaning in line, line
    with (
        client_for(server, token=token) as client,
        pytest.raises(kg.PermissionDeniedError) as caught,
    ):
        if command == "get":
            client.get(server.seeded[1]["SUCCESS"])
        else:
            client.submit(route="text2video", model="kling-v1", prompt="rain")
    assert caught.value.gateway_message == gateways_text
    assert meaning in str(caught.value)


def test_the_401_hint_fits_where_it_is_shown(gateway: EmulatorServer) -> None:
    from kling_contract import target
    from kling_gateway._response import AUTHENTICATION_HINT

    line = _stderr_line(kling(gateway, "get", "abc", token="sk-wrong"))
    assert "check KLING_API_TOKEN" in line and "token=" not in line, line
    # kling-contract reads the token from the environment too.
    assert vars(target)["AUTHENTICATION_HINT"] is AUTHENTICATION_HINT
    assert "token=" not in AUTHENTICATION_HINT
    with (
        client_for(gateway, token="sk-wrong") as client,
        pytest.raises(
            kg.AuthenticationError, match=r"the token \(token= or api_key=\) you passed"
        ),
    ):
        client.get("abc")


def test_with_nothing_configured_the_cli_names_everything_missing() -> None:
    result = CliRunner().invoke(
        main, ["get", "abc"], env={"KLING_BASE_URL": "", "KLING_API_TOKEN": ""}
    )
    assert result.exit_code == ExitCode.USAGE
    line = _stderr_line(result)
    assert "no gateway URL" in line and "no API token" in line, line


def test_with_nothing_configured_the_client_names_everything_missing() -> None:
    with pytest.raises(kg.ConfigurationError) as caught:
        kg.KlingClient(env={})
    assert str(caught.value) == (
        "no gateway URL: pass base_url= or set KLING_BASE_URL; "
        "no API token: pass token= or set KLING_API_TOKEN"
    )


# -- one table of exit codes ---------------------------------------------------------------


def test_kling_help_prints_the_exit_code_table() -> None:
    shown = CliRunner().invoke(main, ["--help"]).stdout
    for code, meaning in exit_codes.MEANING.items():
        if code != ExitCode.NO:
            assert f"{int(code):>3}  {meaning}" in shown, code
    assert "  1  the task failed" in shown


def test_exit_codes_say_what_went_wrong(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    assert kling(gateway, "get", "abc", token="sk-wrong").exit_code == ExitCode.TOKEN
    assert kling(gateway, "get", "nope").exit_code == ExitCode.TASK_NOT_FOUND
    running = gateway.seeded[1]["IN_PROGRESS"]
    unfinished = kling(gateway, "download", running, "-o", str(tmp_path))
    assert unfinished.exit_code == ExitCode.NOT_READY
    assert f"kling wait {running}" in _stderr_line(unfinished)
    failed = kling(
        gateway, "download", gateway.seeded[1]["FAILURE"], "-o", str(tmp_path)
    )
    assert failed.exit_code == ExitCode.NO
    assert list(tmp_path.iterdir()) == []


def test_the_contract_suite_and_compare_read_the_shared_table() -> None:
    from kling_contract import cli as contract_cli

    for code in (3, 4, 5, 6, 130):
        assert contract_cli.EXIT_MEANING[code] == exit_codes.MEANING[ExitCode(code)]


# -- where a video goes --------------------------------------------------------------------


def test_a_destination_that_cannot_be_written_is_a_one_line_usage_error(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG the user's own image")
    done = gateway.seeded[1]["SUCCESS"]
    for output in (f"{image}/x.mp4", "/proc/nope/x.mp4"):
        result = kling(gateway, "download", done, "-o", output)
        assert result.exit_code == ExitCode.USAGE, result.output
        assert _stderr_line(result).startswith(
            f"error: cannot save the video to {output!r}"
        )
        assert result.exception is None or isinstance(result.exception, SystemExit)
    kept = kling(gateway, "download", done, "-o", str(image))
    assert kept.exit_code == ExitCode.USAGE
    assert "pass --force" in _stderr_line(kept)
    assert image.read_bytes() == b"\x89PNG the user's own image"
    forced = kling(gateway, "download", done, "-o", str(image), "--force")
    assert forced.exit_code == ExitCode.OK and image.read_bytes()[4:8] == b"ftyp"
    again = kling(gateway, "download", done, "-o", str(tmp_path))
    twice = kling(gateway, "download", done, "-o", str(tmp_path))
    assert again.exit_code == twice.exit_code == ExitCode.OK, "its own file in a folder"
    assert {p.name for p in tmp_path.iterdir()} == {"cat.png", f"{done}.mp4"}


def test_submit_wait_refuses_a_destination_before_the_task_is_paid_for(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG mine")
    before = len(gateway.app.state.gateway.store)
    result = kling(
        gateway, "submit", "--text", "--prompt", "rain", "--wait", "-o", str(image)
    )
    assert result.exit_code == ExitCode.USAGE and "pass --force" in result.stderr
    assert "submitted task" not in result.stderr
    assert len(gateway.app.state.gateway.store) == before
    assert image.read_bytes() == b"\x89PNG mine"


def test_the_client_says_a_folder_cannot_be_made_in_one_error(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "cat.png"
    blocker.write_bytes(b"x")
    with (
        client_for(gateway) as client,
        pytest.raises(kg.DownloadError, match="cannot write the video"),
    ):
        client.download(gateway.seeded[1]["SUCCESS"], blocker / "x.mp4")


# -- an interrupt keeps the paid task's id --------------------------------------------------


def test_ctrl_c_in_generate_names_the_task_and_still_stops_the_program() -> None:
    polls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal polls
        if request.method == "POST":
            body = {"code": "success", "message": "", "data": {"task_id": "t1"}}
            return httpx.Response(200, json={"task_id": "t1", **body})
        polls += 1
        raise KeyboardInterrupt

    client = kg.KlingClient(
        "http://gw.test", "sk-x", transport=httpx.MockTransport(handle)
    )
    with client, pytest.raises(KeyboardInterrupt) as caught:
        client.generate(model="kling-v1", image="https://e.com/a.png", prompt="a cat")
    assert isinstance(caught.value, kg.TaskInterrupted)
    assert caught.value.task_id == "t1" and polls == 1
    assert "task t1 goes on at the gateway" in str(caught.value)
    assert not isinstance(caught.value, Exception), "except Exception must not stop it"


def test_ctrl_c_in_submit_wait_prints_how_to_pick_the_task_up(
    gateway: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.KlingClient, "wait", interrupted)
    result = kling(gateway, "submit", "--text", "--prompt", "rain", "--wait")
    assert result.exit_code == ExitCode.INTERRUPTED
    submitted = result.stderr.splitlines()[0].removeprefix("submitted task ")
    assert f"task {submitted} goes on at the gateway: kling wait {submitted}" in (
        result.stderr
    )
    assert result.stderr.rstrip().endswith("error: interrupted")


# -- what a user reads off a task ----------------------------------------------------------


@pytest.mark.parametrize(
    "route", [None, "image2video", "generations", "videos", "tasks"]
)
def test_a_field_the_gateway_did_not_send_reads_none_on_every_family(
    generation_c: EmulatorServer, route: kg.Route | None
) -> None:
    with client_for(generation_c) as client:
        task = client.get(generation_c.seeded[1]["IN_PROGRESS"], route=route)
    assert isinstance(task, kg.Task)
    raw = task.raw()
    absent = [
        f.name for f in attrs.fields(type(raw)) if getattr(raw, f.name) is kg.UNSET
    ]
    assert absent, "every family leaves some field out"
    for name in absent:
        # None to read; beneath, the generated model still tells absent from sent.
        assert getattr(task, name) is None, name
        assert name not in task.to_dict()


def test_the_clients_task_keeps_absent_fields_absent_through_copies() -> None:
    import copy
    import pickle

    task = kg.Task(task_id="t1", status="SUCCESS", progress="100%", data=None)
    for twin in (
        attrs.evolve(task, progress="99%"),
        pickle.loads(pickle.dumps(task)),
        copy.copy(task),
    ):
        assert isinstance(twin, kg.Task) and twin.result_url is None
        assert twin.raw().result_url is kg.UNSET and "result_url" not in twin.to_dict()
    task.result_url = "https://cdn.example/v.mp4"
    assert task.to_dict()["result_url"] == "https://cdn.example/v.mp4"
    task.result_url = None
    assert "result_url" not in task.to_dict() and repr(task).count("=") == 4


def test_a_failed_task_read_on_generation_c_prints_its_reason_or_none(
    generation_c: EmulatorServer,
) -> None:
    with client_for(generation_c) as client:
        failed = client.get(generation_c.seeded[1][GATEWAY_FAILED])
        done = client.get(generation_c.seeded[1]["SUCCESS"])
    assert failed.fail_reason == GATEWAY_FAILURE
    assert done.fail_reason is None
