"""One contract run against one target: preflight, schemathesis, drift, reports.

Every run writes into its own folder (`<reports>/<label>/`, cleared first): the spec and
configuration it used, schemathesis's report.json, junit.xml (always, even when nothing could
be tested), drift.json, and the shapes log drift was computed from.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import schemathesis.checks
import tomli_w

from kling_common.exit_codes import ExitCode
from kling_common.families import FAMILIES, Family
from kling_common.generation import Generation
from kling_common.redaction import redact_access
from kling_emulator.config import TOKEN_1, TOKEN_2, EmulatorConfig, Lifecycle
from kling_emulator.server import EmulatorServer

from . import checks, drift, junit
from .served import Families, for_families
from .spec import for_generation, load_config, load_spec
from .submit_rules import enforced_spec
from .target import (
    Target,
    TargetError,
    handoff_for,
    preflight,
    with_a_task_of_its_own,
)

# Where the hooks module (kling_contract.checks) is importable from, installed or not.
IMPORT_ROOT = Path(__file__).resolve().parent.parent
DISABLED_BUILTINS = ("unsupported_method", "allow_header_conformance")
# The checks module's registered checks, not its hooks (before_call, filter_case).
CUSTOM_CHECKS = tuple(
    check.__name__
    for check in schemathesis.checks.CHECKS.get_all()
    if getattr(check, "__module__", "") == checks.__name__
)
# schemathesis: 0 passed, 1 failures found; anything else means it could not run.
SCHEMATHESIS_FAILED = 1


@attrs.frozen
class Options:
    seed: int = 20261124
    max_examples: int = 100
    reports: Path = Path("reports/contract")
    timeout: float = 1800.0
    fail_on_drift: bool = False
    baseline: Path | None = None
    write_baseline: Path | None = None
    # Stop at this many failures: enough to know a gateway is broken, and much sooner.
    max_failures: int | None = None


@attrs.frozen
class RunResult:
    label: str
    # 0 passed, 1 a contract failure; any other code of the shared table (kling_common.
    # exit_codes) says why nothing could be tested: 2 the options, 3 the gateway, 5 the
    # token, 6 the task.
    exit_code: int
    report: dict[str, Any] = attrs.field(factory=dict)
    problem: str = ""
    drift: tuple[drift.DriftItem, ...] = ()
    # Submits the gateway accepted: tasks the run created (and that a real gateway bills).
    tasks_created: int = 0
    # Each failing case with its operation and the curl line that repeats it (from junit.xml).
    failed_cases: tuple[junit.FailedCase, ...] = ()
    # The task the run created to check against, when it was given none.
    own_task: str = ""
    # The generation the run checked, how it was told, and the route families it checked.
    generation: str = ""
    generation_evidence: str = ""
    families: Families | None = None

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    @property
    def verdict(self) -> str:
        return {0: "PASSED", 1: "FAILED"}.get(self.exit_code, "NOT TESTED")

    @property
    def failures(self) -> list[str]:
        """One line per kind of failure schemathesis reported: code, title and count."""
        return [
            f"{f['code']} {f['title']} x{f['count']}"
            for f in self.report.get("failures", [])
        ]


def checked_families(target: Target) -> tuple[Family, ...]:
    """The families the run checks: those served, once the preflight asked."""
    return target.served.checked if target.served is not None else target.families


def derived_spec(target: Target, folder: Path) -> Path:
    """openapi.yaml with the target's real task ids added as examples of `task_id`, so that the
    examples phase queries tasks that exist (the spec's own example ids are kept: they exercise
    the task_not_exist answer on most gateways), and submits judged by the target generation's
    rules."""
    spec = load_spec()
    examples = spec["components"]["parameters"]["TaskId"].setdefault("examples", {})
    for index, task_id in enumerate(target.task_ids):
        examples[f"target{index}"] = {
            "summary": "A task that exists for the token",
            "value": task_id,
        }
    if target.generation is not None:
        spec = for_generation(spec, target.generation)
        spec = enforced_spec(spec, target.generation, target.models)
    spec = for_families(spec, checked_families(target))
    # JSON, which schemathesis loads many times faster than YAML; the copy is for machines.
    path = folder / "openapi.json"
    path.write_text(json.dumps(spec, indent=1, ensure_ascii=False))
    return path


# What a generation C gateway answers for schema-valid requests that still cannot succeed:
# unknown ids on the plugin's Kling routes and the /v1/tasks routes (404), an artifact of a
# task that has not succeeded (409 with a token), and a body that is not JSON (415).
GENERATION_C_OPERATIONS: list[dict[str, Any]] = [
    {
        "include-path-regex": "^/kling/v1/videos/(image|text)2video/\\{task_id\\}$",
        "checks": {"positive_data_acceptance": {"expected-statuses": [200, 404]}},
    },
    {
        # 429: too many wrong access values from one address (the fuzzer sends many).
        "include-path-regex": "^/v1/tasks/",
        "checks": {
            "positive_data_acceptance": {"expected-statuses": [200, 206, 404, 409, 429]}
        },
    },
    {
        "include-path-regex": "^/kling/v1/videos/(image|text)2video$",
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 415, 422, 500, 503]
            },
            "not_a_server_error": {"enabled": False},
        },
    },
]


def derived_config(target: Target, folder: Path) -> Path:
    """schemathesis.toml, adjusted for what the target's token is."""
    config = load_config()
    if target.model_limited:
        # A model-limited token gets 403 for every task id it does not know: a faithful
        # answer, documented in the spec, not a sign of a broken token.
        acceptances = [config["checks"]["positive_data_acceptance"]] + [
            operation["checks"]["positive_data_acceptance"]
            for operation in config["operations"]
            if "positive_data_acceptance" in operation.get("checks", {})
        ]
        for acceptance in acceptances:
            acceptance["expected-statuses"] = sorted(
                {*acceptance["expected-statuses"], 403}
            )
    if target.generation is Generation.C:
        # Before the general ones: the first operation entry that matches applies.
        config["operations"] = GENERATION_C_OPERATIONS + config["operations"]
    if target.max_tasks is not None:
        # checks.filter_case holds submits to the task budget, but the examples phase does
        # not ask it, and fuzzing ends in an error once it refuses every draw: with a budget,
        # submits come from the coverage and stateful phases alone.
        for operation in config["operations"]:
            if operation.get("include-method") == "POST":
                phases = operation.setdefault("phases", {})
                phases["examples"] = {"enabled": False}
                phases["fuzzing"] = {"enabled": False}
    path = folder / "schemathesis.toml"
    path.write_text(tomli_w.dumps(config))
    return path


def schemathesis_command(
    target: Target,
    spec: Path,
    folder: Path,
    seed: int,
    max_examples: int,
    max_failures: int | None = None,
) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file", str(derived_config(target, folder)),
        "run", str(spec),
        "--url", target.base_url,
        "--seed", str(seed),
        "--max-examples", str(max_examples),
        "--report", "junit,json",
        "--report-junit-path", str(folder / "junit.xml"),
        "--report-json-path", str(folder / "report.json"),
    ]  # fmt: skip
    if max_failures is not None:
        command += ["--max-failures", str(max_failures)]
    if not target.allow_create:
        # Submitting costs money on a real gateway: only when allowed. Without a submit there
        # is nothing for the stateful phase to follow. Method probes (the coverage phase's
        # unlisted methods) then go only to ids that cannot exist: the real ids are examples
        # of GET alone.
        command += ["--exclude-method", "POST", "--phases", "examples,coverage,fuzzing"]
    return command


def _fresh_folder(folder: Path) -> None:
    """The run's own folder, emptied: a report left from an earlier run must not be read as
    this run's."""
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def run_target(target: Target, options: Options) -> RunResult:
    """One run against one gateway; a live run allowed to create tasks and given none first
    creates the task it checks against, and says which."""
    folder = (options.reports / target.label).resolve()
    _fresh_folder(folder)
    print(f"\n=== contract run: {target.label} at {target.base_url}", flush=True)
    print(f"contract: {bound_said(target)}", flush=True)
    try:
        target = with_a_task_of_its_own(target)
        if target.own_task:
            print(
                f"contract: created task {target.own_task} to check against (billed; "
                f"--task-id {target.own_task} reuses it)",
                flush=True,
            )
        checked = preflight(target)
        if checked.served is not None and not checked.served.checked:
            raise TargetError(
                "none of the route families asked for is served: "
                + "; ".join(n.line() for n in checked.served.not_served)
            )
    except TargetError as exc:
        print(f"contract: cannot test {target.label}: {exc}", flush=True)
        junit.write(folder / "junit.xml", target.label, problem=str(exc))
        return RunResult(
            target.label, int(exc.code), problem=str(exc), own_task=target.own_task
        )
    assert checked.generation is not None
    print(
        f"contract: generation {checked.generation.value} "
        f"({checked.generation_evidence})",
        flush=True,
    )
    for line in checked.served.lines() if checked.served else []:
        print(f"contract: {line}", flush=True)
    result = _run_checked(checked, options, folder)
    failed_families = checked.served.failures if checked.served else ()
    return attrs.evolve(
        result,
        exit_code=1 if failed_families and result.exit_code == 0 else result.exit_code,
        # The task made to check against counts too: it is billed like the others.
        tasks_created=result.tasks_created + bool(target.own_task),
        own_task=target.own_task,
        generation=checked.generation.value,
        generation_evidence=checked.generation_evidence,
        families=checked.served,
    )


def bound_said(target: Target) -> str:
    """What the run may create, said before its first submit."""
    if not target.allow_create:
        return "creates no task (read-only: no --allow-create)"
    if target.label.startswith("emulator"):
        bound = (
            "no bound" if target.max_tasks is None else f"at most {target.max_tasks}"
        )
        return f"may create tasks on the embedded emulator ({bound}; it bills nothing)"
    if target.max_tasks is None:
        return (
            "may create tasks WITHOUT A BOUND (--max-tasks unlimited); each is billed"
        )
    return f"may create at most {target.max_tasks} task(s), each billed (--max-tasks)"


def _run_checked(target: Target, options: Options, folder: Path) -> RunResult:
    """The schemathesis run of a target that passed its preflight, and its reports."""
    shapes = folder / "shapes.jsonl"
    spec = derived_spec(target, folder)
    command = schemathesis_command(
        target,
        spec,
        folder,
        options.seed,
        options.max_examples,
        options.max_failures,
    )
    env = {
        # Hypothesis keeps the Unicode tables it computes (seconds of CPU per process) in its
        # storage directory, by default .hypothesis/ in the working directory: the run's
        # folder, emptied by every run. Beside the runs, the tables are computed once.
        "HYPOTHESIS_STORAGE_DIRECTORY": str(folder.parent / ".hypothesis"),
        **os.environ,
        **handoff_for(target, str(shapes), str(spec)).to_env(),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(IMPORT_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    try:
        returncode = _run_redacted(command, env, folder, options.timeout)
    except subprocess.TimeoutExpired:
        problem = f"schemathesis did not finish within {options.timeout:g} s"
        junit.write(folder / "junit.xml", target.label, problem=problem)
        return RunResult(target.label, ExitCode.TIMEOUT, problem=problem)
    finally:
        _redact_reports(folder)
    report_path = folder / "report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    found = _drift(
        json.loads(spec.read_text()), target, options, drift.Shape.read(shapes), folder
    )
    created = tasks_created(shapes)
    if returncode not in (0, SCHEMATHESIS_FAILED):
        problem = f"schemathesis could not run (exit {returncode})"
        junit.write(folder / "junit.xml", target.label, problem=problem)
        return RunResult(target.label, 2, report, problem, found, created)
    junit.write(
        folder / "junit.xml",
        target.label,
        drift=found,
        fail_on_drift=options.fail_on_drift,
        families=target.served,
    )
    failed = returncode == SCHEMATHESIS_FAILED or (
        options.fail_on_drift and bool(found)
    )
    return RunResult(
        target.label,
        int(failed),
        report,
        drift=found,
        tasks_created=created,
        failed_cases=tuple(junit.failed_cases(folder / "junit.xml")),
    )


# schemathesis's per-failure replay hint, which cannot work from where a run was started.
_REPLAY_HINT = re.compile(r"^\s*st replay \S+\s*$")


def _run_redacted(
    command: list[str], env: dict[str, str], folder: Path, timeout: float
) -> int:
    """Run schemathesis, passing its output on line by line with every artifact access
    value (a credential, which a failing answer's body may carry) filtered out, and
    without its `st replay ID` hints: run where the user stands they find no crash file,
    and the token they need was masked (the run's own `replay:` line repeats it)."""
    deadline = time.monotonic() + timeout
    with subprocess.Popen(
        command,
        env=env,
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as process:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                if not _REPLAY_HINT.match(line):
                    sys.stdout.write(junit.runnable_curl(redact_access(line)))
                    sys.stdout.flush()
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(command, timeout)
            return process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            raise


def _redact_reports(folder: Path) -> None:
    """The run's reports, with every artifact access value filtered out."""
    for report in folder.rglob("*"):
        if report.is_file() and report.suffix in (".json", ".xml", ".jsonl", ".har"):
            text = report.read_text(encoding="utf-8", errors="replace")
            if "access=" in text:
                report.write_text(redact_access(text), encoding="utf-8")


def tasks_created(shapes_log: Path) -> int:
    """Submits answered 200, from the log of every answer the run got."""
    if not shapes_log.exists():
        return 0
    count = 0
    with shapes_log.open(encoding="utf-8") as log:
        for line in log:
            method, path, status = json.loads(line)["answer"].split(" ")
            count += (
                method == "POST" and path in checks.SUBMIT_ROUTES and status == "200"
            )
    return count


def _drift(
    spec: dict[str, Any],
    target: Target,
    options: Options,
    shape: drift.Shape,
    folder: Path,
) -> tuple[drift.DriftItem, ...]:
    """Drift against the spec the run was judged by (the target's generation and families)."""
    items = drift.against_spec(spec, shape, target.generation)
    if options.baseline is not None:
        baseline = json.loads(options.baseline.read_text())
        items += drift.against_baseline(shape, baseline.get(target.label, {}))
    if options.write_baseline is not None:
        stored = (
            json.loads(options.write_baseline.read_text())
            if options.write_baseline.is_file()
            else {}
        )
        stored[target.label] = shape.to_json()
        options.write_baseline.write_text(json.dumps(stored, indent=2) + "\n")
    (folder / "drift.json").write_text(
        json.dumps([item.to_json() for item in items], indent=2) + "\n"
    )
    return tuple(items)


def describe(result: RunResult) -> str:
    if result.problem and not result.report:
        return f"{result.label}: NOT TESTED: {result.problem}"
    report = result.report
    ops, cases = report.get("operations", {}), report.get("test_cases", {})
    phases = " ".join(
        f"{name}:{info.get('status')}"
        for name, info in report.get("phases", {}).items()
    )
    failures = ", ".join(result.failures) or "none"
    lines = [
        f"{result.label}: {result.verdict}"
        + (f" ({result.problem})" if result.problem else ""),
        *(
            [f"  generation {result.generation} ({result.generation_evidence})"]
            if result.generation
            else []
        ),
        *(f"  {line}" for line in (result.families.lines() if result.families else [])),
        *(
            f"  FAILED: {line}"
            for line in (result.families.failures if result.families else ())
        ),
        f"  operations tested: {ops.get('tested', 0)}/{ops.get('total', 0)}; phases: {phases}",
        f"  test cases: {cases.get('generated', 0)} generated, {cases.get('with_failures', 0)} with failures",
        f"  failures: {failures}; errors: {len(report.get('errors', []))}",
        f"  drift: {len(result.drift)} item(s); tasks created: {result.tasks_created}",
        f"  running time: {report.get('running_time', 0):.1f} s, seed {report.get('seed')}",
    ]
    return "\n".join(lines + [item.line() for item in result.drift])


@contextmanager
def emulator_target(
    generation: Generation,
    max_tasks: int | None = None,
    families: tuple[Family, ...] = FAMILIES,
    families_explicit: bool = False,
) -> Iterator[Target]:
    # A lifecycle of a few seconds: long enough that the stateful phase sees running tasks.
    config = EmulatorConfig(generation=generation, lifecycle=Lifecycle.scaled(3.0))
    with EmulatorServer(config) as server:
        yield Target(
            label=f"emulator-{generation.value}",
            base_url=server.base_url,
            token=TOKEN_1,
            task_ids=tuple(server.seeded[1].values()),
            other_token=TOKEN_2,
            allow_create=True,
            max_tasks=max_tasks,
            generation=generation,
            families=families,
            families_explicit=families_explicit,
        )


def overall_exit_code(results: list[RunResult]) -> int:
    """1 when any run found a contract failure; else the first run's reason for testing
    nothing; else 0 (2 when there was no run at all)."""
    if any(r.exit_code == ExitCode.NO for r in results):
        return ExitCode.NO
    if not results:
        return ExitCode.USAGE
    return next((r.exit_code for r in results if r.exit_code), ExitCode.OK)
