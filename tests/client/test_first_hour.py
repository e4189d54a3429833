"""What a new user meets first, against the emulator over HTTP: one read of a task gives the
gateway's own status on every generation, the CLI reads every family the client does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import kling_gateway as kg
from kling_common.families import Family
from kling_common.generation import Generation
from kling_emulator.seeding import GATEWAY_FAILED, GATEWAY_FAILURE
from kling_emulator.server import EmulatorServer
from kling_gateway.cli import main

from ..conftest import TOKEN_1, make_config
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
