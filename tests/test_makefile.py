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
