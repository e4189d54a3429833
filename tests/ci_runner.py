"""A small, explicit stand-in for a GitHub Actions runner: it runs one job of a workflow as
written, from an empty workspace, so that a recipe's test proves what a real runner would do.

What it knows, and nothing more (anything else is an error, never silently skipped):

* `actions/checkout`: the repository's tracked files (git ls-files) copied into the workspace;
* a composite action named in `actions` (`owner/name@ref`), or `./path` in the workspace: its
  steps, with its inputs (defaults applied, unknown ones refused) and outputs;
* `actions/upload-artifact` and `actions/setup-python`: recorded, with whether the paths they
  name exist;
* `run:` steps in bash, as GitHub starts them, with the step's `env`, GitHub's default
  variables, per-step GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files;
* expressions `inputs.x`, `secrets.X` (an unset secret is empty, as on GitHub), `env.X`,
  `github.workspace`, `github.action_path`, `runner.temp`, `steps.<id>.outputs.x`, and the
  conditions `success()`, `failure()`, `always()`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
# The variables of this machine a hosted runner has its own equivalent of: the shell's
# basics, and how pip reaches the package index here.
PASSED_THROUGH = re.compile(r"^(HOME|LANG|LC_ALL|TMPDIR|PIP_.*|PYENV_.*)$")


class WorkflowError(Exception):
    """The workflow uses something this runner does not know: the test must not guess."""


@dataclass
class StepResult:
    name: str
    code: int
    stdout: str = ""
    stderr: str = ""
    summary: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    skipped: bool = False
    recorded: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobResult:
    steps: list[StepResult]

    @property
    def failed(self) -> bool:
        return any(s.code != 0 for s in self.steps if not s.skipped)

    @property
    def output(self) -> str:
        """Everything the job printed, and every step summary."""
        return "\n".join(
            part for s in self.steps for part in (s.stdout, s.stderr, s.summary)
        )

    def step(self, name: str) -> StepResult:
        (found,) = [s for s in self.steps if s.name == name]
        return found


def tracked_files(repository: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"],
        cwd=repository,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name]


def copy_tracked(repository: Path, into: Path) -> None:
    for name in tracked_files(repository):
        source = repository / name
        if source.is_file():  # a tracked file deleted in the work tree is not there
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def clean_path() -> str:
    """PATH without this test's virtual environment: only what a job installs is found."""
    own = {Path(sys.prefix) / "bin", Path(sys.executable).parent}
    kept = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry
        and Path(entry) not in own
        and not (Path(entry) / "kling-contract").exists()
    ]
    return os.pathsep.join(kept)


@dataclass
class Context:
    """What expressions read: one per job, and one per composite action inside it."""

    env: dict[str, str]
    inputs: dict[str, str] | None = None
    action_path: Path | None = None
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    failed: bool = False


class Runner:
    def __init__(
        self,
        root: Path,
        *,
        repository: Path,
        secrets: Mapping[str, str],
        actions: Mapping[str, Path],
    ) -> None:
        self.workspace = root / "work"
        self.temp = root / "temp"
        self.actions_dir = root / "_actions"
        for folder in (self.workspace, self.temp, self.actions_dir):
            folder.mkdir(parents=True)
        self.repository = repository
        self.secrets = dict(secrets)
        self.actions = dict(actions)
        self._count = 0

    def default_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if PASSED_THROUGH.match(k)}
        return {
            **env,
            "PATH": clean_path(),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_OS": "Linux",
        }

    # Expressions -------------------------------------------------------------------------

    def evaluate(self, expression: str, ctx: Context) -> str:
        if match := re.fullmatch(rf"inputs\.({NAME})", expression):
            if ctx.inputs is None or match[1] not in ctx.inputs:
                raise WorkflowError(f"no input {match[1]!r} here: {expression}")
            return ctx.inputs[match[1]]
        if match := re.fullmatch(rf"secrets\.({NAME})", expression):
            return self.secrets.get(match[1], "")
        if match := re.fullmatch(rf"env\.({NAME})", expression):
            return ctx.env.get(match[1], "")
        if match := re.fullmatch(rf"steps\.({NAME})\.outputs\.({NAME})", expression):
            return ctx.steps.get(match[1], {}).get(match[2], "")
        if expression == "github.workspace":
            return str(self.workspace)
        if expression == "runner.temp":
            return str(self.temp)
        if expression == "github.action_path" and ctx.action_path is not None:
            return str(ctx.action_path)
        raise WorkflowError(f"unknown expression: ${{{{ {expression} }}}}")

    def substitute(self, value: Any, ctx: Context) -> str:
        # YAML's true (`fail-on-drift: true`) reaches an action as the string "true".
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return EXPRESSION.sub(lambda m: self.evaluate(m[1], ctx), text)

    def should_run(self, step: Mapping[str, Any], ctx: Context) -> bool:
        condition = EXPRESSION.sub(r"\1", str(step.get("if", "success()"))).strip()
        if condition == "always()":
            return True
        if condition == "success()":
            return not ctx.failed
        if condition == "failure()":
            return ctx.failed
        raise WorkflowError(f"unknown condition: {condition}")

    # Steps ---------------------------------------------------------------------------------

    def run_job(self, workflow: Mapping[str, Any], job: str) -> JobResult:
        spec = workflow["jobs"][job]
        ctx = Context(env=self.default_env())
        for scope in (workflow, spec):
            ctx.env.update(
                {k: self.substitute(v, ctx) for k, v in scope.get("env", {}).items()}
            )
        results = self.run_steps(spec["steps"], ctx, default_shell=None)
        return JobResult(results)

    def run_steps(
        self,
        steps: list[dict[str, Any]],
        ctx: Context,
        default_shell: str | None,
    ) -> list[StepResult]:
        results: list[StepResult] = []
        for number, step in enumerate(steps):
            name = str(step.get("name") or step.get("uses") or f"step {number}")
            if not self.should_run(step, ctx):
                results.append(StepResult(name, 0, skipped=True))
                continue
            env = {
                **ctx.env,
                **{k: self.substitute(v, ctx) for k, v in step.get("env", {}).items()},
            }
            if "run" in step:
                result = self.run_script(name, step, env, ctx, default_shell)
                results.append(result)
            elif "uses" in step:
                inner = self.run_uses(name, step, env, ctx)
                results.extend(inner)
                result = inner[-1]
            else:
                raise WorkflowError(f"step {name!r} has neither run nor uses")
            if "id" in step:
                ctx.steps[str(step["id"])] = result.outputs
            if result.code != 0:
                ctx.failed = True
        return results

    def run_script(
        self,
        name: str,
        step: Mapping[str, Any],
        env: dict[str, str],
        ctx: Context,
        default_shell: str | None,
    ) -> StepResult:
        shell = step.get("shell", default_shell)
        self._count += 1
        script = self.temp / f"step-{self._count}.sh"
        summary = self.temp / "_runner_file_commands" / f"step_summary_{self._count}"
        outputs = self.temp / "_runner_file_commands" / f"set_output_{self._count}"
        summary.parent.mkdir(exist_ok=True)
        summary.touch()
        outputs.touch()
        script.write_text(self.substitute(step["run"], ctx))
        if shell is None:  # a workflow's run: step on Linux without a shell
            argv = ["bash", "-e", str(script)]
        elif shell == "bash":
            argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
        else:
            raise WorkflowError(f"unknown shell: {shell}")
        cwd = self.workspace / self.substitute(step.get("working-directory", "."), ctx)
        env = {
            **env,
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(outputs),
        }
        if ctx.action_path is not None:
            env["GITHUB_ACTION_PATH"] = str(ctx.action_path)
        done = subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        return StepResult(
            name,
            done.returncode,
            done.stdout,
            done.stderr,
            summary.read_text(),
            outputs=dict(
                line.split("=", 1) for line in outputs.read_text().splitlines() if line
            ),
        )

    def run_uses(
        self,
        name: str,
        step: Mapping[str, Any],
        env: dict[str, str],
        ctx: Context,
    ) -> list[StepResult]:
        uses = str(step["uses"])
        given = {k: self.substitute(v, ctx) for k, v in step.get("with", {}).items()}
        action = uses.split("@", 1)[0]
        if action == "actions/checkout":
            if given:
                raise WorkflowError(f"checkout with {sorted(given)}: not known here")
            copy_tracked(self.repository, self.workspace)
            return [StepResult(name, 0, recorded={"uses": uses})]
        if action in ("actions/upload-artifact", "actions/setup-python"):
            paths = [p for p in given.get("path", "").splitlines() if p.strip()]
            exists = {p: bool(list(self.workspace.glob(p.strip()))) for p in paths}
            return [
                StepResult(name, 0, recorded={"uses": uses, **given, "exists": exists})
            ]
        if uses.startswith("./"):
            path = self.workspace / uses
            if not (path / "action.yml").is_file():
                raise WorkflowError(
                    f"{uses}: no action.yml in the workspace (no checkout?)"
                )
        elif uses in self.actions:
            # As a runner downloads an action: the repository at that ref, in its own folder.
            owner_name, ref = uses.split("@", 1)
            path = self.actions_dir / owner_name / ref
            path.mkdir(parents=True)
            copy_tracked(self.actions[uses], path)
        else:
            raise WorkflowError(f"unknown action: {uses}")
        return self.run_composite(name, path, given, env)

    def run_composite(
        self, name: str, path: Path, given: dict[str, str], env: dict[str, str]
    ) -> list[StepResult]:
        action: dict[str, Any] = yaml.safe_load((path / "action.yml").read_text())
        if action["runs"]["using"] != "composite":
            raise WorkflowError(f"{path}: only composite actions are known here")
        declared: dict[str, Any] = action.get("inputs", {})
        unknown = set(given) - set(declared)
        if unknown:
            raise WorkflowError(f"{name}: unexpected inputs {sorted(unknown)}")
        # As on GitHub: `required` is not enforced, a missing input is its default or empty.
        inputs = {
            key: given.get(key, str(spec.get("default", "")))
            for key, spec in declared.items()
        }
        inner = Context(env=dict(env), inputs=inputs, action_path=path)
        results = self.run_steps(action["runs"]["steps"], inner, default_shell="bash")
        for result in results:  # as GitHub's log nests them under the step
            result.name = f"{name} / {result.name}"
        outputs = {
            key: self.substitute(spec["value"], inner)
            for key, spec in action.get("outputs", {}).items()
        }
        code = next((r.code for r in results if r.code != 0 and not r.skipped), 0)
        results.append(StepResult(name, code, outputs=outputs))
        return results
