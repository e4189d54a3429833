"""The README's CI recipe and the repository's action (`action.yml`), run as written from an
empty workspace by a small stand-in for a GitHub runner (tests/ci_runner.py), against the
emulator standing in for the gateway: a complete job checks the gateway and keeps its
reports; a job with an unset secret fails naming the input, and checks nothing."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kling_contract.cli import main
from kling_emulator.server import EmulatorServer

from ..ci_runner import (
    Context,
    JobResult,
    Runner,
    StepResult,
    WorkflowError,
    tracked_files,
)
from ..conftest import ROOT, TOKEN_1, make_config

PLACEHOLDER = "your-org/kling-gateway@main"
# The recipe's step that uses the action; its own steps are named under it.
INNER = "Check the gateway / "
JOB = "contract"
SECRET_OF_INPUT = {
    "base-url": "KLING_BASE_URL",
    "token": "KLING_API_TOKEN",
    "task-id": "KLING_TASK_ID",
}


def ci_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("### In your CI\n")
    end = readme.index("\n## ", start)
    return readme[start:end]


def recipe() -> dict[str, Any]:
    (block,) = re.findall(r"```yaml\n(.*?)```", ci_section(), re.DOTALL)
    loaded: dict[str, Any] = yaml.safe_load(block)
    return loaded


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return loaded


def action_step(workflow: dict[str, Any]) -> dict[str, Any]:
    steps: list[dict[str, Any]] = workflow["jobs"][JOB]["steps"]
    (step,) = [s for s in steps if s.get("uses") == PLACEHOLDER]
    return step


def with_inputs(**inputs: object) -> dict[str, Any]:
    """The recipe with more inputs given to the action (the test of an input, not of the
    recipe): every other line stays as written."""
    changed = copy.deepcopy(recipe())
    step = action_step(changed)
    assert not set(inputs) & set(step["with"]), "the recipe already gives these"
    step["with"].update(inputs)
    return changed


def runner(tmp_path: Path, secrets: dict[str, str], repository: Path = ROOT) -> Runner:
    return Runner(
        tmp_path / "runner",
        repository=repository,
        secrets=secrets,
        actions={PLACEHOLDER: ROOT},
    )


SOME_SECRETS = {
    "KLING_BASE_URL": "http://127.0.0.1:9",
    "KLING_API_TOKEN": "sk-ci-recipe-secret",
    "KLING_TASK_ID": "42",
}


# The recipe and the action, read ----------------------------------------------------------


def test_the_recipe_checks_out_uses_the_action_and_keeps_the_reports() -> None:
    steps = recipe()["jobs"][JOB]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    check = action_step(recipe())
    assert check["with"] == {
        "base-url": "${{ secrets.KLING_BASE_URL }}",
        "token": "${{ secrets.KLING_API_TOKEN }}",
        "task-id": "${{ secrets.KLING_TASK_ID }}",
        "reports": "reports/contract",
    }
    keep = steps[-1]
    assert keep["uses"].startswith("actions/upload-artifact@")
    assert keep["if"] == "always()"
    assert keep["with"]["path"].rstrip("/") == check["with"]["reports"]
    assert PLACEHOLDER in ci_section(), "the placeholder is explained beside the recipe"


def test_every_input_and_output_of_the_action_is_named_in_the_readme() -> None:
    section = ci_section()
    for name in (*action()["inputs"], *action()["outputs"]):
        assert f"`{name}" in section or f"{name}:" in section, name


def test_the_action_passes_secrets_by_environment_never_in_a_script() -> None:
    """A `${{ }}` inside `run:` would put a token on a command line (and lets an input
    inject shell): every value reaches the scripts through `env:`."""
    steps = action()["runs"]["steps"]
    for step in steps:
        assert "${{" not in step["run"], step["name"]
        assert step["shell"] == "bash"
    (check,) = [s for s in steps if s.get("id") == "check"]
    assert check["env"]["KLING_API_TOKEN"] == "${{ inputs.token }}"
    assert check["env"]["KLING_OTHER_TOKEN"] == "${{ inputs.other-token }}"
    assert check["env"]["KLING_TASK_ID"] == "${{ inputs.task-id }}"
    assert "--live" in check["run"]
    install = steps[1]["run"]
    assert '"${ACTION_PATH}[contract]"' in install and "$VENV" in install


# The runner's own rules -------------------------------------------------------------------


def test_the_runner_substitutes_what_github_does(tmp_path: Path) -> None:
    run = runner(tmp_path, {"S": "secret"})
    ctx = Context(
        env={"E": "e"},
        inputs={"base-url": "u"},
        action_path=tmp_path / "a",
        steps={"check": {"code": "0"}},
    )
    text = (
        "${{ inputs.base-url }} ${{secrets.S}} ${{ secrets.UNSET }}| ${{ env.E }} "
        "${{ github.workspace }} ${{ runner.temp }} ${{ github.action_path }} "
        "${{ steps.check.outputs.code }}"
    )
    assert run.substitute(text, ctx) == (
        f"u secret | e {run.workspace} {run.temp} {tmp_path / 'a'} 0"
    )
    for unknown in ("${{ inputs.nope }}", "${{ github.sha }}", "${{ vars.X }}"):
        with pytest.raises(WorkflowError):
            run.substitute(unknown, ctx)
    with pytest.raises(WorkflowError):
        run.should_run({"if": "github.ref == 'main'"}, ctx)


def test_the_runner_refuses_an_unknown_input_or_action(tmp_path: Path) -> None:
    with pytest.raises(WorkflowError, match="unexpected inputs"):
        runner(tmp_path / "1", SOME_SECRETS).run_job(with_inputs(famlies="kling"), JOB)
    unknown = copy.deepcopy(recipe())
    unknown["jobs"][JOB]["steps"][0]["uses"] = "someone/else@v1"
    with pytest.raises(WorkflowError, match="unknown action"):
        runner(tmp_path / "2", SOME_SECRETS).run_job(unknown, JOB)


# A job that cannot check the gateway fails, and checks nothing ----------------------------


def assert_nothing_ran(job: JobResult, run: Runner) -> None:
    assert job.step(INNER + "Install the contract checks").skipped
    assert job.step("Check the gateway").code == 2
    assert job.step(INNER + "Check the gateway").skipped
    (keep,) = [s for s in job.steps if s.name == "Keep the reports"]
    assert not keep.skipped and keep.recorded["exists"] == {"reports/contract/": False}
    assert not (run.workspace / "reports").exists()
    assert not (run.temp / "kling-contract-venv").exists()


@pytest.mark.parametrize("input_name", sorted(SECRET_OF_INPUT))
@pytest.mark.parametrize("how", ["unset", "blank"])
def test_an_unset_secret_fails_the_job_naming_the_input(
    input_name: str, how: str, tmp_path: Path
) -> None:
    secrets = {**SOME_SECRETS}
    if how == "unset":
        del secrets[SECRET_OF_INPUT[input_name]]
    else:
        secrets[SECRET_OF_INPUT[input_name]] = "  "
    run = runner(tmp_path, secrets)
    job = run.run_job(recipe(), JOB)
    assert job.failed
    checked = job.step(INNER + "Check the inputs")
    assert checked.code == 2
    assert (
        f"::error title=kling-contract::input {input_name} is empty: " in checked.stdout
    )
    assert "an unset secret reads as empty" in checked.stdout
    assert f"input {input_name} is empty" in checked.summary
    assert_nothing_ran(job, run)
    assert "sk-ci-recipe-secret" not in job.output


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"allow-create": "true"},
            "input max-tasks is empty: allow-create: true needs a bound",
        ),
        ({"allow-create": "yes"}, "input allow-create must be true or false"),
        ({"fail-on-drift": "1"}, "input fail-on-drift must be true or false"),
    ],
)
def test_creating_tasks_needs_a_bound_and_flags_are_true_or_false(
    inputs: dict[str, str], message: str, tmp_path: Path
) -> None:
    run = runner(tmp_path, SOME_SECRETS)
    job = run.run_job(with_inputs(**inputs), JOB)
    assert message in job.step(INNER + "Check the inputs").stdout
    assert_nothing_ran(job, run)


def one_step_of_the_action(
    run: Runner,
    workflow: dict[str, Any],
    name: str,
    job_env: dict[str, str] | None = None,
) -> StepResult:
    """One step of the action alone, with the inputs the workflow gives (installing is the
    slow part, proven end to end below)."""
    spec = action()
    (step,) = [s for s in spec["runs"]["steps"] if s["name"] == name]
    ctx = Context(env={**run.default_env(), **(job_env or {})})
    given = {
        k: run.substitute(v, ctx) for k, v in action_step(workflow)["with"].items()
    }
    inputs = {
        k: given.get(k, str(v.get("default", ""))) for k, v in spec["inputs"].items()
    }
    inner = Context(env=ctx.env, inputs=inputs, action_path=ROOT)
    (result,) = run.run_steps([step], inner, default_shell="bash")
    return result


def test_with_allow_create_and_a_bound_no_task_id_is_needed(tmp_path: Path) -> None:
    secrets = {k: v for k, v in SOME_SECRETS.items() if k != "KLING_TASK_ID"}
    bounded = with_inputs(**{"allow-create": "true", "max-tasks": "3"})
    checked = one_step_of_the_action(
        runner(tmp_path / "1", secrets), bounded, "Check the inputs"
    )
    assert checked.code == 0, checked.stdout
    plain = one_step_of_the_action(
        runner(tmp_path / "2", SOME_SECRETS), recipe(), "Check the inputs"
    )
    assert plain.code == 0


# A stand-in for the installed script: what it was given, on the command line and in its
# environment (names only, and whether the token came through).
RECORDER = """#!/bin/bash
printf 'arg %s\n' "$@"
env | grep -o '^KLING_[A-Z_]*=' | sort | sed 's/^/env /'
[ "$KLING_API_TOKEN" = sk-ci-recipe-secret ] && echo 'token via env'
[ -z "$KLING_ALLOW_CREATE$KLING_CONTRACT_MAX_TASKS" ] && echo 'no job-wide create'
exit 3
"""


def recorded_run(tmp_path: Path, **inputs: object) -> tuple[list[str], list[str]]:
    run = runner(tmp_path, SOME_SECRETS)
    script = run.temp / "kling-contract-venv" / "bin" / "kling-contract"
    script.parent.mkdir(parents=True)
    script.write_text(RECORDER)
    script.chmod(0o755)
    job_env = {"KLING_ALLOW_CREATE": "1", "KLING_CONTRACT_MAX_TASKS": "999"}
    workflow = with_inputs(**inputs) if inputs else recipe()
    done = one_step_of_the_action(run, workflow, "Check the gateway", job_env)
    assert done.code == 3 and done.outputs["exit-code"] == "3"
    assert done.outputs["reports"] == "reports/contract"
    lines = done.stdout.splitlines()
    assert "token via env" in lines and "no job-wide create" in lines
    args = [line.removeprefix("arg ") for line in lines if line.startswith("arg ")]
    assert "sk-ci-recipe-secret" not in " ".join(args)
    return args, [line for line in lines if line.startswith("env ")]


def test_the_check_is_always_live_and_secrets_go_by_environment(tmp_path: Path) -> None:
    args, env = recorded_run(tmp_path)
    assert args == ["--live", "--reports", "reports/contract"]
    for name in ("KLING_API_TOKEN", "KLING_BASE_URL", "KLING_TASK_ID"):
        assert f"env {name}=" in env


def test_each_input_becomes_its_option_and_only_when_given(tmp_path: Path) -> None:
    """`--families` too (passed only when the input is not empty)."""
    args, _ = recorded_run(
        tmp_path,
        **{
            "families": "kling,tasks",
            "allow-create": "true",
            "max-tasks": "4",
            "max-examples": "7",
            "fail-on-drift": True,
            "baseline": "contract/baseline.json",
            "other-token": "sk-other",
        },
    )
    assert args == [
        "--live",
        "--reports",
        "reports/contract",
        "--families",
        "kling,tasks",
        "--allow-create",
        "--max-tasks",
        "4",
        "--max-examples",
        "7",
        "--fail-on-drift",
        "--baseline",
        "contract/baseline.json",
    ]


# The recipe, end to end ---------------------------------------------------------------------


@pytest.mark.e2e
def test_the_readmes_recipe_checks_the_gateway_from_an_empty_workspace(
    tmp_path: Path,
) -> None:
    """The recipe as written, but for a handful of examples (`max-examples`) to keep it
    short: the checks install from the action's files into a fresh environment, check the
    gateway live, write the step summary and the reports the artifact step keeps."""
    with EmulatorServer(make_config()) as server:
        secrets = {
            "KLING_BASE_URL": server.base_url,
            "KLING_API_TOKEN": TOKEN_1,
            "KLING_TASK_ID": server.seeded[1]["SUCCESS"],
        }
        run = runner(tmp_path, secrets)
        assert not any(run.workspace.iterdir())
        started = time.monotonic()
        job = run.run_job(with_inputs(**{"max-examples": "5"}), JOB)
        took = time.monotonic() - started
    check = job.step("Check the gateway")
    assert not job.failed, job.output[-4000:]
    (ran,) = [s for s in job.steps if s.stdout.startswith("mode:")]
    assert f"mode: live gateway at {server.base_url} (--live given)" in ran.stdout
    assert "contract: exit 0 (all passed)" in ran.stdout
    assert check.outputs == {"exit-code": "0", "reports": "reports/contract"}
    assert "## Kling gateway contract checks" in ran.summary
    assert "| live | " in ran.summary
    keep = job.step("Keep the reports")
    assert keep.recorded["exists"] == {"reports/contract/": True}
    assert (run.workspace / "reports/contract/live/junit.xml").is_file()
    assert TOKEN_1 not in job.output
    # Nothing but the checkout and the reports in the workspace: the recipe put them there.
    present = {
        str(p.relative_to(run.workspace))
        for p in run.workspace.rglob("*")
        if p.is_file()
    }
    assert set(tracked_files(ROOT)) <= present, "the checkout brings the repository"
    extra = present - set(tracked_files(ROOT))
    assert extra and all(p.startswith("reports/contract/") for p in extra), sorted(
        p for p in extra if not p.startswith("reports/contract/")
    )
    print(f"the recipe's job took {took:.0f} s")


BASELINE = "contract/baseline.json"
SHAPE = "GET /kling/v1/videos/image2video/{task_id} 200"


def team_repository(path: Path, workflow: dict[str, Any], baseline: str) -> Path:
    """A team's repository: its workflow and the baseline it committed."""
    (path / ".github/workflows").mkdir(parents=True)
    (path / ".github/workflows/contract.yml").write_text(yaml.safe_dump(workflow))
    (path / BASELINE).parent.mkdir()
    (path / BASELINE).write_text(baseline)
    git = ["git", "-c", "user.name=team", "-c", "user.email=team@example.invalid"]
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "contract job"]):
        subprocess.run([*git, *argv], cwd=path, check=True, timeout=60)
    return path


@pytest.mark.e2e
def test_the_drift_gate_reads_the_baseline_the_checkout_brings(tmp_path: Path) -> None:
    """The additions the README names, `fail-on-drift: true` with a committed `baseline`:
    the day a field the baseline has is gone the job fails (exit 1), and the same job
    without its checkout fails too (exit 2), as the baseline is not there."""
    gated = with_inputs(
        **{"max-examples": "5", "fail-on-drift": True, "baseline": BASELINE}
    )
    with EmulatorServer(make_config()) as server:
        secrets = {
            "KLING_BASE_URL": server.base_url,
            "KLING_API_TOKEN": TOKEN_1,
            "KLING_TASK_ID": server.seeded[1]["SUCCESS"],
        }
        stored = tmp_path / "stored.json"
        argv = ["--live", "--max-examples", "5", "--write-baseline", str(stored)]
        argv += ["--reports", str(tmp_path / "baseline-reports")]
        assert main(argv, secrets) == 0
        shape = json.loads(stored.read_text())
        # The gateway answered this field the day the baseline was stored.
        shape["live"][SHAPE]["fields"]["data.queue_position"] = ["integer"]
        team = team_repository(tmp_path / "team", gated, json.dumps(shape))
        job = runner(tmp_path / "gated", secrets, team).run_job(gated, JOB)
        unchecked = copy.deepcopy(gated)
        del unchecked["jobs"][JOB]["steps"][0]
        missing = runner(tmp_path / "no-checkout", secrets, team).run_job(
            unchecked, JOB
        )
    assert job.step("Check the gateway").outputs["exit-code"] == "1", job.output[-3000:]
    assert "data.queue_position" in job.step(INNER + "Check the gateway").stdout
    assert missing.step("Check the gateway").code == 2
    assert f"'{BASELINE}' does not exist" in missing.output
