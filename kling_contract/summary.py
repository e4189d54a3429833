"""The run's Markdown summary, for a CI page (GitHub's GITHUB_STEP_SUMMARY, or --summary)."""

from __future__ import annotations

from collections.abc import Sequence

from .runner import RunResult

VERDICTS = {0: "passed", 1: "**FAILED**"}


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
        failures = report.get("failures", [])
        verdict = VERDICTS.get(result.exit_code, "**not tested**")
        lines.append(
            f"| {result.label} | {verdict} | {report.get('test_cases', {}).get('generated', 0)}"
            f" | {sum(f['count'] for f in failures)} | {len(report.get('errors', []))}"
            f" | {len(result.drift)} | {result.tasks_created} |"
        )
    for result in results:
        details = [
            f"- {f['code']} {f['title']} x{f['count']}"
            for f in result.report.get("failures", [])
        ]
        details += [f"- {item.line()}" for item in result.drift]
        if result.problem:
            details.insert(0, f"- {result.problem}")
        if details:
            lines += ["", f"### {result.label}", "", *details]
    lines += ["", "Replay:", "", "```sh", replay, "```", ""]
    return "\n".join(lines)
