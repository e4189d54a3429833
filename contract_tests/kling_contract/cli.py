"""`kling-contract`: check a gateway's answers against the spec, and report drift.

Which gateway is checked (printed at the start of every run, with the reason):

\b
* `--emulator`, or no task id anywhere: the embedded emulator, once per generation (A, B
  and C). KLING_BASE_URL and KLING_API_TOKEN alone are the client's settings, exported for the
  `kling` CLI: they never turn a plain run into a live one.
* `--base-url` on the command line, `--live`, or a task id (`--task-id`, KLING_TASK_ID): the
  live gateway at `--base-url` or KLING_BASE_URL, with the token from KLING_API_TOKEN (never
  an option). KLING_OTHER_TOKEN adds the isolation check; `--allow-create`
  (KLING_ALLOW_CREATE=1) allows submitting tasks, which costs money (given no task id, the run
  first creates one to check against, and names it); `--max-tasks N` bounds how many a run
  creates.

\b
A CI job meant for a live gateway says so with `--live` (or `--base-url`): a URL, token or
task id that is missing or empty then exits 2 naming it (an unset secret reads as empty);
with `--allow-create` no task id is needed. A KLING_TASK_ID that is set but empty exits 2 as
well, unless `--emulator` is given: it never selects the emulator.

Route families: a live run asks each family's task query once; one the gateway does not
serve is reported as not served (never failed), unless named with `--families`.

\b
Exit codes (the table kling and kling-compare share; 2 to 6 mean nothing was tested):
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import click

from kling_common import exit_codes
from kling_common.families import FAMILIES, Family, parse_families
from kling_common.generation import Generation
from kling_common.wire import MODELS

from .runner import (
    CUSTOM_CHECKS,
    DISABLED_BUILTINS,
    Options,
    RunResult,
    describe,
    emulator_target,
    overall_exit_code,
    run_target,
)
from .summary import markdown, tally
from .target import Target, TargetError

EXIT_MEANING: dict[int, str] = {
    **exit_codes.MEANING,  # the table kling, kling-contract and kling-compare share
    0: "all passed",
    1: "a contract failure",
    2: "nothing could be tested",
}
# What --allow-create creates at most unless told otherwise: enough for the submit checks and
# the stateful phase's links, and a bill a team can read at a glance.
DEFAULT_MAX_TASKS = 20
UNLIMITED = "unlimited"


class TaskCount(click.ParamType["int | str", object]):
    """A count of 0 or more, or the word `unlimited`."""

    name = "N|unlimited"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | str:
        if isinstance(value, int) or value == UNLIMITED:
            return value
        try:
            count = int(str(value))
        except ValueError:
            self.fail(f"{value!r} is neither a count nor {UNLIMITED!r}", param, ctx)
        if count < 0:
            self.fail("a count of 0 or more", param, ctx)
        return count


def task_bound(given: int | str | None, live_allow_create: bool) -> int | None:
    """The bound a run keeps: the one given, the default for a live run that may create
    tasks, none when `unlimited` was asked for in so many words (or on the emulator)."""
    if given == UNLIMITED:
        return None
    if given is None:
        return DEFAULT_MAX_TASKS if live_allow_create else None
    assert isinstance(given, int)
    return given


@attrs.frozen
class Mode:
    live: Target | None
    reason: str


# GitHub Actions passes an unset secret as an empty string: every message about a missing
# setting says so, since that is the usual cause in CI.
UNSET_SECRET = "an unset secret reads as empty"


def _missing(env: Mapping[str, str], name: str, needs: str, hint: str = "") -> str:
    state = "is empty" if name in env else "is not set"
    return f"{name} {state}: a live run needs {needs} ({hint}{UNSET_SECRET})"


def choose_mode(
    env: Mapping[str, str],
    *,
    base_url: str | None,
    task_ids: Sequence[str],
    emulator: bool,
    allow_create: bool,
    live: bool = False,
    max_tasks: int | str | None = None,
    models: Sequence[str] = MODELS,
    families: Sequence[Family] = FAMILIES,
    families_explicit: bool = False,
) -> Mode:
    """The rule documented above; TargetError when a live run is asked for but incomplete."""
    env_url = env.get("KLING_BASE_URL", "").strip()
    env_task = env.get("KLING_TASK_ID", "").strip()
    if emulator:
        if live:
            raise TargetError("--live and --emulator exclude each other")
        if base_url is not None:
            raise TargetError("--emulator and --base-url exclude each other")
        return Mode(None, "--emulator")
    if any(not t.strip() for t in task_ids):
        raise TargetError(
            f"--task-id is empty: a live run needs a task id ({UNSET_SECRET})"
        )
    ids = tuple(t.strip() for t in task_ids) or ((env_task,) if env_task else ())
    # Asked for in so many words: a missing setting then fails, never checks the emulator.
    asked = live or base_url is not None
    if not asked and not ids:
        if "KLING_TASK_ID" in env:
            raise TargetError(
                _missing(env, "KLING_TASK_ID", "a task id")
                + "; --emulator checks the embedded emulator instead"
            )
        reason = "no task id given (--task-id or KLING_TASK_ID)"
        if env_url:
            reason += (
                "; KLING_BASE_URL alone is the client's setting and does not select a "
                "live run"
            )
        return Mode(None, reason)
    problems = []
    if base_url is not None and not base_url.strip():
        problems.append(
            f"--base-url is empty: a live run needs the gateway's URL ({UNSET_SECRET})"
        )
    elif not (base_url or env_url):
        problems.append(
            _missing(
                env,
                "KLING_BASE_URL",
                "the gateway's URL",
                "--base-url or KLING_BASE_URL; ",
            )
        )
    token = env.get("KLING_API_TOKEN", "").strip()
    if not token:
        problems.append(
            _missing(env, "KLING_API_TOKEN", "the gateway's token", "never an option; ")
        )
    if not ids and not allow_create:
        problems.append(
            _missing(env, "KLING_TASK_ID", "a task id", "--task-id or KLING_TASK_ID; ")
            + ", or --allow-create to create one"
        )
    if problems:
        raise TargetError("; ".join(problems))
    target = Target.live(
        (base_url or env_url).strip(),
        token,
        ids,
        other_token=env.get("KLING_OTHER_TOKEN", "").strip() or None,
        allow_create=allow_create,
        max_tasks=task_bound(max_tasks, allow_create),
        models=tuple(models),
        families=tuple(families),
        families_explicit=families_explicit,
    )
    if live:
        return Mode(target, "--live given")
    return Mode(target, "--base-url given" if base_url else "a task id given")


def _replay_command(
    mode: Mode,
    options: Options,
    generations: Sequence[Generation],
    bound: int | None = None,
    own_tasks: Sequence[str] = (),
    unlimited: bool = False,
    families: str | None = None,
) -> str:
    """A command that repeats this run (tokens stay in the environment); a task the run
    created is named, so that a replay does not create (and pay for) another."""
    words = ["kling-contract", "--seed", str(options.seed)]
    words += ["--max-examples", str(options.max_examples)]
    if options.max_failures is not None:
        words += ["--max-failures", str(options.max_failures)]
    if unlimited:
        words += ["--max-tasks", UNLIMITED]
    elif bound is not None:
        # The replay reuses the tasks this run created, and may create the rest.
        words += ["--max-tasks", str(bound - len(own_tasks))]
    if families is not None:
        words += ["--families", ",".join(parse_families(families))]
    if mode.live is None:
        words += ["--emulator", "--generations", ",".join(g.value for g in generations)]
    else:
        words += ["--base-url", mode.live.base_url]
        for task_id in (*mode.live.task_ids, *own_tasks):
            words += ["--task-id", task_id]
        if mode.live.allow_create:
            words.append("--allow-create")
        if mode.live.models != MODELS:
            words += ["--models", ",".join(mode.live.models)]
    return shlex.join(words)


def _generations(value: str) -> list[Generation]:
    try:
        return [Generation(g.strip()) for g in value.split(",") if g.strip()]
    except ValueError:
        raise click.BadParameter(
            "a comma-separated list of A, B and C", param_hint="--generations"
        ) from None


@click.command(
    context_settings={"help_option_names": ["-h", "--help"]},
    help=__doc__
    + exit_codes.table(no="a contract failure (drift too, with --fail-on-drift)"),
)
@click.option("--base-url", help="The live gateway (else KLING_BASE_URL, see above).")
@click.option(
    "--task-id",
    "task_ids",
    multiple=True,
    help="An existing image2video task of the token's user (repeatable; else KLING_TASK_ID).",
)
@click.option("--emulator", is_flag=True, help="Check the embedded emulator.")
@click.option(
    "--live",
    is_flag=True,
    help="Check the live gateway at KLING_BASE_URL; a missing setting then fails the run.",
)
@click.option(
    "--allow-create",
    is_flag=True,
    envvar="KLING_ALLOW_CREATE",
    help="Allow submitting tasks on a live gateway (costs money).",
)
@click.option(
    "--max-tasks",
    type=TaskCount(),
    envvar="KLING_CONTRACT_MAX_TASKS",
    help=f"With --allow-create: create at most this many tasks per run (default "
    f"{DEFAULT_MAX_TASKS} on a live gateway; '{UNLIMITED}' for no bound: 556 to 839 "
    "tasks at 100 examples and the default seed, on the emulator's generations).",
)
@click.option(
    "--families",
    envvar="KLING_CONTRACT_FAMILIES",
    help="Route families to check, comma-separated: "
    + ", ".join(FAMILIES)
    + " (default: all; a family the gateway does not serve is then reported as not "
    "served, not failed; one named here and not served is a failure).",
)
@click.option(
    "--models",
    envvar="KLING_CONTRACT_MODELS",
    help="Comma-separated models the gateway has a channel for; submits name these (default: Kling's models).",
)
@click.option(
    "--generations",
    default="A,B,C",
    envvar="KLING_EMULATOR_GENERATIONS",
    show_default=True,
    help="Emulator generations to check.",
)
@click.option(
    "--seed",
    type=int,
    default=20261124,
    envvar="KLING_CONTRACT_SEED",
    show_default=True,
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=100,
    envvar="KLING_CONTRACT_MAX_EXAMPLES",
    show_default=True,
)
@click.option(
    "--max-failures",
    type=click.IntRange(min=1),
    envvar="KLING_CONTRACT_MAX_FAILURES",
    help="Stop each run after this many failures (default: run every phase to the end).",
)
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/contract"),
    show_default=True,
    help="Folder for <run>/junit.xml, report.json, drift.json.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=1800.0,
    show_default=True,
    help="Seconds one schemathesis run may take.",
)
@click.option(
    "--fail-on-drift",
    is_flag=True,
    envvar="KLING_CONTRACT_FAIL_ON_DRIFT",
    help="Exit 1 when drift is found.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Report what changed since this stored shape.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Store the observed shape here.",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append a Markdown summary here (default: GITHUB_STEP_SUMMARY, when set).",
)
@click.pass_obj
def command(
    env: Mapping[str, str],
    base_url: str | None,
    task_ids: tuple[str, ...],
    emulator: bool,
    live: bool,
    allow_create: bool,
    max_tasks: int | str | None,
    families: str | None,
    models: str | None,
    generations: str,
    seed: int,
    max_examples: int,
    max_failures: int | None,
    reports: Path,
    timeout: float,
    fail_on_drift: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    summary: Path | None,
) -> int:
    chosen = _generations(generations)
    try:
        families_asked = parse_families(families) if families else FAMILIES
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--families") from None
    options = Options(
        seed=seed,
        max_examples=max_examples,
        max_failures=max_failures,
        reports=reports,
        timeout=timeout,
        fail_on_drift=fail_on_drift,
        baseline=baseline,
        write_baseline=write_baseline,
    )
    try:
        mode = choose_mode(
            env,
            base_url=base_url,
            task_ids=task_ids,
            emulator=emulator,
            live=live,
            allow_create=allow_create,
            max_tasks=max_tasks,
            models=[m.strip() for m in models.split(",")] if models else MODELS,
            families=families_asked,
            families_explicit=families is not None,
        )
    except TargetError as exc:
        click.echo(f"contract: cannot run: {exc}", err=True)
        return int(exc.code)
    results: list[RunResult] = []
    if mode.live is not None:
        click.echo(f"mode: live gateway at {mode.live.base_url} ({mode.reason})")
        results.append(run_target(mode.live, options))
    else:
        click.echo(
            f"mode: embedded emulator, generations {generations} ({mode.reason})"
        )
        for generation in chosen:
            with emulator_target(
                generation,
                task_bound(max_tasks, live_allow_create=False),
                families_asked,
                families_explicit=families is not None,
            ) as target:
                results.append(run_target(target, options))
    code = overall_exit_code(results)
    builtins = (
        f", and every built-in schemathesis check but {', '.join(DISABLED_BUILTINS)}"
    )
    own_tasks = [r.own_task for r in results if r.own_task]
    bound = (
        mode.live.max_tasks
        if mode.live is not None
        else task_bound(max_tasks, live_allow_create=False)
    )
    replay = _replay_command(
        mode, options, chosen, bound, own_tasks, max_tasks == UNLIMITED, families
    )
    click.echo("\n=== contract summary")
    click.echo(f"checks: {len(CUSTOM_CHECKS)} custom{builtins}")
    for result in results:
        click.echo(describe(result))
    click.echo(f"reports: {reports}/<run>/junit.xml, report.json, drift.json")
    click.echo(f"replay: {replay}")
    summary_file = summary or (
        Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None
    )
    if summary_file is not None:
        # Appended: GitHub collects every step's summary in one file.
        with summary_file.open("a", encoding="utf-8") as out:
            out.write(markdown(results, CUSTOM_CHECKS, replay, builtins))
    click.echo(f"contract: {tally(results)}")
    click.echo(f"contract: exit {code} ({EXIT_MEANING[code]})")
    return code


def main(
    argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> int:
    """Run `kling-contract` and return its exit code (never a traceback for bad input)."""
    try:
        code = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="kling-contract",
            standalone_mode=False,
            obj=os.environ if env is None else env,
        )
    except click.exceptions.Exit as exc:  # --help
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.Abort:
        click.echo("contract: interrupted", err=True)
        return 130
    return int(code)
