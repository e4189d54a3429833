"""JUnit XML for CI systems: one suite per run, named after it, even when nothing was tested.

schemathesis writes the cases it ran; this adds what CI must also show: why a run tested
nothing (a failing case), and the drift found (one case per item: skipped by default, so that
CI lists it without failing, failed with --fail-on-drift).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from .drift import DriftItem

SUITE_PREFIX = "kling-contract"


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
    if problem:
        case = ET.SubElement(suite, "testcase", name="the gateway can be tested")
        ET.SubElement(case, "failure", message=problem).text = problem
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
