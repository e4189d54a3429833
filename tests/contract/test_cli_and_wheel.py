"""`kling-contract` as a team runs it: the console script's exit codes, its reports, its
replay line, and the wheel in a fresh virtual environment."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from kling_emulator.server import EmulatorServer

from ..broken_gateways import BROKEN_GATEWAYS
from ..conftest import ROOT, TOKEN_1, make_config

SCRIPT = Path(sys.executable).parent / "kling-contract"
QUICK = ["--max-examples", "5"]


def run(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None, script: Path = SCRIPT
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KLING_")}
    return subprocess.run(
        [str(script), *argv],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.e2e
def test_exit_0_with_client_settings_exported_and_a_replay_line_that_works(
    tmp_path: Path,
) -> None:
    # The kling CLI's settings alone must not turn the run into a live one.
    client_env = {"KLING_BASE_URL": "http://127.0.0.1:9", "KLING_API_TOKEN": "sk-x"}
    done = run(["--generations", "B", *QUICK], tmp_path, client_env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "mode: embedded emulator" in done.stdout
    assert "KLING_BASE_URL alone is the client's setting" in done.stdout
    assert done.stdout.rstrip().endswith("contract: exit 0 (all passed)")
    junit = (tmp_path / "reports/contract/emulator-B/junit.xml").read_text()
    assert 'name="kling-contract/emulator-B"' in junit
    assert (
        tmp_path / "reports/contract/emulator-B/drift.json"
    ).read_text().strip() == "[]"
    replay = re.search(r"^replay: (.*)$", done.stdout, re.MULTILINE)
    assert replay is not None
    words = shlex.split(replay.group(1))
    assert words[0] == "kling-contract"
    again = run(words[1:], tmp_path / "reports")
    assert again.returncode == 0, again.stdout[-2000:]
    assert "--seed 20261124" in replay.group(1)


def test_an_unreachable_gateway_exits_3_with_junit_saying_why(
    tmp_path: Path,
) -> None:
    stale = tmp_path / "reports/contract/live/stale.xml"
    stale.parent.mkdir(parents=True)
    stale.write_text("<old/>")
    url = f"http://127.0.0.1:{_free_port()}"
    done = run(
        ["--base-url", url, "--task-id", "1"], tmp_path, {"KLING_API_TOKEN": TOKEN_1}
    )
    assert done.returncode == 3  # the shared table's gateway or network error
    assert "unreachable" in done.stdout and TOKEN_1 not in done.stdout + done.stderr
    junit = (tmp_path / "reports/contract/live/junit.xml").read_text()
    assert 'name="kling-contract/live"' in junit and "<failure" in junit
    assert "unreachable" in junit and not stale.exists()


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["--max-examples", "nope"], {}),
        (["--base-url", "http://[::1", "--task-id", "1"], {"KLING_API_TOKEN": "sk-a"}),
        (
            ["--base-url", "http://127.0.0.1:9", "--task-id", "1"],
            {"KLING_API_TOKEN": "sk-ü"},
        ),
    ],
)
def test_exit_2_for_bad_input_without_a_traceback(
    argv: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    done = run(argv, tmp_path, env)
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr


@pytest.mark.e2e
def test_exit_1_on_a_contract_failure_of_a_live_gateway(tmp_path: Path) -> None:
    with EmulatorServer(
        make_config(), wrap=BROKEN_GATEWAYS["progress is a number"][0]
    ) as server:
        done = run(
            [
                "--base-url",
                server.base_url,
                "--task-id",
                server.seeded[1]["SUCCESS"],
                *QUICK,
                "--max-failures",
                "1",
            ],
            tmp_path,
            {"KLING_API_TOKEN": TOKEN_1},
        )
    assert done.returncode == 1, done.stdout[-2000:]
    assert "mode: live gateway" in done.stdout and "--base-url given" in done.stdout
    assert TOKEN_1 not in done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel, and a fresh virtual environment (without the package yet)."""
    root = tmp_path_factory.mktemp("wheel")
    wheels = root / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("kling_gateway-*.whl")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    return wheel, env_dir


@pytest.mark.e2e
def test_the_installed_script_checks_the_emulator_from_any_folder(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """The wheel with its contract extra, in a new virtual environment: the script needs
    nothing from the repository (the README's CI recipe has its own test, test_ci_recipe)."""
    wheel, env_dir = installed
    subprocess.run(
        [
            str(env_dir / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            f"{wheel}[contract]",
        ],
        check=True,
        timeout=900,
    )
    plain = run(
        ["--emulator", "--generations", "A", *QUICK],
        tmp_path,
        script=env_dir / "bin" / "kling-contract",
    )
    assert plain.returncode == 0, plain.stdout[-2000:]


USER_SCRIPT = """
from kling_gateway import KlingClient, Submitted, Task, video_urls

def run(client: KlingClient) -> list[str]:
    submitted: Submitted = client.submit(model="kling-v1", prompt="a", image="https://e.x/a.png")
    task: Task = client.wait(submitted.task_id, deadline=60)
    return video_urls(task)
"""


@pytest.mark.e2e
def test_a_users_mypy_strict_sees_the_installed_types(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """mypy --strict on a user's script, with the wheel installed: it passes, and fails on
    a misspelt submit field and on a wrong constructor argument."""
    wheel, env_dir = installed
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel), "mypy==2.4.1"],
        check=True,
        timeout=600,
    )
    good = tmp_path / "good.py"
    good.write_text(USER_SCRIPT)
    typo = tmp_path / "typo.py"
    typo.write_text(USER_SCRIPT.replace('prompt="a"', 'prompt="a", negativ_prompt="b"'))
    wrong = tmp_path / "wrong.py"
    wrong.write_text(USER_SCRIPT + "\nKlingClient(timeout='slow')\n")

    def mypy(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), "-m", "mypy", "--strict", "--no-incremental", str(path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert mypy(good).returncode == 0, mypy(good).stdout
    assert "negativ_prompt" in mypy(typo).stdout
    assert mypy(wrong).returncode == 1


@pytest.mark.e2e
def test_the_wheel_ships_the_spec_and_py_typed_for_every_package(
    installed: tuple[Path, Path],
) -> None:
    names = set(zipfile.ZipFile(installed[0]).namelist())
    for package in (
        "kling_gateway",
        "kling_gateway_api",
        "kling_emulator",
        "kling_contract",
    ):
        assert f"{package}/py.typed" in names, package
    assert {"kling_contract/openapi.yaml", "kling_contract/schemathesis.toml"} <= names


@pytest.mark.e2e
def test_the_wheels_metadata_publishes_no_development_pins(
    installed: tuple[Path, Path],
) -> None:
    """What an index would show: the extras users install, hypothesis pinned with the
    contract checks (a seed must replay alike wherever they run), the README as Markdown,
    and no development tools (they are a dependency group, never published)."""
    with zipfile.ZipFile(installed[0]) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = wheel.read(name).decode()
    extras = set(re.findall(r"^Provides-Extra: (\S+)$", metadata, re.MULTILINE))
    assert extras == {"cli", "emulator", "bench", "contract"}
    assert 'Requires-Dist: hypothesis==6.170.15; extra == "contract"' in metadata
    assert "Description-Content-Type: text/markdown" in metadata
    headers = metadata.split("\n\n", 1)[0]  # the README follows the headers
    assert "ruff" not in headers and "mypy" not in headers


def test_the_help_keeps_its_paragraphs_and_lists() -> None:
    """click reflows help text into one paragraph unless told not to: the list of which
    gateway is checked and the exit codes keep their lines."""
    from click.testing import CliRunner

    from kling_contract.cli import command

    shown = CliRunner().invoke(command, ["--help"], prog_name="kling-contract").output
    assert "\n  * `--emulator`, or no task id anywhere" in shown
    assert "\n  * `--base-url` on the command line" in shown
    assert "\n  Exit codes (the table kling and kling-compare share" in shown
    assert "\n    5  the token was refused (401)" in shown
