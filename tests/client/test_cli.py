"""The `kling` command line against the emulator over HTTP: output, JSON and exit codes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kling_emulator.server import EmulatorServer
from kling_gateway.cli import (
    EXIT_NOT_READY,
    EXIT_OK,
    EXIT_TASK_FAILED,
    EXIT_TASK_NOT_FOUND,
    EXIT_TIMEOUT,
    EXIT_TOKEN,
    EXIT_USAGE,
    main,
)

from ..conftest import TOKEN_1


def kling(gateway: EmulatorServer, *args: str, token: str = TOKEN_1) -> Result:
    env = {"KLING_BASE_URL": gateway.base_url, "KLING_API_TOKEN": token}
    return CliRunner().invoke(main, list(args), env=env)


def test_submit_and_wait_prints_the_video(gateway: EmulatorServer) -> None:
    result = kling(
        gateway,
        "submit",
        "--image",
        "https://e.com/a.png",
        "--prompt",
        "cat",
        "--wait",
        "--interval",
        "0.05",
    )
    assert result.exit_code == EXIT_OK, result.output
    assert "SUCCESS 100%" in result.stdout and "video: http" in result.stdout
    assert "IN_PROGRESS" in result.stderr, "plain progress lines when not on a terminal"


def test_submit_prints_only_the_id_for_scripts(gateway: EmulatorServer) -> None:
    result = kling(
        gateway, "submit", "--image", "https://e.com/a.png", "--prompt", "cat"
    )
    assert result.exit_code == EXIT_OK
    task_id = result.stdout.strip()
    waited = kling(gateway, "--json", "wait", task_id, "--interval", "0.05")
    assert waited.exit_code == EXIT_OK
    assert json.loads(waited.stdout)["task_id"] == task_id


def test_get_in_json_is_the_task(gateway: EmulatorServer) -> None:
    task_id = gateway.seeded[1]["SUCCESS"]
    result = kling(gateway, "--json", "get", task_id)
    assert result.exit_code == EXIT_OK
    body = json.loads(result.stdout)
    assert body["task_id"] == task_id and body["status"] == "SUCCESS"


def test_exit_codes(gateway: EmulatorServer) -> None:
    failed = kling(
        gateway,
        "submit",
        "--image",
        "https://e.com/a.png",
        "--prompt",
        "[fail]",
        "--wait",
        "--interval",
        "0.05",
    )
    assert failed.exit_code == EXIT_TASK_FAILED and "FAILURE" in failed.stdout
    assert "reason:" in failed.stdout
    timed_out = kling(
        gateway,
        "wait",
        gateway.seeded[1]["IN_PROGRESS"],
        "--deadline",
        "0.2",
        "--interval",
        "0.05",
    )
    assert timed_out.exit_code == EXIT_TIMEOUT
    assert kling(gateway, "get", "no_such_task").exit_code == EXIT_TASK_NOT_FOUND
    assert kling(gateway, "get", "abc", token="sk-wrong").exit_code == EXIT_TOKEN
    assert kling(gateway, "get", "../x").exit_code == EXIT_USAGE
    assert kling(gateway, "get", "abc", token="").exit_code == EXIT_USAGE
    assert kling(gateway, "submit", "--prompt", "no image").exit_code == EXIT_USAGE
    assert kling(gateway, "nonsense").exit_code == EXIT_USAGE


def test_json_errors_are_json(gateway: EmulatorServer) -> None:
    result = kling(gateway, "--json", "get", "no_such_task")
    assert result.exit_code == EXIT_TASK_NOT_FOUND
    body = json.loads(result.stdout)
    assert "task_not_exist" in body["error"]
    assert body["exit_code"] == EXIT_TASK_NOT_FOUND


def test_download_writes_the_file(gateway: EmulatorServer, tmp_path: Path) -> None:
    result = kling(
        gateway,
        "--json",
        "download",
        gateway.seeded[1]["SUCCESS"],
        "-o",
        str(tmp_path / "v.mp4"),
    )
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.stdout)
    assert Path(report["path"]).stat().st_size == report["bytes"] > 0
    missing = kling(
        gateway, "download", gateway.seeded[1]["IN_PROGRESS"], "-o", str(tmp_path)
    )
    assert missing.exit_code == EXIT_NOT_READY and "is not finished" in missing.stderr


def test_the_token_is_never_printed(gateway: EmulatorServer) -> None:
    outputs = [
        kling(gateway, "get", "abc", token="sk-secret-token-1"),
        kling(gateway, "--json", "get", "abc", token="sk-secret-token-1"),
        kling(gateway, "get", "--help"),
    ]
    for result in outputs:
        assert "secret-token" not in result.stdout + result.stderr


def test_every_family_submits_waits_and_downloads(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    """--family videos: the whole round trip on the OpenAI-compatible routes."""
    submitted = kling(
        gateway, "submit", "--family", "videos", "--text", "--prompt", "rain"
    )
    assert submitted.exit_code == EXIT_OK, submitted.output
    task_id = submitted.stdout.strip()
    for family in ("videos", "generations", "kling"):
        waited = kling(
            gateway, "--json", "wait", task_id, "--family", family, "--interval", "0.05"
        )
        assert waited.exit_code == EXIT_OK, waited.output
        assert json.loads(waited.stdout)["status"] == "SUCCESS"
    saved = kling(
        gateway, "download", task_id, "--family", "videos", "-o", str(tmp_path)
    )
    assert saved.exit_code == EXIT_OK, saved.output
    assert (tmp_path / f"{task_id}.mp4").stat().st_size > 0


def test_text_to_video_takes_no_image_on_any_family(gateway: EmulatorServer) -> None:
    for family in ("videos", "kling"):
        result = kling(
            gateway,
            "submit",
            "--family",
            family,
            "--text",
            "--image",
            "x",
            "--prompt",
            "p",
        )
        assert (
            result.exit_code == EXIT_USAGE
            and "--text takes no --image" in result.output
        )


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (
            {"KLING_API_TOKEN": "sk-x"},
            "no gateway URL: pass --base-url or set KLING_BASE_URL",
        ),
        ({"KLING_BASE_URL": "http://127.0.0.1:9"}, "no API token: set KLING_API_TOKEN"),
    ],
)
def test_a_missing_setting_is_named_in_the_command_lines_terms(
    env: dict[str, str], said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("KLING_BASE_URL", "KLING_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["get", "task_x"], env=env)
    assert result.exit_code == 2
    assert said in result.output
    assert "base_url=" not in result.output and "token=" not in result.output


def test_submit_sends_a_local_image_file_as_base64(
    gateway: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
    (tmp_path / "cat.png").write_bytes(picture)
    monkeypatch.chdir(tmp_path)
    result = kling(gateway, "submit", "--image", "cat.png", "--prompt", "cat")
    assert result.exit_code == EXIT_OK, result.output
    task = gateway.store.find(result.stdout.strip())
    assert task is not None
    assert task.kling_request["image"] == base64.b64encode(picture).decode()
    (tmp_path / "notes.txt").write_text("not a picture")
    not_an_image = kling(gateway, "submit", "--image", "notes.txt", "--prompt", "cat")
    assert not_an_image.exit_code == EXIT_USAGE
    assert "not a PNG or JPEG image" in not_an_image.stderr


def test_submit_wait_and_output_saves_the_video_in_one_command(
    gateway: EmulatorServer, tmp_path: Path
) -> None:
    result = kling(
        gateway,
        "submit",
        "--image",
        "https://e.com/a.png",
        "--prompt",
        "cat",
        "--wait",
        "--interval",
        "0.05",
        "-o",
        str(tmp_path),
    )
    assert result.exit_code == EXIT_OK, result.output
    (saved,) = tmp_path.iterdir()
    assert saved.suffix == ".mp4" and f"{saved} ({saved.stat().st_size} bytes)" in (
        result.stdout
    )
    without_wait = kling(
        gateway, "submit", "--image", "https://e.com/a.png", "--prompt", "c", "-o", "."
    )
    assert without_wait.exit_code == EXIT_USAGE and "pass --wait" in without_wait.stderr
