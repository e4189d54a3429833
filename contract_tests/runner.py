"""`make contract`: check a gateway against openapi.yaml with schemathesis.

With no configuration the embedded emulator is started (once per gateway generation) and
checked. With KLING_BASE_URL, KLING_API_TOKEN and KLING_TASK_ID a live gateway is checked;
KLING_OTHER_TOKEN adds the isolation check and KLING_ALLOW_CREATE=1 allows submitting tasks
(which costs money on a real gateway).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import yaml

from kling_emulator.config import (
    TOKEN_1,
    TOKEN_2,
    EmulatorConfig,
    Generation,
    Lifecycle,
)
from kling_emulator.server import EmulatorServer

from . import checks
from .submit_rules import enforced_spec
from .target import Target, TargetError, env_for_checks, preflight

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
EMULATOR_TOKEN, EMULATOR_OTHER_TOKEN = TOKEN_1, TOKEN_2
DISABLED_BUILTINS = ("unsupported_method", "allow_header_conformance")
CUSTOM_CHECKS = tuple(
    name
    for name, value in vars(checks).items()
    if callable(value)
    and getattr(value, "__module__", "") == checks.__name__
    and not name.startswith("_")
)


@attrs.frozen
class RunResult:
    label: str
    exit_code: int
    report: dict[str, Any] = attrs.field(factory=dict)
    problem: str = ""

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


def derived_spec(target: Target, folder: Path) -> Path:
    """openapi.yaml with the target's real task ids added as examples of `task_id`, so that the
    examples phase queries tasks that exist (the spec's own example ids are kept: they exercise
    the task_not_exist answer on most gateways)."""
    spec = yaml.safe_load(SPEC.read_text())
    examples = spec["components"]["parameters"]["TaskId"].setdefault("examples", {})
    for index, task_id in enumerate(target.task_ids):
        examples[f"target{index}"] = {
            "summary": "A task that exists for the token",
            "value": task_id,
        }
    if target.generation is not None:
        spec = enforced_spec(spec, target.generation)
    path = folder / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    return path


def derived_config(target: Target, folder: Path) -> Path:
    """schemathesis.toml, adjusted for what the target's token is."""
    text = CONFIG.read_text()
    if target.model_limited:
        # A model-limited token gets 403 for every task id it does not know: a faithful
        # answer, documented in the spec, not a sign of a broken token.
        text = text.replace(
            "expected-statuses = [200, 400]\n", "expected-statuses = [200, 400, 403]\n"
        )
    path = folder / "schemathesis.toml"
    path.write_text(text)
    return path


def schemathesis_command(
    target: Target, spec: Path, folder: Path, seed: int, max_examples: int
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
    if not target.allow_create:
        # Submitting costs money on a real gateway: only with KLING_ALLOW_CREATE=1. Without a
        # submit there is nothing for the stateful phase to follow.
        command += ["--exclude-method", "POST", "--phases", "examples,coverage,fuzzing"]
    return command


def run_target(
    target: Target, reports: Path, seed: int, max_examples: int, timeout: float
) -> RunResult:
    folder = reports / target.label
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\n=== contract run: {target.label} at {target.base_url}", flush=True)
    try:
        target = preflight(target)
    except TargetError as exc:
        print(f"contract: cannot test {target.label}: {exc}", flush=True)
        return RunResult(target.label, 2, problem=str(exc))
    command = schemathesis_command(
        target, derived_spec(target, folder), folder, seed, max_examples
    )
    env = {**os.environ, **env_for_checks(target), "PYTHONPATH": str(ROOT)}
    try:
        completed = subprocess.run(
            command, env=env, cwd=ROOT, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return RunResult(
            target.label, 3, problem=f"schemathesis did not finish within {timeout:g} s"
        )
    report_path = folder / "report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return RunResult(target.label, completed.returncode, report)


def describe(result: RunResult) -> str:
    if result.problem:
        return f"{result.label}: NOT TESTED: {result.problem}"
    report = result.report
    ops, cases = report.get("operations", {}), report.get("test_cases", {})
    phases = " ".join(
        f"{name}:{info.get('status')}"
        for name, info in report.get("phases", {}).items()
    )
    failures = (
        ", ".join(
            f"{f['code']} {f['title']} x{f['count']}"
            for f in report.get("failures", [])
        )
        or "none"
    )
    return "\n".join(
        [
            f"{result.label}: {'PASSED' if result.passed else 'FAILED'} (schemathesis exit {result.exit_code})",
            f"  operations tested: {ops.get('tested', 0)}/{ops.get('total', 0)}; phases: {phases}",
            f"  test cases: {cases.get('generated', 0)} generated, {cases.get('with_failures', 0)} with failures",
            f"  failures: {failures}; errors: {len(report.get('errors', []))}",
            f"  running time: {report.get('running_time', 0):.1f} s, seed {report.get('seed')}",
        ]
    )


@contextmanager
def emulator_target(generation: Generation) -> Iterator[Target]:
    # A lifecycle of a few seconds: long enough that the stateful phase sees running tasks.
    config = EmulatorConfig(generation=generation, lifecycle=Lifecycle.scaled(3.0))
    with EmulatorServer(config) as server:
        yield Target(
            label=f"emulator-{generation.value}",
            base_url=server.base_url,
            token=EMULATOR_TOKEN,
            task_ids=tuple(server.seeded[1].values()),
            other_token=EMULATOR_OTHER_TOKEN,
            allow_create=True,
            generation=generation.value,
        )


def parse_args(argv: list[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m contract_tests",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=int(env.get("KLING_CONTRACT_SEED", "20261124")),
        help="replay a run with its seed",
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=int(env.get("KLING_CONTRACT_MAX_EXAMPLES", "100")),
    )
    parser.add_argument(
        "--generations",
        default=env.get("KLING_EMULATOR_GENERATIONS", "A,B"),
        help="emulator generations to check (embedded runs only)",
    )
    parser.add_argument("--reports", type=Path, default=ROOT / "reports" / "contract")
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="seconds one schemathesis run may take",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    args = parse_args(argv, env)
    try:
        live = Target.from_env(env)
    except TargetError as exc:
        print(f"contract: cannot run: {exc}", file=sys.stderr)
        return 2
    results: list[RunResult] = []
    if live is not None:
        results.append(
            run_target(live, args.reports, args.seed, args.max_examples, args.timeout)
        )
    else:
        for generation in (
            Generation(g.strip()) for g in args.generations.split(",") if g.strip()
        ):
            with emulator_target(generation) as target:
                results.append(
                    run_target(
                        target, args.reports, args.seed, args.max_examples, args.timeout
                    )
                )
    print("\n=== contract summary")
    print(
        f"checks: every built-in schemathesis check but {', '.join(DISABLED_BUILTINS)}; custom: {', '.join(CUSTOM_CHECKS)}"
    )
    for result in results:
        print(describe(result))
    print(
        f"reports: {args.reports}/<run>/junit.xml and report.json; replay with --seed {args.seed}"
    )
    passed = sum(r.passed for r in results)
    print(f"contract: {passed} passed, {len(results) - passed} failed")
    return max((r.exit_code for r in results), default=2)
