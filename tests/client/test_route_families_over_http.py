"""Both clients on the three route families, against the emulator over real HTTP: submit on
any family, wait and download, and one task read alike through every family."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import kling_gateway as kg
from kling_emulator.server import EmulatorServer

from .test_over_http import IMAGE, async_client_for, client_for, seeded

FAMILIES: tuple[kg.Route, ...] = ("image2video", "generations", "videos")


@pytest.mark.parametrize("route", ["videos", "generations"])
def test_submit_wait_and_download_on_a_unified_family(
    gateway: EmulatorServer, tmp_path: Path, route: kg.Route
) -> None:
    with client_for(gateway) as client:
        submitted = client.submit(
            route=route, model="kling-v1-6", prompt="a cat", image=IMAGE, duration="5"
        )
        task = client.wait(submitted.task_id, route=route)
        assert task.status == "SUCCESS" and task.task_id == submitted.task_id
        saved = client.download(task, tmp_path)
    assert saved == tmp_path / f"{submitted.task_id}.mp4"
    assert saved.read_bytes()[4:8] == b"ftyp"


def test_one_task_reads_alike_through_every_family(gateway: EmulatorServer) -> None:
    """The seeded tasks, one frozen in each status: every family gives the same status,
    progress and times in the client's terms (QUEUED, which only a chained gateway reports,
    reads as SUBMITTED on /v1/videos)."""
    with client_for(gateway) as client:
        for status in ("NOT_START", "SUBMITTED", "IN_PROGRESS", "SUCCESS", "FAILURE"):
            task_id = seeded(gateway, status)
            read = [client.get(task_id, route=route) for route in FAMILIES]
            assert {task.status for task in read} == {status}, status
            assert len({task.progress for task in read}) == 1, status
            assert len({kg.is_final(task) for task in read}) == 1
            assert len({tuple(kg.video_urls(task)) for task in read}) == 1
            # Seconds on every family, whatever the route sent.
            times = {task.submit_time for task in read}
            assert len(times) == 1 and all(
                isinstance(t, int) and t < 10**11 for t in times
            )


def test_a_task_created_on_one_family_is_waited_for_on_another(
    gateway: EmulatorServer,
) -> None:
    with client_for(gateway) as client:
        submitted = client.submit(model="kling-v1", prompt="rain", image=IMAGE)
        task = client.wait(submitted.task_id, route="videos")
    assert task.status == "SUCCESS" and kg.video_urls(task)


def test_a_finished_task_without_a_url_is_downloaded_through_content(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    """The compact answer of later gateways names no URL: the gateway's /content serves the
    video, asked with the token (the emulator refuses it without)."""
    task = kg.Task(
        task_id=seeded(gateway, "SUCCESS"), status="SUCCESS", progress="100%", data=None
    )
    with client_for(gateway) as client:
        saved = client.download(task, tmp_path / "video.mp4")
    assert saved.read_bytes()[4:8] == b"ftyp"


def test_a_refused_content_download_leaves_nothing_behind(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    """/content refuses a task that has not succeeded (400) and an unknown one (404)."""
    for task_id, status in (
        (seeded(gateway, "IN_PROGRESS"), 400),
        ("task_nosuch", 404),
    ):
        task = kg.Task(task_id=task_id, status="SUCCESS", progress="100%", data=None)
        with client_for(gateway) as client, pytest.raises(kg.DownloadError) as raised:
            client.download(task, tmp_path)
        assert (
            str(raised.value) == f"the gateway's /content route answered HTTP {status}"
        )
    assert list(tmp_path.iterdir()) == []


def test_the_async_client_waits_for_many_on_videos(gateway: EmulatorServer) -> None:
    async def run() -> list[kg.Task | kg.KlingError]:
        async with async_client_for(gateway) as client:
            ids = [
                (
                    await client.submit(route="videos", model="kling-v1", prompt=p)
                ).task_id
                for p in ("rain", "a cat [fail]")
            ]
            return await client.wait_many(ids, route="videos")

    done, failed = asyncio.run(run())
    assert isinstance(done, kg.Task) and done.status == "SUCCESS"
    assert isinstance(failed, kg.TaskFailedError) and failed.task.fail_reason
