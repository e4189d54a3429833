"""The import graph reads one way: the products (the client, the emulator, the Kling
stand-in, the contract suite) stand on one floor of shared facts (`kling_common`) and on the
generated client; nothing imports upward, and nothing imports in a circle."""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "kling_gateway_api": ROOT / "generated" / "kling_gateway_api",
    "kling_common": ROOT / "common" / "kling_common",
    "kling_gateway": ROOT / "client" / "kling_gateway",
    "kling_upstream": ROOT / "emulator" / "kling_upstream",
    "kling_emulator": ROOT / "emulator" / "kling_emulator",
    "kling_contract": ROOT / "contract_tests" / "kling_contract",
}
# What each package may import of the project's own. The contract suite runs the embedded
# emulator and asks gateways through the client: it is the top floor.
ALLOWED = {
    "kling_gateway_api": set(),
    "kling_common": set(),
    "kling_gateway": {"kling_gateway_api", "kling_common"},
    "kling_upstream": {"kling_common"},
    "kling_emulator": {"kling_common"},
    "kling_contract": {
        "kling_common",
        "kling_emulator",
        "kling_gateway",
        "kling_gateway_api",
    },
}


def imports_of(package: str) -> dict[str, set[str]]:
    """The project's packages each module of `package` imports: {module path: packages}."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGES[package].rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = (names & set(PACKAGES)) - {package}
    return found


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_a_package_imports_only_the_floors_below_it(package: str) -> None:
    for module, imported in imports_of(package).items():
        assert imported <= ALLOWED[package], (module, imported - ALLOWED[package])


def test_the_allowed_imports_have_no_cycle() -> None:
    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in ALLOWED[start]
        )

    assert not [p for p in ALLOWED if reaches(p, p)]


def test_every_root_is_a_role_holding_its_package() -> None:
    for package, folder in PACKAGES.items():
        assert folder.parent.parent == ROOT and folder.name == package, folder


def test_the_spec_exists_once_and_the_contract_package_links_to_it() -> None:
    packaged = PACKAGES["kling_contract"] / "openapi.yaml"
    assert packaged.is_symlink()
    assert packaged.resolve() == ROOT / "openapi.yaml"
    # Build and virtual-environment folders hold copies of their own: ask git for the tree.
    tracked = subprocess.run(
        ["git", "ls-files", "-s", "--", "*openapi.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    files = [
        name
        for mode_and_name in tracked
        if not mode_and_name.startswith("120000")  # a link
        and (name := mode_and_name.split("\t")[1]).rsplit("/", 1)[-1] == "openapi.yaml"
    ]
    assert files == ["openapi.yaml"]


def _third_party_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_library_imports_no_cli_or_server_library() -> None:
    """A plain install has only what the library needs: outside the `kling` CLI (the cli
    extra), no module of the client, the generated client or the floor modules the client
    uses imports the CLI's libraries or any server's. (httpx imports click and rich itself
    when they are installed, for its own CLI: so this is read from the source.)"""
    extras = {"click", "rich", "starlette", "uvicorn", "jwt", "yaml", "schemathesis"}
    modules = [
        *PACKAGES["kling_gateway"].glob("*.py"),
        *PACKAGES["kling_gateway_api"].rglob("*.py"),
        *(
            PACKAGES["kling_common"] / f"{m}.py"
            for m in ("wire", "generation", "launcher")
        ),
    ]
    for path in modules:
        if path.name == "cli.py" or path.name.endswith("_cli.py"):  # the CLI's commands
            continue
        assert not _third_party_imports(path) & extras, path


def test_a_missing_extra_is_named_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kling_common.launcher import run_with_extra
    from kling_gateway._entry import CLI_MODULES

    def load() -> Callable[[], None]:
        raise ModuleNotFoundError("No module named 'rich'", name="rich")

    with pytest.raises(SystemExit) as stopped:
        run_with_extra("kling", "cli", CLI_MODULES, load)
    assert stopped.value.code == 2  # a usage error: nothing was sent
    assert capsys.readouterr().err == (
        "kling needs the cli extra (rich is missing): pip install 'kling-gateway[cli]'\n"
    )


def test_a_missing_dependency_of_an_extra_is_named_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """click comes with the cli and emulator extras: an install without either names the
    extra, with no traceback."""
    from kling_common.launcher import EMULATOR_MODULES, run_with_extra

    def load() -> Callable[[], None]:
        raise ModuleNotFoundError("No module named 'yaml'", name="yaml")

    with pytest.raises(SystemExit) as stopped:
        run_with_extra("kling-compare", "contract", EMULATOR_MODULES, load)
    assert stopped.value.code == 2
    assert "kling-compare needs the contract extra (yaml is missing)" in (
        capsys.readouterr().err
    )

    def broken() -> Callable[[], None]:
        raise ModuleNotFoundError(
            "No module named 'kling_common.x'", name="kling_common.x"
        )

    with pytest.raises(ModuleNotFoundError):
        run_with_extra("kling", "cli", EMULATOR_MODULES, broken)
