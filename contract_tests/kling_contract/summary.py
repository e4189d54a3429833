"""The run's Markdown summary, for a CI page (GitHub's GITHUB_STEP_SUMMARY, or --summary)."""

from __future__ import annotations

from collections.abc import Sequence

from .runner import RunResult

VERDICTS = {"PASSED": "passed", "FAILED": "**FAILED**", "NOT TESTED": "**not tested**"}


def markdown(results: Sequence[RunResult], checks: str, replay: str) -> str:
    """What was checked, each run's verdict and figures, its failures and drift, and the
    line that replays the run. Built from the results only: never a token."""
    lines = [
        "## Kling gateway contract checks",
        "",
        f"Checks: {checks}",
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
        notes = [result.problem, *result.failures, *(i.line() for i in result.drift)]
        details = [f"- {note}" for note in notes if note]
        if details:
            lines += ["", f"### {result.label}", "", *details]
    lines += ["", "Replay:", "", "```sh", replay, "```", ""]
    return "\n".join(lines)
