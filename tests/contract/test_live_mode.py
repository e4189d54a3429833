"""A job meant for a live gateway never goes green having checked nothing: with `--live` or
`--base-url`, a missing or empty URL, token or task id (GitHub passes an unset secret as an
empty string) exits 2 naming it, and a KLING_TASK_ID that is set but empty never selects the
embedded emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from kling_contract.cli import main

SECRET = "sk-live-mode-secret"
URL = "http://127.0.0.1:9"
# What a CI step's env: block gives when every secret is set.
COMPLETE = {"KLING_BASE_URL": URL, "KLING_API_TOKEN": SECRET, "KLING_TASK_ID": "42"}


class EmulatorChosen(Exception):
    """Raised where the embedded emulator would start: a wrong choice fails at once."""


@pytest.fixture(autouse=True)
def no_emulator(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from kling_contract import cli

    chosen: list[str] = []

    def instead(*args: object, **kwargs: object) -> object:
        chosen.append("emulator")
        raise EmulatorChosen

    monkeypatch.setattr(cli, "emulator_target", instead)
    return chosen


def cannot_run(
    argv: list[str],
    env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> str:
    """Exit 2 before any run: one line on stderr, nothing on stdout, no reports."""
    reports = tmp_path / "reports"
    assert main([*argv, "--reports", str(reports)], env) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not reports.exists(), captured.out
    assert captured.err.startswith("contract: cannot run: ")
    assert captured.err.count("\n") == 1 and SECRET not in captured.err
    return captured.err


NEEDS = {
    "KLING_BASE_URL": "the gateway's URL",
    "KLING_API_TOKEN": "the gateway's token",
    "KLING_TASK_ID": "a task id",
}
# --base-url gives the URL itself; --live reads it from KLING_BASE_URL.
CASES = [
    (flag, name, how)
    for flag in (("--live",), ("--base-url", URL))
    for name in NEEDS
    if not (name == "KLING_BASE_URL" and "--base-url" in flag)
    for how in ("empty", "absent")
]


@pytest.mark.parametrize(("flag", "name", "how"), CASES)
def test_a_live_run_missing_a_setting_exits_2_naming_it(
    flag: tuple[str, ...],
    name: str,
    how: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in COMPLETE.items() if k != name}
    if how == "empty":
        env[name] = ""
    message = cannot_run(list(flag), env, capsys, tmp_path)
    state = "is empty" if how == "empty" else "is not set"
    assert f"{name} {state}: a live run needs {NEEDS[name]}" in message
    assert "an unset secret reads as empty" in message


def test_the_example_message_reads_as_documented(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env = {**COMPLETE, "KLING_TASK_ID": ""}
    message = cannot_run(["--live"], env, capsys, tmp_path)
    assert message.startswith(
        "contract: cannot run: KLING_TASK_ID is empty: a live run needs a task id "
    )


def test_every_missing_setting_is_named_on_the_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env = {"KLING_BASE_URL": "", "KLING_API_TOKEN": " ", "KLING_TASK_ID": ""}
    message = cannot_run(["--live"], env, capsys, tmp_path)
    for name in ("KLING_BASE_URL", "KLING_API_TOKEN", "KLING_TASK_ID"):
        assert f"{name} is empty" in message


@pytest.mark.parametrize(
    "argv", [["--base-url", ""], ["--base-url", " "], ["--task-id", ""]]
)
def test_an_empty_option_from_an_unset_secret_is_not_a_plain_run(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # `--base-url "${{ secrets.URL }}"` with the secret unset: never the emulator.
    env = {"KLING_API_TOKEN": SECRET}
    message = cannot_run(argv, env, capsys, tmp_path)
    assert f"{argv[0]} is empty" in message or "KLING_BASE_URL" in message


@pytest.mark.parametrize("flag", [["--live"], ["--base-url", URL]])
def test_allow_create_needs_no_task_id(
    flag: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The run gets as far as creating its task (no gateway listens): a live run."""
    env = {**COMPLETE, "KLING_TASK_ID": ""}
    argv = [*flag, "--allow-create", "--max-tasks", "1", "--reports", str(tmp_path)]
    # The gateway cannot be reached: 3 in the shared table, not a usage error.
    assert main(argv, env) == 3
    out = capsys.readouterr().out
    assert "mode: live gateway at http://127.0.0.1:9" in out
    assert "creating a task to check against failed" in out


@pytest.mark.parametrize("flag", [[], ["--generations", "A"]])
def test_a_set_but_empty_task_id_never_selects_the_emulator(
    flag: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env = {"KLING_BASE_URL": URL, "KLING_API_TOKEN": SECRET, "KLING_TASK_ID": " "}
    message = cannot_run(flag, env, capsys, tmp_path)
    assert "KLING_TASK_ID is empty" in message
    assert "an unset secret reads as empty" in message and "--emulator" in message


def test_live_and_emulator_exclude_each_other(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    message = cannot_run(["--live", "--emulator"], COMPLETE, capsys, tmp_path)
    assert "--live and --emulator exclude each other" in message


def test_live_reads_the_gateway_from_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["--live", "--reports", str(tmp_path)], COMPLETE) == 3
    out = capsys.readouterr().out
    assert "mode: live gateway at http://127.0.0.1:9 (--live given)" in out
    assert "unreachable" in out and SECRET not in out
    replay = out.split("replay: ", 1)[1].splitlines()[0]
    assert "--base-url http://127.0.0.1:9 --task-id 42" in replay


@pytest.mark.parametrize(
    "env", [{}, {"KLING_BASE_URL": URL, "KLING_API_TOKEN": SECRET}]
)
def test_without_a_task_id_anywhere_a_plain_run_still_checks_the_emulator(
    env: dict[str, str], no_emulator: list[str]
) -> None:
    """The rule for local use stays (the client's settings alone select no live run)."""
    with pytest.raises(EmulatorChosen):
        main(["--generations", "A"], env)
    assert no_emulator == ["emulator"]


def test_an_empty_task_id_with_emulator_checks_the_emulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(EmulatorChosen):
        main(["--emulator", "--generations", "A"], {**COMPLETE, "KLING_TASK_ID": ""})
    assert (
        "mode: embedded emulator, generations A (--emulator)" in capsys.readouterr().out
    )
