"""Regenerate generated/kling_gateway_api from openapi.yaml, or check that it is up to date.

The contract checks ship the spec inside their package (an installed `kling-contract` has no
repository to read it from). The tree holds it once: contract_tests/kling_contract/openapi.yaml
is a link to openapi.yaml, which the build copies into the wheel; --check fails when the link
is gone or points elsewhere.

openapi-python-client's --overwrite only replaces api/ and models/, so a file the spec no longer
produces would survive. We generate into a fresh temporary folder and make generated/ an exact
copy of it instead; --check compares the two and prints a unified diff.

Two of the pinned generator's own templates are used with small additions (`templates()`): a
model's `repr` shows the fields it has and cuts long values (the attrs repr of a finished task
was 1,775 characters, with `<...Unset object at 0x...>` for every absent field), and `Unset`
reads `UNSET`. Each addition is made at an anchor of the template; a generator whose template
lacks one stops the generation, so that an upgrade cannot silently drop them.

The generator reads the spec with its request bodies cut to JSON: openapi-python-client 0.29.1
turns a body with several content types into code that does not type-check (`Unset` undefined)
and that sends a form body as both urlencoded and multipart. The client sends JSON; the form
and multipart bodies stay in the spec for the contract checks and the emulator.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import importlib.resources
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
CONFIG = ROOT / "generator-config.yaml"
PACKAGE = "kling_gateway_api"
TARGET = ROOT / "generated" / PACKAGE
SPEC_LINK = ROOT / "contract_tests" / "kling_contract" / "openapi.yaml"


def generator_input(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as the generator reads it: every request body JSON only."""
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content")
            if isinstance(content, dict) and "application/json" in content:
                for media_type in [m for m in content if m != "application/json"]:
                    del content[media_type]
    return spec


# (template, anchor, where, text): each text goes "before" or "after" its anchor, which must be
# in the template once.
TEMPLATE_ADDITIONS = (
    (
        "model.py.jinja",
        "\n{% macro _transform_property",
        "before",
        "\n    def __repr__(self) -> str:\n        return _short_repr(self)\n",
    ),
    (
        "model.py.jinja",
        "from attrs import field as _attrs_field",
        "after",
        "\n\nfrom ..types import short_repr as _short_repr",
    ),
    (
        "types.py.jinja",
        "\n\nUNSET: Unset = Unset()",
        "before",
        '\n\n    def __repr__(self) -> str:\n        return "UNSET"',
    ),
    (
        "types.py.jinja",
        "from attrs import define",
        "after",
        ", fields\nfrom attrs import AttrsInstance\nfrom enum import Enum",
    ),
    (
        "types.py.jinja",
        "\n\n__all__ = [",
        "before",
        '''

def short_repr(model: AttrsInstance) -> str:
    """A model by the fields it has: none that is UNSET, no empty bag of further properties,
    and each value cut to 80 characters (a nested model shows itself the same way)."""
    shown: list[str] = []
    for field in fields(type(model)):
        value = getattr(model, field.name)
        if isinstance(value, Unset) or (field.name == "additional_properties" and not value):
            continue
        text = repr(value.value if isinstance(value, Enum) else value)
        shown.append(f"{field.name}={text if len(text) <= 80 else text[:77] + '...'}")
    return f"{type(model).__name__}({', '.join(shown)})"
''',
    ),
)


def templates(folder: Path) -> Path:
    """The templates that differ from the generator's own: its own with TEMPLATE_ADDITIONS."""
    own = importlib.resources.files("openapi_python_client") / "templates"
    out = folder / "templates"
    out.mkdir()
    for name in sorted({name for name, _, _, _ in TEMPLATE_ADDITIONS}):
        text = (own / name).read_text(encoding="utf-8")
        for template, anchor, where, addition in TEMPLATE_ADDITIONS:
            if template != name:
                continue
            if text.count(anchor) != 1:
                raise SystemExit(f"{name}: the anchor {anchor!r} is not there once")
            at = text.index(anchor) + (len(anchor) if where == "after" else 0)
            text = text[:at] + addition + text[at:]
        (out / name).write_text(text, encoding="utf-8")
    return out


def generate_into(folder: Path) -> Path:
    out = folder / PACKAGE
    spec = generator_input(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    spec_path = folder / "openapi.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ)
    # The post hooks call `ruff`: use the pinned one next to this interpreter.
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    cmd = [
        str(bin_dir / "openapi-python-client"),
        "generate",
        "--path",
        str(spec_path),
        "--config",
        str(CONFIG),
        "--meta",
        "none",
        "--output-path",
        str(out),
        "--custom-template-path",
        str(templates(folder)),
        "--fail-on-warning",
    ]
    result = subprocess.run(
        cmd, check=False, cwd=folder, env=env, capture_output=True, text=True
    )
    if result.returncode != 0 or not out.is_dir():
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit("openapi-python-client failed")
    # --meta none writes no py.typed marker; the package is typed, so ship one (PEP 561).
    (out / "py.typed").write_text("")
    return out


def files_of(folder: Path) -> set[Path]:
    return {
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def diff(fresh: Path, current: Path) -> list[str]:
    lines: list[str] = []
    fresh_files, current_files = (
        files_of(fresh),
        files_of(current) if current.is_dir() else set(),
    )
    for rel in sorted(fresh_files | current_files):
        a, b = current / rel, fresh / rel
        if a.is_file() and b.is_file() and filecmp.cmp(a, b, shallow=False):
            continue
        old = (
            a.read_text(errors="replace").splitlines(keepends=True)
            if a.is_file()
            else []
        )
        new = (
            b.read_text(errors="replace").splitlines(keepends=True)
            if b.is_file()
            else []
        )
        lines += difflib.unified_diff(
            old, new, f"generated/{PACKAGE}/{rel}", f"fresh/{PACKAGE}/{rel}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="fail if generated/ is stale"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate_into(Path(tmp))
        if args.check:
            lines = diff(fresh, TARGET)
            if not SPEC_LINK.is_symlink() or SPEC_LINK.resolve() != SPEC:
                lines.append(
                    f"{SPEC_LINK.relative_to(ROOT)} is not a link to openapi.yaml\n"
                )
            if lines:
                sys.stdout.writelines(lines)
                print(
                    "\ngenerated/ differs from what openapi.yaml produces: run `make generate`."
                )
                return 1
            print("generated/ matches openapi.yaml")
            return 0
        if TARGET.exists():
            shutil.rmtree(TARGET)
        shutil.copytree(fresh, TARGET, ignore=shutil.ignore_patterns("__pycache__"))
        print(f"generated {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
