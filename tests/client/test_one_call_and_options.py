"""What users of replicate, fal and openai expect: one call to submit, wait and save; a video
into a file they opened or into memory, with progress; a client copy with other options."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

import kling_gateway as kg
from kling_emulator.server import EmulatorServer

from .test_over_http import (
    IMAGE,
    _video_server,
    async_client_for,
    client_for,
    seeded,
)


def test_generate_submits_waits_and_saves_the_video(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    seen: list[str] = []
    before = len(gateway.store)
    with client_for(gateway) as client:
        made = client.generate(
            model="kling-v1",
            image=IMAGE,
            prompt="a cat",
            save_to=tmp_path,
            on_progress=lambda task: seen.append(str(task.status)),
        )
    assert len(gateway.store) == before + 1, "one task, paid for once"
    assert kg.is_success(made.task) and made.task_id == made.task.task_id
    assert made.path == tmp_path / f"{made.task_id}.mp4" and made.path.stat().st_size
    assert seen[-1] == "SUCCESS"


async def test_generate_awaited_without_saving_returns_the_final_task(
    gateway: EmulatorServer,
) -> None:
    async with async_client_for(gateway) as client:
        made = await client.generate(
            route="videos", model="kling-v1", prompt="rain on a window"
        )
    assert kg.is_success(made.task) and made.path is None


def test_generate_names_the_paid_task_when_its_wait_fails(
    gateway: EmulatorServer,
) -> None:
    with (
        client_for(gateway) as client,
        pytest.raises(kg.TaskFailedError) as failed,
    ):
        client.generate(model="kling-v1", image=IMAGE, prompt="a cat [fail]")
    assert failed.value.task_id.startswith("task_")
    assert gateway.store.find(failed.value.task_id) is not None


def test_a_video_goes_into_an_open_file_or_memory_with_progress(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    task_id = seeded(gateway, "SUCCESS")
    progress: list[tuple[int, int | None]] = []
    with client_for(gateway) as client:
        on_disk = client.download(task_id, tmp_path).read_bytes()
        into = io.BytesIO(b"header:")
        into.seek(0, io.SEEK_END)
        written = client.download_to(
            task_id, into, on_progress=lambda got, total: progress.append((got, total))
        )
        in_memory = client.download_bytes(task_id)
    assert into.getvalue() == b"header:" + on_disk and written == len(on_disk)
    assert in_memory == on_disk
    received = [got for got, _ in progress]
    assert received == sorted(received) and received[-1] == len(on_disk)
    assert {total for _, total in progress} == {len(on_disk)}


async def test_a_failed_download_into_an_open_file_is_cut_back_to_where_it_stood(
    tmp_path: Path,
) -> None:
    with _video_server(b"x" * 50, 100) as server:
        async with async_client_for(server) as client:
            with (tmp_path / "out.bin").open("w+b") as file:
                file.write(b"kept")
                with pytest.raises(kg.DownloadError, match="received 50 bytes"):
                    await client.download_to(seeded(server, "SUCCESS"), file)
                file.seek(0)
                assert file.read() == b"kept"
            with pytest.raises(kg.DownloadError, match="more than max_bytes=10"):
                await client.download_bytes(seeded(server, "SUCCESS"), max_bytes=10)


def test_with_options_copies_the_client_over_the_same_connections() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503, json={"error": {"message": "busy", "type": "x"}})

    quick = kg.RetryPolicy(initial_delay=0.0, jitter=0.0)
    transport = httpx.MockTransport(answer)
    with kg.KlingClient(
        "http://gw.test", "sk-a", retry=quick, transport=transport
    ) as client:
        patient = client.with_options(
            max_retries=0, timeout=7, headers={"X-Team": "video"}
        )
        with pytest.raises(kg.ServerError):
            patient.get("task_a")
        assert len(seen) == 1, "max_retries=0 on the copy"
        assert seen[0].headers["X-Team"] == "video"
        assert seen[0].headers["Authorization"] == "Bearer sk-a"
        assert seen[0].extensions["timeout"]["read"] == 7
        patient.close()  # a copy closes nothing of its original's
        with pytest.raises(kg.ServerError):
            client.get("task_a")
        assert len(seen) == 1 + 4, "the original keeps its three retries"
        assert "X-Team" not in seen[-1].headers
        assert seen[-1].extensions["timeout"]["read"] == 30
        assert patient._http is client._http


def test_max_retries_is_a_shortcut_for_the_retry_policy() -> None:
    client = kg.KlingClient("http://gw.test", "sk-a", max_retries=7)
    assert client._core.settings.retry == kg.RetryPolicy(max_retries=7)
    kept = kg.RetryPolicy(initial_delay=2.0)
    both = kg.KlingClient("http://gw.test", "sk-a", retry=kept, max_retries=1)
    assert both._core.settings.retry == kg.RetryPolicy(initial_delay=2.0, max_retries=1)
    for wrong in (-1, 1.5, True):
        with pytest.raises(kg.ConfigurationError, match="max_retries"):
            kg.KlingClient("http://gw.test", "sk-a", max_retries=wrong)  # type: ignore[arg-type]
    client.close()
    both.close()


def test_a_file_open_in_text_mode_is_refused_before_anything_is_fetched(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    with (
        client_for(gateway) as client,
        (tmp_path / "video.txt").open("w") as text,
        pytest.raises(kg.DownloadError, match="open it with 'wb'"),
    ):
        client.download_to(seeded(gateway, "SUCCESS"), text)  # type: ignore[arg-type]
