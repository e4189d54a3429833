"""The CI page a run leaves: each failure with its operation and a curl line that runs where it
is pasted, JUnit cases a CI system can group, verdicts counted as they are."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kling_common.generation import Generation
from kling_contract import junit
from kling_contract.drift import Answer, DriftItem, Shape, against_spec, observe
from kling_contract.runner import RunResult
from kling_contract.spec import load_spec
from kling_contract.summary import markdown, tally

# A failing case as schemathesis writes it in junit.xml (its layout, values of our own).
SCHEMATHESIS_JUNIT = """<?xml version='1.0' encoding='utf-8'?>
<testsuites errors="0" failures="1" skipped="0" tests="2" time="1.0">
  <testsuite name="schemathesis" errors="0" failures="1" skipped="0" tests="2" time="1.0">
    <testcase name="POST /kling/v1/videos/image2video" time="0.2" />
    <testcase name="GET /kling/v1/videos/image2video/{task_id}" time="0.1">
      <failure type="failure" message="ST108">1. Test Case ID: T6Anzf

- ST108 Response violates schema

    30 is not of type "string"

    Validated against the response schema for status code 200.

- Custom check failed: `status_and_progress_agree`

    SUCCESS with progress 30

[200] OK:

    `{"code": "success"}`

Reproduce with:

    curl -X GET -H 'Authorization: [Filtered]' http://127.0.0.1:1/kling/v1/videos/image2video/task_x</failure>
    </testcase>
  </testsuite>
</testsuites>
"""


def written_junit(tmp_path: Path, **kwargs: object) -> Path:
    path = tmp_path / "junit.xml"
    path.write_text(SCHEMATHESIS_JUNIT)
    junit.write(path, "live", **kwargs)  # type: ignore[arg-type]
    return path


def test_every_junit_case_names_its_run_as_its_class(tmp_path: Path) -> None:
    drift = (DriftItem("never seen", "GET /v1/videos/{task_id} 200", "seconds"),)
    path = written_junit(tmp_path, problem="no answer", drift=drift)
    cases = list(ET.parse(path).getroot().iter("testcase"))
    assert len(cases) == 4
    assert {case.get("classname") for case in cases} == {
        "kling-contract.live",
        "kling-contract.drift",
    }
    assert all(case.get("classname") for case in cases)


def test_a_failing_case_gives_its_operation_checks_and_a_curl_line_that_runs(
    tmp_path: Path,
) -> None:
    (case,) = junit.failed_cases(written_junit(tmp_path))
    assert case.operation == "GET /kling/v1/videos/image2video/{task_id}"
    assert case.checks == (
        'ST108 Response violates schema: 30 is not of type "string"',
        "Custom check failed: `status_and_progress_agree`: SUCCESS with progress 30",
    )
    assert case.curl == (
        'curl -X GET -H "Authorization: Bearer $KLING_API_TOKEN" '
        "http://127.0.0.1:1/kling/v1/videos/image2video/task_x"
    )


def test_the_markdown_shows_failures_where_and_how_and_folds_the_check_list(
    tmp_path: Path,
) -> None:
    failed = RunResult(
        "live",
        1,
        {"test_cases": {"generated": 12}, "failures": [{"count": 2}]},
        failed_cases=tuple(junit.failed_cases(written_junit(tmp_path))),
    )
    checks = ("task_is_the_one_asked_for", "status_and_progress_agree")
    page = markdown([failed], checks, "kling-contract --seed 1", ", and more")
    assert "0 passed, 1 failed, 0 not tested." in page
    assert "| live | **FAILED** | 12 | 2 |" in page
    assert (
        "- `GET /kling/v1/videos/image2video/{task_id}`: ST108 Response violates schema"
        in page
    )
    assert '  curl -X GET -H "Authorization: Bearer $KLING_API_TOKEN" http' in page
    folded = page.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "2 of the gateway's promises, and more" in folded
    assert "- `task_is_the_one_asked_for`" in folded
    assert "task_is_the_one_asked_for" not in page.replace(folded, "")


def test_a_run_that_tested_nothing_is_counted_as_not_tested() -> None:
    runs = [
        RunResult("A", 0),
        RunResult("B", 2, problem="unreachable"),
        RunResult("C", 1),
    ]
    assert tally(runs) == "1 passed, 1 failed, 1 not tested"
    assert tally(runs[1:2]) == "0 passed, 0 failed, 1 not tested"


def test_a_video_not_yet_made_or_failed_is_no_drift() -> None:
    """`seconds` and `metadata` come once a video exists and `error` only when Kling failed
    the task: a run that read only running videos on /v1/videos has not seen them go
    missing."""
    spec = load_spec()
    answer = "GET /v1/videos/{task_id} 200"
    documented = Answer.of(spec, "/v1/videos/{task_id}", "get", "200")
    running = {
        "id": "task_x",
        "object": "video",
        "model": "",
        "status": "in_progress",
        "progress": 30,
        "created_at": 1796538617000,
        "completed_at": 1796538617000,
    }
    shape = Shape()
    shape.add(observe(documented, answer, {}, running))
    never_seen = {
        item.path
        for item in against_spec(spec, shape, Generation.B)
        if item.kind == "never seen"
    }
    assert not never_seen & {"seconds", "error", "metadata"}, never_seen


def test_a_task_created_without_an_external_id_is_no_drift() -> None:
    """Kling's stored answer names `task_info.external_task_id` only when one was given."""
    spec = load_spec()
    answer = "GET /kling/v1/videos/image2video/{task_id} 200"
    documented = Answer.of(spec, "/kling/v1/videos/image2video/{task_id}", "get", "200")
    body = copy.deepcopy(
        spec["components"]["responses"]["TaskFound"]["content"]["application/json"][
            "examples"
        ]["generationBSubmitted"]["value"]
    )
    body["data"]["data"]["data"]["task_info"] = {}
    shape = Shape()
    shape.add(observe(documented, answer, {}, body))
    never_seen = [
        item.line()
        for item in against_spec(spec, shape, Generation.B)
        if "external_task_id" in item.path
    ]
    assert never_seen == []


def test_the_consoles_curl_lines_run_as_pasted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """schemathesis prints its curl lines with the token masked; the run passes them on with
    the token read from KLING_API_TOKEN, as the summary's lines have it."""
    import sys

    from kling_contract.runner import _run_redacted

    line = "curl -X GET -H 'Authorization: [Filtered]' http://127.0.0.1:1/kling/v1/x"
    command = [sys.executable, "-c", f"print({line!r})"]
    assert _run_redacted(command, {}, tmp_path, timeout=60) == 0
    printed = capsys.readouterr().out
    assert "[Filtered]" not in printed
    assert '-H "Authorization: Bearer $KLING_API_TOKEN"' in printed
