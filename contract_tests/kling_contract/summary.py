"""The run's Markdown summary, for a CI page (GitHub's GITHUB_STEP_SUMMARY, or --summary)."""

from __future__ import annotations

from collections.abc import Sequence

from .runner import RunResult

VERDICTS = {"PASSED": "passed", "FAILED": "**FAILED**", "NOT TESTED": "**not tested**"}


def tally(results: Sequence[RunResult]) -> str:
    """How the runs ended, each counted once: `2 passed, 1 failed, 1 not tested`."""
    counts = {verdict: 0 for verdict in VERDICTS}
    for result in results:
        counts[result.verdict] += 1
    return ", ".join(f"{count} {verdict.lower()}" for verdict, count in counts.items())


def markdown(
    results: Sequence[RunResult],
    checks: Sequence[str],
    replay: str,
    also_checked: str = "",
) -> str:
    """Each run's verdict and figures, its failures (operation, checks, the curl line) and
    drift, what was checked (folded away), and the line that replays the run. Built from the
    results only: never a token (curl lines read it from KLING_API_TOKEN)."""
    lines = [
        "## Kling gateway contract checks",
        "",
        f"{tally(results)}.",
        "",
        "| run | verdict | cases | failures | errors | drift | tasks created |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        report = result.report
        cases = report.get("test_cases", {}).get("generated", 0)
        failures = sum(f["count"] for f in report.get("failures", []))
        lines.append(
            f"| {result.label} | {VERDICTS[result.verdict]} | {cases}"
            f" | {failures} | {len(report.get('errors', []))}"
            f" | {len(result.drift)} | {result.tasks_created} |"
        )
    for result in results:
        details = [f"- {result.problem}"] if result.problem else []
        if result.generation:
            details.append(
                f"- generation {result.generation} ({result.generation_evidence})"
            )
        if result.families is not None:
            details += [f"- {line.strip()}" for line in result.families.lines()]
            details += [f"- **FAILED**: {line}" for line in result.families.failures]
        for case in result.failed_cases:
            if case.operation.startswith("route family "):
                continue  # said above
            details.append(f"- `{case.operation}`: {'; '.join(case.checks)}")
            if case.curl:
                details += ["", "  ```sh", f"  {case.curl}", "  ```"]
        if not result.failed_cases:
            details += [f"- {failure}" for failure in result.failures]
        details += [f"- {item.line()}" for item in result.drift]
        if details:
            lines += ["", f"### {result.label}", "", *details]
    lines += [
        "",
        f"<details><summary>What was checked: {len(checks)} of the gateway's "
        + f"promises{also_checked}</summary>",
        "",
        *(f"- `{name}`" for name in checks),
        "",
        "</details>",
        "",
        "Replay:",
        "",
        "```sh",
        replay,
        "```",
        "",
    ]
    return "\n".join(lines)
