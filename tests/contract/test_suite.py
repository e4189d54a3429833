"""The contract suite passes against the faithful emulator, fails against each broken gateway,
fails clearly when it cannot test anything, and never prints the token."""

from __future__ import annotations

import io
import json
import re
import socket
import tomllib
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import attrs
import pytest

from kling_common.auth import KeyPair
from kling_common.exit_codes import ExitCode
from kling_common.generation import Generation
from kling_common.wire import KlingLifecycle
from kling_contract.cli import choose_mode, main
from kling_contract.drift import DriftItem
from kling_contract.runner import (
    Options,
    RunResult,
    describe,
    run_target,
    schemathesis_command,
)
from kling_contract.spec import for_generation, load_spec
from kling_contract.target import Target
from kling_emulator.config import EmulatorConfig, Lifecycle
from kling_emulator.kling_stage import KlingUpstream
from kling_emulator.server import EmulatorServer
from kling_upstream.config import UpstreamConfig
from kling_upstream.server import UpstreamServer

from ..broken_gateways import (
    BROKEN_C_GATEWAYS,
    BROKEN_GATEWAYS,
    DRIFTING_GATEWAYS,
    _task_answers,
)

SECRET = "sk-contractsecret7f3a9c"
OTHER_SECRET = "sk-contractother5b1d2e"
LIMITED_SECRET = "sk-contractlimited9e4f1a"
EXHAUSTED_SECRET = "sk-contractexhausted2c8d"
# Enough examples to reach every kind of break, few enough to keep 16 runs quick.
QUICK_EXAMPLES = 25


# Every operation the spec documents: a whole run tests each one.
def spec_operations(generation: Generation) -> int:
    """The operations the spec documents for a gateway of this generation."""
    return sum(
        method in {"get", "head", "post", "put", "patch", "delete"}
        for item in for_generation(load_spec(), generation)["paths"].values()
        for method in item
    )


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
    target: Target, reports: Path, max_examples: int = QUICK_EXAMPLES, **options: Any
) -> tuple[RunResult, str]:
    """Run the suite, capturing what it prints (schemathesis writes to our stdout via the fd)."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        result = run_target(
            target,
            Options(
                seed=1,
                max_examples=max_examples,
                reports=reports,
                timeout=300,
                **options,
            ),
        )
    return result, buffer.getvalue()


@pytest.mark.e2e
@pytest.mark.parametrize("generation", list(Generation))
def test_the_faithful_emulator_passes(
    generation: Generation, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with EmulatorServer(config(generation)) as server:
        result, printed = run_quietly(target_for(server), tmp_path, max_examples=50)
    output = printed + capfd.readouterr().out
    assert result.passed, output[-3000:]
    assert result.report["operations"]["tested"] == spec_operations(generation)
    assert result.report["test_cases"]["generated"] >= 200
    assert result.drift == (), [item.line() for item in result.drift]
    assert all(p["status"] == "success" for p in result.report["phases"].values())
    assert "WARNINGS" not in output and "⚠" not in output, "no warning under PASSED"
    assert SECRET not in output
    for report in tmp_path.rglob("*"):
        if report.is_file():
            assert SECRET not in report.read_text(errors="replace"), report


@pytest.mark.e2e
@pytest.mark.parametrize("generation", list(Generation))
def test_the_emulator_with_the_kling_stand_in_behind_it_passes(
    generation: Generation, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Every submit of the run goes to the stand-in and every poll asks it: the whole
    suite, stateful phase included, with Kling as a real API behind the gateway."""
    keys = KeyPair("suiteaccesskey", "suite-secret-key-of-thirty-two-b")
    kling_config = UpstreamConfig(keys=(keys,), lifecycle=KlingLifecycle.scaled(3.0))
    with UpstreamServer(kling_config) as kling:
        gateway_config = attrs.evolve(
            config(generation), kling=KlingUpstream(kling.base_url, keys, timeout=10)
        )
        with EmulatorServer(gateway_config) as server:
            result, printed = run_quietly(target_for(server), tmp_path, max_examples=50)
        created = len(kling.stand_in.store)
    output = printed + capfd.readouterr().out
    assert result.passed, output[-3000:]
    assert result.report["operations"]["tested"] == spec_operations(generation)
    assert created > 0, "the run's submits reached the stand-in"
    # What the summary says the run created is what Kling received.
    assert result.tasks_created == created
    assert f"tasks created: {created}" in describe(result)
    polled = [r for r in kling.stand_in.requests if r[1] == "GET" and r[3] == 200]
    assert polled, "refresh passes polled the stand-in"
    assert SECRET not in output and keys.secret_key not in output


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(BROKEN_GATEWAYS))
def test_each_broken_gateway_fails_the_suite(
    name: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The run stops at its first failure, which must be the break's own."""
    wrap, caught_by = BROKEN_GATEWAYS[name]
    with EmulatorServer(config(), wrap=wrap) as server:
        result, printed = run_quietly(target_for(server), tmp_path, max_failures=1)
    output = printed + capfd.readouterr().out
    assert result.exit_code == 1, (
        f"the suite did not fail against a gateway where {name}"
    )
    titles = {failure["title"] for failure in result.report["failures"]}
    assert titles and titles <= caught_by, (titles, output[-2000:])
    assert result.report["stop_reason"] == "failure_limit"  # --max-failures ended it
    assert SECRET not in output and OTHER_SECRET not in output
    assert "curl" in output  # every failure comes with a line to reproduce it
    assert result.failed_cases, "junit.xml's failing cases reach the summary"
    for case in result.failed_cases:
        # Where it failed, and a curl line that runs as pasted (the token from the variable).
        assert re.match(r"^([A-Z]+ /|Stateful tests)", case.operation), case
        assert case.curl.startswith("curl ") and "[Filtered]" not in case.curl, case
    # ... and with no `st replay` hint, which cannot work where the run was started.
    assert "st replay" not in output


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(BROKEN_C_GATEWAYS))
def test_each_broken_generation_c_gateway_fails_the_suite(
    name: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Generation C's own promises: the plugin's envelope, the gateway's id, 404 for an
    unknown task, and an artifact served only to its access value."""
    wrap, caught_by = BROKEN_C_GATEWAYS[name]
    with EmulatorServer(config(Generation.C), wrap=wrap) as server:
        result, printed = run_quietly(target_for(server), tmp_path, max_failures=1)
    output = printed + capfd.readouterr().out
    assert result.exit_code == 1, (
        f"the suite did not fail against a gateway where {name}"
    )
    titles = {failure["title"] for failure in result.report["failures"]}
    assert titles and titles <= caught_by, (titles, output[-2000:])
    assert "access=" not in output.replace("access=[Filtered]", "")


@pytest.mark.e2e
def test_a_model_limited_token_is_no_false_failure(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Such a token gets 403 for every task id it does not know (generation B)."""
    with EmulatorServer(config()) as server:
        target = attrs.evolve(target_for(server), token=LIMITED_SECRET)
        result, printed = run_quietly(target, tmp_path)
    output = printed + capfd.readouterr().out
    assert result.passed, output[-3000:]
    assert LIMITED_SECRET not in output


@pytest.mark.parametrize("generation", [Generation.A, Generation.B])
def test_a_used_up_token_cannot_test_anything_and_says_why(
    generation: Generation, tmp_path: Path
) -> None:
    with EmulatorServer(config(generation)) as server:
        target = attrs.evolve(target_for(server), token=EXHAUSTED_SECRET)
        result, output = run_quietly(target, tmp_path)
    assert result.exit_code == ExitCode.TOKEN
    assert "quota is used up" in result.problem and "quota is used up" in output
    assert EXHAUSTED_SECRET not in output


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(DRIFTING_GATEWAYS))
def test_drift_is_reported_and_fails_only_when_asked(name: str, tmp_path: Path) -> None:
    wrap, expected = DRIFTING_GATEWAYS[name]
    with EmulatorServer(config(), wrap=wrap) as server:
        target = target_for(server, allow_create=False)
        result, output = run_quietly(target, tmp_path, fail_on_drift=True)
        assert result.exit_code == 1, output[-2000:]
        assert any(expected in item.line() for item in result.drift), result.drift
        assert f"drift: {expected}" in describe(result)  # the summary's lines
        report = json.loads((tmp_path / "under-test" / "drift.json").read_text())
        assert any(expected in DriftItem(**item).line() for item in report)
        junit = (tmp_path / "under-test" / "junit.xml").read_text()
        assert "kling-contract/under-test" in junit and expected in junit
        if name == "a new field appears":
            # Without --fail-on-drift the contract passes: the client tolerates it.
            relaxed, _ = run_quietly(target, tmp_path)
            assert relaxed.exit_code == 0 and relaxed.drift


@pytest.mark.e2e
def test_a_baseline_reports_a_type_change_the_spec_allows(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"

    def with_position(value: Any) -> Any:
        return _task_answers(lambda task: task.__setitem__("queue_position", value))

    with EmulatorServer(config(), wrap=with_position(3)) as server:
        first, _ = run_quietly(
            target_for(server, allow_create=False), tmp_path, write_baseline=baseline
        )
    assert first.exit_code == 0
    assert "data.queue_position" in baseline.read_text()
    with EmulatorServer(config(), wrap=with_position("3")) as server:
        second, _ = run_quietly(
            target_for(server, allow_create=False), tmp_path, baseline=baseline
        )
    changed = [i for i in second.drift if i.kind == "baseline: type changed"]
    assert changed and changed[0].path == "data.queue_position"
    assert changed[0].detail == "integer -> string"


@pytest.mark.e2e
def test_without_allow_create_nothing_is_submitted(tmp_path: Path) -> None:
    """No POST, and no probe of another method against a real task's URL."""
    seen: list[tuple[str, str]] = []

    def record(app: Any) -> Any:
        async def logged(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                seen.append((scope["method"], scope["path"]))
            await app(scope, receive, send)

        return logged

    with EmulatorServer(config(), wrap=record) as server:
        before = len(server.store)
        target = target_for(server, allow_create=False)
        result, _ = run_quietly(target, tmp_path, max_examples=10)
        assert result.passed
        assert len(server.store) == before
    assert all(method != "POST" for method, _ in seen)
    probes = [(m, p) for m, p in seen if m not in ("GET", "POST")]
    assert probes, "the coverage phase sends methods the spec does not list"
    assert not any(p.rsplit("/", 1)[-1] in target.task_ids for _, p in probes), probes
    command = schemathesis_command(target, Path("s.yaml"), tmp_path, 1, 10)
    assert command[command.index("--exclude-method") + 1] == "POST"


@pytest.mark.e2e
@pytest.mark.parametrize("budget", [0, 3])
def test_a_task_budget_bounds_the_tasks_a_run_creates(
    budget: int, tmp_path: Path
) -> None:
    """Without a budget this run creates about 200 tasks: the bound is held in every phase."""
    with EmulatorServer(config()) as server:
        before = len(server.store)
        target = attrs.evolve(target_for(server), max_tasks=budget)
        result, _ = run_quietly(target, tmp_path, max_examples=10)
        assert result.passed, result.problem
        assert len(server.store) - before == result.tasks_created == budget


def test_the_run_config_is_derived_as_data_not_by_editing_text(tmp_path: Path) -> None:
    from kling_contract.runner import derived_config
    from kling_contract.spec import load_config

    limited = Target(
        label="t", base_url="http://127.0.0.1:1", token=SECRET, task_ids=("1",),
        model_limited=True, allow_create=True, max_tasks=2,
    )  # fmt: skip
    derived = tomllib.loads(derived_config(limited, tmp_path).read_text())
    statuses = derived["checks"]["positive_data_acceptance"]["expected-statuses"]
    assert statuses == [
        *load_config()["checks"]["positive_data_acceptance"]["expected-statuses"],
        403,
    ]
    (submits,) = [
        op for op in derived["operations"] if op.get("include-method") == "POST"
    ]
    assert submits["phases"] == {
        "examples": {"enabled": False},
        "fuzzing": {"enabled": False},
    }
    plain = attrs.evolve(limited, model_limited=False, max_tasks=None)
    assert tomllib.loads(derived_config(plain, tmp_path).read_text()) == load_config()


def test_a_task_budget_needs_permission_to_create() -> None:
    from kling_contract.target import TargetError

    with pytest.raises(TargetError, match="--max-tasks"):
        Target.live("http://127.0.0.1:1", SECRET, ("1",), max_tasks=3)
    with pytest.raises(TargetError, match="--max-tasks"):
        Target.live(
            "http://127.0.0.1:1", SECRET, ("1",), allow_create=True, max_tasks=-1
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("change", "reason", "code"),
    [
        ({"token": "sk-not-a-token"}, "rejected the token", ExitCode.TOKEN),
        (
            {"task_ids": ("999999999999999999",)},
            "does not exist for this token's user: create one with `kling submit",
            ExitCode.TASK_NOT_FOUND,
        ),
        (
            {"other_token": "sk-not-a-token"},
            "rejected KLING_OTHER_TOKEN",
            ExitCode.TOKEN,
        ),
        ({"base_url": "http://127.0.0.1:{port}"}, "unreachable", ExitCode.GATEWAY),
    ],
)
def test_a_run_that_cannot_test_anything_fails_and_says_why_with_the_shared_code(
    change: dict[str, Any], reason: str, code: ExitCode, tmp_path: Path
) -> None:
    with EmulatorServer(config()) as server:
        target = target_for(server)
        if "base_url" in change:
            change = {"base_url": change["base_url"].format(port=_free_port())}
        from attrs import evolve

        result, output = run_quietly(evolve(target, **change), tmp_path)
    assert not result.passed and result.exit_code == code
    assert result.verdict == "NOT TESTED"
    assert reason in result.problem and reason in output
    assert SECRET not in output and "sk-not-a-token" not in output


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--task-id", "1"], {}, "KLING_BASE_URL is not set"),
        (["--base-url", "http://127.0.0.1:9", "--task-id", "1"], {}, "KLING_API_TOKEN"),
        (["--base-url", "http://127.0.0.1:9"], {"KLING_API_TOKEN": SECRET}, "task id"),
        (
            ["--base-url", "ftp://x", "--task-id", "1"],
            {"KLING_API_TOKEN": SECRET},
            "must start with http",
        ),
        (
            ["--base-url", "http://[::1", "--task-id", "1"],
            {"KLING_API_TOKEN": SECRET},
            "not a valid URL",
        ),
        (
            ["--base-url", "http://127.0.0.1:9", "--task-id", "../x"],
            {"KLING_API_TOKEN": SECRET},
            "not a gateway task id",
        ),
        (
            ["--base-url", "http://127.0.0.1:9", "--task-id", "1"],
            {"KLING_API_TOKEN": "sk-ümlaut"},
            "non-ASCII",
        ),
        (["--emulator", "--base-url", "http://127.0.0.1:9"], {}, "exclude each other"),
        (["--max-examples", "0"], {}, "--max-examples"),
        (["--generations", "D"], {}, "--generations"),
        (["--no-such-option"], {}, "No such option"),
    ],
)
def test_bad_options_end_in_a_clear_message_and_exit_2(
    argv: list[str],
    env: dict[str, str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(argv, env=env) == 2
    captured = capsys.readouterr()
    assert message in captured.err and SECRET not in captured.err + captured.out
    assert "Traceback" not in captured.err + captured.out


@pytest.mark.parametrize("where", ["GITHUB_STEP_SUMMARY", "--summary"])
def test_a_run_appends_a_markdown_summary_without_the_token(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "summary.md"
    page.write_text("earlier step\n")
    argv = ["--base-url", f"http://127.0.0.1:{_free_port()}", "--task-id", "1"]
    argv += ["--reports", str(tmp_path / "reports")]
    env = {"KLING_API_TOKEN": SECRET}
    if where == "--summary":
        argv += ["--summary", str(page)]
    else:
        env["GITHUB_STEP_SUMMARY"] = str(page)
    assert main(argv, env=env) == ExitCode.GATEWAY
    written = page.read_text()
    assert written.startswith("earlier step\n## Kling gateway contract checks")
    assert "| live | **not tested** |" in written and "unreachable" in written
    printed = capsys.readouterr().out
    assert "contract: 0 passed, 0 failed, 1 not tested" in printed
    replay = printed.split("replay: ", 1)[1].splitlines()[0]
    assert f"```sh\n{replay}\n```" in written
    assert SECRET not in written


def test_the_replay_line_keeps_the_failure_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    argv = ["--base-url", url, "--task-id", "1", "--max-failures", "3"]
    argv += ["--reports", str(tmp_path)]
    assert main(argv, env={"KLING_API_TOKEN": SECRET}) == ExitCode.GATEWAY
    replay = capsys.readouterr().out.split("replay: ", 1)[1].splitlines()[0]
    assert "--max-failures 3" in replay and SECRET not in replay
    target = Target(label="replay", base_url=url, token=SECRET, task_ids=("1",))
    command = schemathesis_command(target, Path("s.json"), tmp_path, 1, 5, 3)
    assert command[command.index("--max-failures") + 1] == "3"
    assert "--max-failures" not in schemathesis_command(
        target, Path("s.json"), tmp_path, 1, 5
    )


@pytest.mark.parametrize(
    ("argv", "env", "live", "reason"),
    [
        ([], {}, False, "no task id given"),
        (
            [],
            {"KLING_BASE_URL": "https://gw.example", "KLING_API_TOKEN": SECRET},
            False,
            "KLING_BASE_URL alone is the client's setting",
        ),
        (
            [],
            {
                "KLING_BASE_URL": "https://gw.example",
                "KLING_API_TOKEN": SECRET,
                "KLING_TASK_ID": "42",
            },
            True,
            "a task id given",
        ),
        (
            ["--base-url", "https://gw.example/"],
            {"KLING_API_TOKEN": SECRET, "KLING_TASK_ID": "42"},
            True,
            "--base-url given",
        ),
        (
            ["--emulator"],
            {"KLING_BASE_URL": "https://gw.example", "KLING_TASK_ID": "42"},
            False,
            "--emulator",
        ),
    ],
)
def test_the_mode_rule(
    argv: list[str], env: dict[str, str], live: bool, reason: str
) -> None:
    base_url = argv[argv.index("--base-url") + 1] if "--base-url" in argv else None
    mode = choose_mode(
        env,
        base_url=base_url,
        task_ids=(),
        emulator="--emulator" in argv,
        allow_create=False,
    )
    assert (mode.live is not None) is live and reason in mode.reason
    if mode.live is not None:
        assert mode.live.base_url == "https://gw.example"
        assert mode.live.task_ids == ("42",) and not mode.live.allow_create
        assert SECRET not in repr(mode.live)


@pytest.mark.e2e
def test_a_failing_second_token_is_a_gateway_error_not_an_isolation_verdict(
    tmp_path: Path,
) -> None:
    def other_token_fails(app: Any) -> Any:
        async def answer(scope: Any, receive: Any, send: Any) -> None:
            auth = dict(scope.get("headers", [])).get(b"authorization", b"")
            if scope["type"] == "http" and OTHER_SECRET.encode() in auth:
                await send(
                    {"type": "http.response.start", "status": 503, "headers": []}
                )
                await send({"type": "http.response.body", "body": b""})
                return
            await app(scope, receive, send)

        return answer

    with EmulatorServer(config(), wrap=other_token_fails) as server:
        result, output = run_quietly(target_for(server), tmp_path)
    assert result.exit_code == ExitCode.GATEWAY
    assert "gateway failed (HTTP 503) for KLING_OTHER_TOKEN" in result.problem
    assert "isolation" not in result.problem and OTHER_SECRET not in output


def test_the_hand_off_to_the_schemathesis_process_round_trips() -> None:
    from kling_contract.handoff import HandOff

    sent = HandOff(
        token="sk-a",
        task_ids=frozenset({"t1", "t2"}),
        probe_task_id="kling_contract_probe_0",
        other_token=None,
        shapes_log="/tmp/shapes.jsonl",
        max_tasks=3,
    )
    env = sent.to_env()
    assert (
        "KLING_OTHER_TOKEN" not in env
    )  # unset stays unset: the check then stands down
    assert HandOff.from_env(env) == sent
    assert HandOff.from_env({}) == HandOff()
