"""docs/batch.md's examples run, unchanged but for the gateway they point at, against the
emulator (as tests/test_readme.py runs the README's)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from kling_emulator.server import EmulatorServer
from kling_gateway.cli import main

from ..conftest import ROOT, use_gateway

DOC = (ROOT / "docs" / "batch.md").read_text()
PYTHON = re.findall(r"```python\n(.*?)```", DOC, re.DOTALL)
CONSOLE = re.findall(r"```console\n(.*?)```", DOC, re.DOTALL)


@pytest.fixture
def in_gateway_env(
    gateway: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    use_gateway(gateway, monkeypatch, tmp_path)
    return tmp_path


def test_the_python_example_runs(
    in_gateway_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert len(PYTHON) == 1
    exec(compile(PYTHON[0], "docs/batch.md", "exec"), {"__name__": "__doc__"})  # noqa: S102
    printed = capsys.readouterr().out
    assert printed.count("saved videos/") == 2
    assert len(list((in_gateway_env / "videos").glob("*.mp4"))) == 2


def test_the_command_line_example_runs(in_gateway_env: Path) -> None:
    (block,) = CONSOLE
    lines = block.splitlines()
    # The jobs file as the example shows it (`cat`), and the local image it names.
    jobs = lines[lines.index("$ cat jobs.jsonl") + 1 : -1]
    Path("jobs.jsonl").write_text("\n".join(jobs) + "\n")
    Path("frames").mkdir()
    Path("frames/dog.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    command = shlex.split(lines[-1].removeprefix("$ "))
    assert command[:2] == ["kling", "batch"]
    result = CliRunner().invoke(main, command[1:])
    assert result.exit_code == 0, result.output
    assert len(list(Path("videos").glob("*.mp4"))) == 2
