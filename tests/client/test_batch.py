"""Batches over a journal, against the emulator over HTTP: resumed, bounded, never paying twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import kling_gateway as kg
from kling_common.generation import Generation
from kling_emulator.config import Lifecycle, Refresh
from kling_emulator.server import EmulatorServer
from kling_gateway import _journal
from kling_gateway._batch import job_digest

from ..conftest import BROKE, TOKEN_1, make_config
from .test_over_http import FAST_RETRY, FAST_WAIT

IMAGE = "https://example.com/cat.png"


def jobs(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {"model": "kling-v1", "image": IMAGE, "prompt": f"shot {n}", **extra}
        for n in range(count)
    ]


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(make_config(refresh=Refresh(channels=1024))) as running:
        yield running


def created(server: EmulatorServer) -> list[dict[str, Any]]:
    answer: list[dict[str, Any]] = httpx.get(
        f"{server.base_url}/emulator/submits"
    ).json()["created"]
    return answer


def client(server: EmulatorServer, **kwargs: Any) -> kg.KlingClient:
    return kg.KlingClient(
        server.base_url, TOKEN_1, retry=FAST_RETRY, wait=FAST_WAIT, **kwargs
    )


def test_a_batch_saves_every_video_in_job_order_and_a_rerun_sends_nothing(
    server: EmulatorServer, tmp_path: Path
) -> None:
    journal, out = tmp_path / "batch.db", tmp_path / "videos"
    seen: list[kg.JobResult] = []
    with client(server) as kling:
        results = kling.batch(jobs(5), journal=journal, save_to=out, on_job=seen.append)
        again = kling.batch(jobs(5), journal=journal, save_to=out)
    assert [r.index for r in results] == list(range(5))
    assert {r.state for r in results} == {"saved"}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{r.task_id}.mp4" for r in results
    )
    assert all(r.path == out / f"{r.task_id}.mp4" for r in results)
    # One submit per job, each naming its own external_task_id.
    sent = created(server)
    assert sorted(s["external_task_id"] for s in sent) == sorted(
        r.external_task_id for r in results
    )
    assert len({r.external_task_id for r in results}) == 5
    assert [r.state for r in again] == ["saved"] * 5 and len(created(server)) == 5
    # Each change told as it was recorded: submitted, final, saved.
    assert [r.state for r in seen if r.index == 0] == ["running", "succeeded", "saved"]


async def test_the_async_client_runs_the_same_batch(
    server: EmulatorServer, tmp_path: Path
) -> None:
    progress: list[str] = []
    async with kg.AsyncKlingClient(
        server.base_url, TOKEN_1, retry=FAST_RETRY, wait=FAST_WAIT
    ) as kling:
        results = await kling.batch(
            jobs(6),
            journal=tmp_path / "b.db",
            save_to=tmp_path,
            concurrency=3,
            on_progress=lambda task: progress.append(str(task.status)),
        )
    assert [r.state for r in results] == ["saved"] * 6
    assert len(created(server)) == 6 and "SUCCESS" in progress


def test_an_unanswered_submit_is_listed_not_resent_unless_asked_and_bounded(
    server: EmulatorServer, tmp_path: Path
) -> None:
    """The answer of job 2's submit is lost after the gateway created its task."""

    class LosesAnswers(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            if request.method == "POST" and b"[lost]" in request.content:
                response.close()
                raise httpx.ReadError("connection reset", request=request)
            return response

    batch = jobs(3)
    batch[1]["prompt"] = "shot [lost]"
    journal = tmp_path / "b.db"
    with client(server, transport=LosesAnswers()) as kling:
        first = kling.batch(batch, journal=journal, save_to=tmp_path)
        second = kling.batch(batch, journal=journal, save_to=tmp_path)
        assert [r.state for r in first] == ["saved", "unanswered", "saved"]
        assert first[1].task_id is None and "ReadError" in (first[1].reason or "")
        assert [r.state for r in second] == ["saved", "unanswered", "saved"]
        assert len(created(server)) == 3  # the lost one was created, once
        # Resending it may pay twice: the spending bound must allow it.
        with pytest.raises(kg.InvalidRequestError, match="max_tasks=3"):
            kling.batch(batch, journal=journal, resend_unanswered=True)
        assert len(created(server)) == 3
    batch[1]["prompt"] = "shot [lost]"
    with client(server) as kling:
        resent = kling.batch(
            batch, journal=journal, resend_unanswered=True, max_tasks=4
        )
    # The same external_task_id: where Kling sees it, a second task would be refused.
    assert resent[1].state == "running" or resent[1].state == "succeeded"
    ids = [s["external_task_id"] for s in created(server)]
    assert ids.count(first[1].external_task_id) == 2 and len(ids) == 4


def test_a_journal_left_mid_submit_resumes_without_sending_it_again(
    server: EmulatorServer, tmp_path: Path
) -> None:
    batch, path = jobs(4), tmp_path / "b.db"
    journal = _journal.Journal.open(path, [job_digest(j) for j in batch], [None] * 4)
    journal.record_sending(0)  # the process died with job 1's submit on its way
    journal.record_sending(1)
    with client(server) as kling:
        answer = kling.submit(
            batch[1], external_task_id=journal.rows[1].external_task_id
        )
    journal.record_submitted(1, answer.task_id)  # job 2's answer had arrived
    journal.close()
    with client(server) as kling:
        results = kling.batch(batch, journal=path, save_to=tmp_path)
    assert [r.state for r in results] == ["unanswered", "saved", "saved", "saved"]
    assert results[1].task_id == answer.task_id
    assert "stopped before the submit's answer" in (results[0].reason or "")
    assert len(created(server)) == 3


def test_changed_jobs_a_second_process_and_a_newer_journal_are_refused(
    server: EmulatorServer, tmp_path: Path
) -> None:
    path = tmp_path / "b.db"
    with client(server) as kling:
        kling.batch(jobs(2), journal=path)
        with pytest.raises(kg.JobsChangedError, match="job 2 is not the one"):
            kling.batch([jobs(2)[0], {**jobs(2)[1], "prompt": "other"}], journal=path)
        with pytest.raises(kg.JobsChangedError, match="started with 2 jobs, not 3"):
            kling.batch(jobs(3), journal=path)
        held = _journal.Journal.open(path, [job_digest(j) for j in jobs(2)], [None] * 2)
        try:
            with pytest.raises(kg.JournalInUseError, match="in use by another process"):
                kling.batch(jobs(2), journal=path)
        finally:
            held.close()
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 2")
        with pytest.raises(kg.JournalVersionError, match="newer kling-gateway"):
            kling.batch(jobs(2), journal=path)
        not_a_journal = tmp_path / "other.db"
        with sqlite3.connect(not_a_journal) as db:
            db.execute("CREATE TABLE t (x)")
        with pytest.raises(kg.JournalError, match="not a batch journal"):
            kling.batch(jobs(2), journal=not_a_journal)
    assert len(created(server)) == 2


def test_bad_jobs_and_a_bound_below_the_jobs_are_refused_before_anything_is_sent(
    server: EmulatorServer, tmp_path: Path
) -> None:
    with client(server) as kling:
        with pytest.raises(
            kg.InvalidRequestError, match="job 2: unknown submit field 'promt'"
        ):
            kling.batch(
                [jobs(1)[0], {"model": "kling-v1", "image": IMAGE, "promt": "x"}],
                journal=tmp_path / "a.db",
            )
        with pytest.raises(
            kg.InvalidRequestError, match="job 1: image-to-video needs an image"
        ):
            kling.batch(
                [{"model": "kling-v1", "prompt": "x"}], journal=tmp_path / "b.db"
            )
        with pytest.raises(kg.InvalidRequestError, match="is not a file"):
            kling.batch(
                [{**jobs(1)[0], "image": tmp_path / "missing.png"}],
                journal=tmp_path / "c.db",
            )
        with pytest.raises(kg.InvalidRequestError, match="max_tasks=2"):
            kling.batch(jobs(3), journal=tmp_path / "d.db", max_tasks=2)
    assert created(server) == []


def test_failures_and_refusals_are_recorded_and_a_refused_job_is_sent_again(
    server: EmulatorServer, tmp_path: Path
) -> None:
    batch = jobs(3)
    batch[0]["prompt"] = "shot [fail]"
    batch[1]["model"] = "kling-unavailable"  # 503 model_not_found: nothing created
    path = tmp_path / "b.db"
    with client(server) as kling:
        results = kling.batch(batch, journal=path, save_to=tmp_path)
        assert [r.state for r in results] == ["failed", "refused", "saved"]
        assert results[0].reason and results[0].status == "FAILURE"
        assert "model_not_found" in (results[1].reason or "") or "503" in (
            results[1].reason or ""
        )
        again = kling.batch(batch, journal=path, save_to=tmp_path)
    assert [r.state for r in again] == ["failed", "refused", "saved"]
    assert len(created(server)) == 2


@pytest.mark.parametrize("fails_at", ["record_sending", "record_submitted"])
def test_a_journal_that_cannot_be_written_stops_the_batch_before_its_next_submit(
    server: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fails_at: str,
) -> None:
    """The disk fills at the third job: its submit (or its answer's record) is the last."""
    real = getattr(_journal.Journal, fails_at)
    calls = []

    def full(self: _journal.Journal, position: int, *args: Any) -> _journal.JobRow:
        calls.append(position)
        if len(calls) >= 3:
            raise _journal._problem(
                self.path, sqlite3.OperationalError("database or disk is full")
            )
        return real(self, position, *args)  # type: ignore[no-any-return]

    monkeypatch.setattr(_journal.Journal, fails_at, full)
    path = tmp_path / "b.db"
    with client(server) as kling, pytest.raises(kg.JournalError, match="disk is full"):
        kling.batch(jobs(6), journal=path, concurrency=1)
    sent = 2 if fails_at == "record_sending" else 3
    assert len(created(server)) == sent
    monkeypatch.undo()
    with client(server) as kling:
        results = kling.batch(jobs(6), journal=path, save_to=tmp_path, max_tasks=6)
    states = [r.state for r in results]
    if fails_at == "record_sending":
        assert states == ["saved"] * 6
    else:
        # Its answer was never recorded: it may have been billed, so it is not resent.
        assert states.count("unanswered") == 1 and states.count("saved") == 5
    assert len(created(server)) == 6 - states.count("unanswered") + (
        1 if fails_at == "record_submitted" else 0
    )


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
    reason="root writes into read-only folders",
)
def test_a_journal_in_a_read_only_folder_is_refused_before_anything_is_sent(
    server: EmulatorServer, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    with client(server) as kling, pytest.raises(kg.JournalError):
        kling.batch(jobs(2), journal=folder / "b.db")
    assert created(server) == []


def test_a_journal_that_cannot_be_created_is_refused_before_anything_is_sent(
    server: EmulatorServer, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("")
    with client(server) as kling, pytest.raises(kg.JournalError, match="cannot be"):
        kling.batch(jobs(2), journal=tmp_path / "a-file" / "b.db")
    assert created(server) == []


def test_no_token_and_no_access_value_enters_the_journal(tmp_path: Path) -> None:
    """Generation C: videos come through artifact URLs whose access value is a credential."""
    config = make_config(generation=Generation.C, refresh=Refresh(channels=1024))
    path = tmp_path / "b.db"
    with (
        EmulatorServer(config) as gateway,
        kg.KlingClient(
            gateway.base_url, TOKEN_1, retry=FAST_RETRY, wait=FAST_WAIT
        ) as kling,
    ):
        results = kling.batch(jobs(3), journal=path, save_to=tmp_path / "v")
    assert {r.state for r in results} == {"saved"}
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("b.db*"))
    assert TOKEN_1.encode() not in stored and TOKEN_1[3:].encode() not in stored
    assert b"access=" not in stored and b"http" not in stored


def test_a_run_past_its_deadline_leaves_tasks_running_and_a_rerun_finishes_them(
    tmp_path: Path,
) -> None:
    config = make_config(
        lifecycle=Lifecycle.scaled(4.0), refresh=Refresh(channels=1024)
    )
    path = tmp_path / "b.db"
    with EmulatorServer(config) as slow, client(slow) as kling:
        first = kling.batch(jobs(3), journal=path, save_to=tmp_path, deadline=0.5)
        assert {r.state for r in first} == {"running"}
        assert all(r.task_id for r in first)
        second = kling.batch(jobs(3), journal=path, save_to=tmp_path)
        assert [r.state for r in second] == ["saved"] * 3
        assert [r.task_id for r in second] == [r.task_id for r in first]
        assert len(created(slow)) == 3


def test_a_submit_refused_for_an_empty_purse_stops_the_other_submits(
    server: EmulatorServer, tmp_path: Path
) -> None:
    with kg.KlingClient(
        server.base_url, BROKE, retry=FAST_RETRY, wait=FAST_WAIT
    ) as kling:
        results = kling.batch(jobs(4), journal=tmp_path / "b.db", concurrency=1)
    assert (
        results[0].state == "refused"
        and "insufficient_user_quota" in (results[0].reason or "")
        or "PermissionDenied" in (results[0].reason or "")
    )
    assert [r.state for r in results[1:]] == ["not_sent"] * 3
    assert created(server) == []


async def test_an_intent_is_recorded_only_once_its_submit_can_go_out(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most `concurrency` submits are ever in doubt: a crash can leave no more jobs
    unanswered than there were requests in flight."""
    outstanding, peak = [0], [0]

    def counted(name: str, step: int) -> None:
        real = getattr(_journal.Journal, name)

        def change(self: _journal.Journal, *args: Any) -> _journal.JobRow:
            outstanding[0] += step
            peak[0] = max(peak[0], outstanding[0])
            return real(self, *args)  # type: ignore[no-any-return]

        monkeypatch.setattr(_journal.Journal, name, change)

    counted("record_sending", 1)
    for name in ("record_submitted", "record_refused", "record_unanswered"):
        counted(name, -1)
    async with kg.AsyncKlingClient(
        server.base_url, TOKEN_1, retry=FAST_RETRY, wait=FAST_WAIT
    ) as kling:
        results = await kling.batch(jobs(12), journal=tmp_path / "b.db", concurrency=2)
    assert {r.state for r in results} == {"succeeded"}
    assert 1 <= peak[0] <= 2


def test_a_folder_that_cannot_take_a_video_stops_the_submits(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from kling_gateway import _download

    def full(self: object, chunk: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_download.PartialFile, "_keep", full)
    path = tmp_path / "b.db"
    with client(server) as kling:
        results = kling.batch(jobs(1) + jobs(3)[1:], journal=path, save_to=tmp_path)
    # The jobs run side by side: whichever finished first met the full disk, and the batch
    # stopped there; none was saved, and each that met it says why.
    full_disk = [r for r in results if "No space left" in (r.reason or "")]
    assert full_disk and all(r.state == "succeeded" for r in full_disk)
    assert not any(r.state == "saved" for r in results)
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".*.part"))
    monkeypatch.undo()
    with client(server) as kling:
        again = kling.batch(jobs(1) + jobs(3)[1:], journal=path, save_to=tmp_path)
    assert [r.state for r in again] == ["saved"] * 3
    assert len(created(server)) == 3


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_failed_download_reaches_the_flow_that_asked_for_it(
    server: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    flavour: str,
) -> None:
    """A batch records it and goes on; generate names the paid task (both runners raise
    a failed Fetch in the flow, not past it)."""
    from kling_gateway import _download

    def refused(self: object, response: httpx.Response) -> None:
        raise kg.DownloadError("video server answered HTTP 404")

    monkeypatch.setattr(_download.PartialFile, "start", refused)
    options: dict[str, Any] = {"retry": FAST_RETRY, "wait": FAST_WAIT}
    if flavour == "sync":
        with kg.KlingClient(server.base_url, TOKEN_1, **options) as kling:
            results = kling.batch(jobs(2), journal=tmp_path / "b.db", save_to=tmp_path)
            with pytest.raises(kg.DownloadError, match="succeeded, but its video"):
                kling.generate(jobs(1)[0], save_to=tmp_path)
    else:
        async with kg.AsyncKlingClient(server.base_url, TOKEN_1, **options) as aio:
            results = await aio.batch(
                jobs(2), journal=tmp_path / "b.db", save_to=tmp_path
            )
            with pytest.raises(kg.DownloadError, match="succeeded, but its video"):
                await aio.generate(jobs(1)[0], save_to=tmp_path)
    assert [r.state for r in results] == ["succeeded"] * 2
    assert all("HTTP 404" in (r.reason or "") for r in results)
