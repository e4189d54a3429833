"""The contract suite passes against the faithful emulator, fails against each broken gateway,
fails clearly when it cannot test anything, and never prints the token."""

from __future__ import annotations

import io
import socket
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import attrs
import pytest

from contract_tests.runner import RunResult, main, run_target, schemathesis_command
from contract_tests.target import Target, TargetError
from kling_emulator.config import EmulatorConfig, Generation, Lifecycle
from kling_emulator.server import EmulatorServer

from .broken_gateways import BROKEN_GATEWAYS

SECRET = "sk-contractsecret7f3a9c"
OTHER_SECRET = "sk-contractother5b1d2e"
LIMITED_SECRET = "sk-contractlimited9e4f1a"
EXHAUSTED_SECRET = "sk-contractexhausted2c8d"
# Enough examples to reach every kind of break, few enough to keep 16 runs quick.
QUICK_EXAMPLES = 25


def config(generation: Generation = Generation.B) -> EmulatorConfig:
    return EmulatorConfig(
        generation=generation,
        tokens={SECRET: 1, OTHER_SECRET: 2, LIMITED_SECRET: 1, EXHAUSTED_SECRET: 1},
        exhausted_tokens=frozenset({EXHAUSTED_SECRET}),
        model_limits={LIMITED_SECRET: frozenset({"kling-v1-6"})},
        lifecycle=Lifecycle.scaled(3.0),
    )


def target_for(server: EmulatorServer, *, allow_create: bool = True) -> Target:
    return Target(
        label="under-test",
        base_url=server.base_url,
        token=SECRET,
        task_ids=tuple(server.seeded[1].values()),
        other_token=OTHER_SECRET,
        allow_create=allow_create,
    )


def run_quietly(
    target: Target, reports: Path, max_examples: int = QUICK_EXAMPLES
) -> tuple[RunResult, str]:
    """Run the suite, capturing what it prints (schemathesis writes to our stdout via the fd)."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        result = run_target(
            target, reports, seed=1, max_examples=max_examples, timeout=300
        )
    return result, buffer.getvalue()


@pytest.mark.parametrize("generation", [Generation.A, Generation.B])
def test_the_faithful_emulator_passes(
    generation: Generation, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with EmulatorServer(config(generation)) as server:
        result, _ = run_quietly(target_for(server), tmp_path, max_examples=50)
    output = capfd.readouterr().out
    assert result.passed, output[-3000:]
    assert result.report["operations"]["tested"] == 4
    assert result.report["test_cases"]["generated"] >= 200
    assert all(p["status"] == "success" for p in result.report["phases"].values())
    assert SECRET not in output
    for report in tmp_path.rglob("*"):
        if report.is_file():
            assert SECRET not in report.read_text(errors="replace"), report


@pytest.mark.parametrize("name", sorted(BROKEN_GATEWAYS))
def test_each_broken_gateway_fails_the_suite(
    name: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with EmulatorServer(config(), wrap=BROKEN_GATEWAYS[name]) as server:
        result, _ = run_quietly(target_for(server), tmp_path)
    output = capfd.readouterr().out
    assert not result.passed, f"the suite passed against a gateway where {name}"
    assert SECRET not in output and OTHER_SECRET not in output
    if not result.problem:
        assert result.report["failures"], output[-2000:]
        assert "curl" in output  # every failure comes with a line to reproduce it


def test_a_model_limited_token_is_no_false_failure(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Such a token gets 403 for every task id it does not know (generation B)."""
    with EmulatorServer(config()) as server:
        target = attrs.evolve(target_for(server), token=LIMITED_SECRET)
        result, _ = run_quietly(target, tmp_path)
    output = capfd.readouterr().out
    assert result.passed, output[-3000:]
    assert LIMITED_SECRET not in output


@pytest.mark.parametrize("generation", [Generation.A, Generation.B])
def test_a_used_up_token_cannot_test_anything_and_says_why(
    generation: Generation, tmp_path: Path
) -> None:
    with EmulatorServer(config(generation)) as server:
        target = attrs.evolve(target_for(server), token=EXHAUSTED_SECRET)
        result, output = run_quietly(target, tmp_path)
    assert result.exit_code == 2
    assert "quota is used up" in result.problem and "quota is used up" in output
    assert EXHAUSTED_SECRET not in output


def test_without_allow_create_nothing_is_submitted(tmp_path: Path) -> None:
    with EmulatorServer(config()) as server:
        before = len(server.store)
        result, _ = run_quietly(
            target_for(server, allow_create=False), tmp_path, max_examples=10
        )
        assert result.passed
        assert len(server.store) == before
    command = schemathesis_command(
        target_for(server, allow_create=False), Path("s.yaml"), tmp_path, 1, 10
    )
    assert command[command.index("--exclude-method") + 1] == "POST"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"token": "sk-not-a-token"}, "rejected the token"),
        ({"task_ids": ("999999999999999999",)}, "does not exist for this token's user"),
        ({"other_token": "sk-not-a-token"}, "rejected KLING_OTHER_TOKEN"),
        ({"base_url": "http://127.0.0.1:{port}"}, "unreachable"),
    ],
)
def test_a_run_that_cannot_test_anything_fails_and_says_why(
    change: dict[str, Any], reason: str, tmp_path: Path
) -> None:
    with EmulatorServer(config()) as server:
        target = target_for(server)
        if "base_url" in change:
            change = {"base_url": change["base_url"].format(port=_free_port())}
        from attrs import evolve

        result, output = run_quietly(evolve(target, **change), tmp_path)
    assert not result.passed and result.exit_code == 2
    assert reason in result.problem and reason in output
    assert SECRET not in output and "sk-not-a-token" not in output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"KLING_BASE_URL": "http://127.0.0.1:9"},
            "KLING_API_TOKEN and KLING_TASK_ID must be set",
        ),
        (
            {"KLING_BASE_URL": "http://127.0.0.1:9", "KLING_API_TOKEN": SECRET},
            "KLING_TASK_ID must be set",
        ),
        (
            {
                "KLING_BASE_URL": "ftp://x",
                "KLING_API_TOKEN": SECRET,
                "KLING_TASK_ID": "1",
            },
            "must start with http",
        ),
    ],
)
def test_incomplete_live_configuration_is_refused(
    env: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([], env=env) == 2
    captured = capsys.readouterr()
    assert message in captured.err and SECRET not in captured.err + captured.out


def test_live_configuration_is_read_from_the_environment() -> None:
    target = Target.from_env(
        {
            "KLING_BASE_URL": "https://gw.example/",
            "KLING_API_TOKEN": SECRET,
            "KLING_TASK_ID": "42",
            "KLING_ALLOW_CREATE": "1",
        }
    )
    assert target is not None
    assert (
        target.base_url,
        target.task_ids,
        target.allow_create,
        target.other_token,
    ) == ("https://gw.example", ("42",), True, None)
    assert SECRET not in repr(target)
    assert Target.from_env({}) is None
    with pytest.raises(TargetError):
        Target.from_env({"KLING_BASE_URL": "https://gw.example"})
