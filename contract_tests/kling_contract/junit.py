"""JUnit XML for CI systems: one suite per run, named after it, even when nothing was tested.

schemathesis writes the cases it ran; this adds what CI must also show: why a run tested
nothing (a failing case), and the drift found (one case per item: skipped by default, so that
CI lists it without failing, failed with --fail-on-drift).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import attrs

from .drift import DriftItem
from .served import Families

SUITE_PREFIX = "kling-contract"
# schemathesis masks the token in its curl lines; a line with the variable instead runs as it
# is pasted, in the environment the run had.
_MASKED_AUTHORIZATION = "-H 'Authorization: [Filtered]'"
_AUTHORIZATION_FROM_ENV = '-H "Authorization: Bearer $KLING_API_TOKEN"'
# A failed check starts an unindented "- " line; its first indented line says what was wrong.
_CHECK_LINE = re.compile(r"^- (.+)$")


@attrs.frozen
class FailedCase:
    """One failing case: the operation, the checks it failed, the curl line that repeats it."""

    operation: str
    checks: tuple[str, ...]
    curl: str


def _checks_in(lines: list[str]) -> tuple[str, ...]:
    checks = []
    for index, line in enumerate(lines):
        found = _CHECK_LINE.match(line)
        if found is None:
            continue
        detail = next((n.strip() for n in lines[index + 1 :] if n.strip()), "")
        said = found.group(1)
        # The detail is the first indented line, when there is one before the next check.
        if detail and not detail.startswith("- ") and len(detail) <= 200:
            said = f"{said}: {detail}"
        checks.append(said)
    return tuple(checks)


def runnable_curl(line: str) -> str:
    """A curl line that runs as pasted: the token from KLING_API_TOKEN, not schemathesis's mask."""
    return line.replace(_MASKED_AUTHORIZATION, _AUTHORIZATION_FROM_ENV)


def failed_cases(path: Path) -> list[FailedCase]:
    """The failing cases of a run's JUnit file (schemathesis writes each with its text)."""
    if not path.is_file():
        return []
    cases = []
    for case in ET.parse(path).getroot().iter("testcase"):
        failure = case.find("failure")
        if failure is None or case.get("classname", "").endswith(".drift"):
            continue
        lines = (failure.text or failure.get("message") or "").splitlines()
        checks = _checks_in(lines)
        curl = next(
            (line.strip() for line in lines if line.strip().startswith("curl ")), ""
        )
        cases.append(
            FailedCase(
                case.get("name", "?"),
                checks or (failure.get("message") or "failure",),
                runnable_curl(curl),
            )
        )
    return cases


def _counts(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
    suite.set("errors", str(sum(c.find("error") is not None for c in cases)))


def write(
    path: Path,
    label: str,
    *,
    problem: str = "",
    drift: Sequence[DriftItem] = (),
    fail_on_drift: bool = False,
    families: Families | None = None,
) -> None:
    """Rewrite (or create) the run's JUnit file with its suite name, problem and drift."""
    if path.is_file():
        root = ET.parse(path).getroot()
    else:
        root = ET.Element("testsuites")
    suite = root.find("testsuite")
    if suite is None:
        suite = ET.SubElement(root, "testsuite")
    suite.set("name", f"{SUITE_PREFIX}/{label}")
    # CI pages group test cases by class: each case names its run.
    for case in suite.findall("testcase"):
        case.set("classname", case.get("classname") or f"{SUITE_PREFIX}.{label}")
    if problem:
        case = ET.SubElement(
            suite,
            "testcase",
            name="the gateway can be tested",
            classname=f"{SUITE_PREFIX}.{label}",
        )
        ET.SubElement(case, "failure", message=problem).text = problem
    if families is not None:
        _family_cases(suite, families)
    properties = suite.find("properties")
    if properties is None:
        properties = ET.Element("properties")
        suite.insert(0, properties)
    ET.SubElement(properties, "property", name="drift-items", value=str(len(drift)))
    for item in drift:
        case = ET.SubElement(
            suite, "testcase", name=item.line(), classname=f"{SUITE_PREFIX}.drift"
        )
        ET.SubElement(
            case, "failure" if fail_on_drift else "skipped", message=item.line()
        )
    _counts(suite)
    for name in ("tests", "failures", "skipped", "errors"):
        root.set(name, suite.get(name, "0"))
    ET.indent(root)
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _family_cases(suite: ET.Element, families: Families) -> None:
    """A family the gateway does not serve: skipped, naming it, or failed when asked for by
    name."""
    for not_served in families.not_served:
        case = ET.SubElement(
            suite,
            "testcase",
            name=f"route family {not_served.family}",
            classname=f"{SUITE_PREFIX}.families",
        )
        if families.explicit:
            message = f"asked for with --families, not served: {not_served.evidence}"
            ET.SubElement(case, "failure", message=message).text = message
        else:
            message = (
                f"not served by this gateway ({not_served.evidence}); "
                f"{families.skip_hint()} skips it"
            )
            ET.SubElement(case, "skipped", message=message)
