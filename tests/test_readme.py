"""The README's examples run, unchanged but for the gateway they point at, against the emulator."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from kling_emulator.config import Refresh
from kling_emulator.seeding import SEED_DOC_TASK_ID
from kling_emulator.server import EmulatorServer
from kling_gateway.cli import main

from .conftest import ROOT, TOKEN_1

README = (ROOT / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
CLI_LINES = [
    line.removeprefix("$ ")
    for block in re.findall(r"```console\n(.*?)```", README, re.DOTALL)
    for line in block.splitlines()
    if line.startswith("$ kling ")
]
PLACEHOLDER_URL = "https://your-gateway.example"


@pytest.fixture
def in_gateway_env(
    gateway: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> EmulatorServer:
    monkeypatch.setenv("KLING_BASE_URL", gateway.base_url)
    monkeypatch.setenv("KLING_API_TOKEN", TOKEN_1)
    # Waits keep in step with the emulator's refresh passes, as fast as its clock runs.
    period = Refresh().period * gateway.config.lifecycle.scale
    monkeypatch.setenv("KLING_REFRESH_PERIOD", str(period))
    monkeypatch.chdir(tmp_path)
    return gateway


def test_the_readme_has_examples() -> None:
    assert len(PYTHON_BLOCKS) >= 4 and len(CLI_LINES) >= 4


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_python_example_runs(
    in_gateway_env: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index: int,
) -> None:
    code = (
        PYTHON_BLOCKS[index]
        .replace(PLACEHOLDER_URL, in_gateway_env.base_url)
        .replace('"sk-..."', f'"{TOKEN_1}"')
    )
    if "get_image_to_video_task" in code:
        # The published example's id is Kling's; a generation B gateway answers for its own.
        found = in_gateway_env.seeded[1]["SUCCESS"]
        code = code.replace(f'"{SEED_DOC_TASK_ID}"', f'"{found}"')
    compiled = compile(code, f"README.md python block {index}", "exec")
    exec(compiled, {"__name__": "__readme__"})  # noqa: S102 (the README's own code)
    printed = capsys.readouterr().out
    # Every example prints what it shows: an example that printed nothing proved nothing.
    assert printed.strip() and "Traceback" not in printed
    if "get_image_to_video_task" in code:
        assert printed == "SUCCESS 100%\n"
    if "download(" in code or "save_to=" in code:
        assert {p.suffix for p in (tmp_path / "videos").iterdir()} == {".mp4"}
        assert "SUCCESS 100%" in printed
    if 'route="videos"' in code:
        assert printed.startswith("SUCCESS 100%\n")
    if "wait_many" in code:
        assert printed.count("SUCCESS") == 2
    if "TaskNotFoundError" in code:
        assert printed.startswith("400 task_not_exist ")


def test_cli_examples_run(in_gateway_env: EmulatorServer) -> None:
    runner = CliRunner()
    task_id = in_gateway_env.seeded[1]["SUCCESS"]
    # The local image an example names (the tests run in an empty folder).
    Path("cat.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    for line in CLI_LINES:
        args = [
            task_id if word == "TASK_ID" else word for word in shlex.split(line)[1:]
        ]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (line, result.output)
