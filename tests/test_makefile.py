"""The Makefile's own help: every documented target is listed, whatever its name."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from .conftest import ROOT


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_documented_target() -> None:
    makefile = (ROOT / "Makefile").read_text()
    documented = re.findall(r"^([^\s:#=]+):.*## ", makefile, flags=re.MULTILINE)
    assert {"e2e", "test", "help"} <= set(documented)
    listed = subprocess.run(
        ["make", "--no-print-directory", "-s", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    shown = [line.split()[0] for line in listed.splitlines() if line.strip()]
    assert shown == documented


def _dry_run(target: str) -> str:
    return subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()[-1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_property_tests_draw_a_share_in_test_and_all_their_examples_in_e2e() -> (
    None
):
    quick, full = _dry_run("test"), _dry_run("e2e")
    assert "KLING_TEST_EXAMPLE_SHARE=0.25 " in quick and '-m "not e2e"' in quick
    assert "KLING_TEST_EXAMPLE_SHARE=1 " in full and '-m "e2e or properties"' in full
