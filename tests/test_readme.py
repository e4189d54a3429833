"""The README and the docs/ pages: their examples run, unchanged but for the gateway they
point at, against the emulator; the README stays a first hour's reading, its map of the tree
and its links stay true, and its "try it locally" path works with what it installs."""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from click.testing import CliRunner

from kling_common.generation import Generation
from kling_common.launcher import EMULATOR_MODULES
from kling_contract.entry import CONTRACT_MODULES
from kling_emulator.__main__ import main as emulator_main
from kling_emulator.config import EmulatorConfig, Faults, Lifecycle
from kling_emulator.server import EmulatorServer
from kling_gateway._entry import CLI_MODULES
from kling_gateway.cli import main

from .conftest import ROOT, TOKEN_1, make_config, use_gateway

README_PATH = ROOT / "README.md"
README = README_PATH.read_text()
# The README first, then the reference pages it links to.
PAGES = [README_PATH, *sorted((ROOT / "docs").glob("*.md"))]
TEXTS = {path.relative_to(ROOT).as_posix(): path.read_text() for path in PAGES}
# docs/batch.md's examples need the jobs file and images they show, and a batch's journal
# beside its videos: tests/client/test_batch_docs.py runs them with those.
RUN_HERE = {name: text for name, text in TEXTS.items() if name != "docs/batch.md"}
PYTHON_BLOCKS = [
    (name, index, block)
    for name, text in RUN_HERE.items()
    for index, block in enumerate(re.findall(r"```python\n(.*?)```", text, re.DOTALL))
]
CLI_LINES = [
    line.removeprefix("$ ")
    for text in RUN_HERE.values()
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL)
    for line in block.splitlines()
    if line.startswith("$ kling ")
]
PLACEHOLDER_URL = "https://your-gateway.example"
MAX_WORDS = 2000
MAX_PARAGRAPH_WORDS = 150
# The modules each console script needs beyond the library (what its launcher checks).
SCRIPT_MODULES = {
    "kling": CLI_MODULES,
    "kling-emulator": EMULATOR_MODULES,
    "kling-contract": CONTRACT_MODULES,
}


@pytest.fixture(scope="module", params=["A", "B", "C"])
def readme_gateway(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """A gateway of each generation; Retry-After 0 keeps retries quick."""
    config = make_config(
        generation=Generation(request.param), faults=Faults(retry_after=0)
    )
    with EmulatorServer(config) as server:
        yield server


@pytest.fixture
def in_gateway_env(
    readme_gateway: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> EmulatorServer:
    use_gateway(readme_gateway, monkeypatch, tmp_path)
    return readme_gateway


def test_the_pages_have_examples() -> None:
    readme_blocks = [block for name, _, block in PYTHON_BLOCKS if name == "README.md"]
    assert readme_blocks and len(PYTHON_BLOCKS) >= 4 and len(CLI_LINES) >= 4


@pytest.mark.parametrize(
    ("page", "index", "block"),
    PYTHON_BLOCKS,
    ids=[f"{name}:{index}" for name, index, _ in PYTHON_BLOCKS],
)
def test_python_example_runs(
    in_gateway_env: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    page: str,
    index: int,
    block: str,
) -> None:
    generation = in_gateway_env.config.generation
    code = (
        block.replace(PLACEHOLDER_URL, in_gateway_env.base_url)
        .replace('"sk-..."', f'"{TOKEN_1}"')
        .replace('"TASK_ID"', f'"{in_gateway_env.seeded[1]["SUCCESS"]}"')
    )
    compiled = compile(code, f"{page} python block {index}", "exec")
    exec(compiled, {"__name__": "__readme__"})  # noqa: S102 (the pages' own code)
    printed = capsys.readouterr().out
    # Every example prints what it shows: an example that printed nothing proved nothing.
    assert printed.strip() and "Traceback" not in printed
    if "get_image_to_video_task" in code:
        assert printed == (
            "succeed\n" if generation is Generation.C else "SUCCESS 100%\n"
        )
    if "download(" in code or "save_to=" in code:
        assert {p.suffix for p in (tmp_path / "videos").iterdir()} == {".mp4"}
        assert "SUCCESS 100%" in printed
    if 'route="videos"' in code:
        assert printed.startswith("SUCCESS 100%\n")
    if "wait_many" in code:
        assert printed.count("SUCCESS") == 2
    if "TaskNotFoundError" in code:
        assert printed == (
            "404 task_not_found no-such-task\n"
            if generation is Generation.C
            else "400 task_not_exist no-such-task\n"
        )


def test_cli_examples_run(in_gateway_env: EmulatorServer) -> None:
    runner = CliRunner()
    task_id = in_gateway_env.seeded[1]["SUCCESS"]
    # The local image an example names (the tests run in an empty folder).
    Path("cat.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    for line in CLI_LINES:
        args = [
            task_id if word == "TASK_ID" else word for word in shlex.split(line)[1:]
        ]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (line, result.output)


# A first hour's reading: short, in short paragraphs.


def _prose(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.DOTALL)


def paragraphs(text: str) -> list[str]:
    """The README's paragraphs outside code blocks; each list item and table row is one."""
    found: list[str] = []
    for chunk in re.split(r"\n\s*\n", _prose(text)):
        lines = chunk.strip().splitlines()
        if lines and lines[0].startswith(("- ", "|")):
            items: list[list[str]] = []
            for line in lines:
                if line.startswith(("- ", "|")) or not items:
                    items.append([])
                items[-1].append(line)
            found.extend("\n".join(item) for item in items)
        elif lines:
            found.append("\n".join(lines))
    return found


def test_the_readme_is_a_first_hours_reading() -> None:
    assert len(README.split()) <= MAX_WORDS  # as `wc -w` counts
    long = [p[:60] for p in paragraphs(README) if len(p.split()) > MAX_PARAGRAPH_WORDS]
    assert not long, long


def test_a_long_paragraph_is_caught() -> None:
    text = "Intro.\n\n" + "word " * (MAX_PARAGRAPH_WORDS + 1) + "\n\n- a\n- b\n"
    counts = [len(p.split()) for p in paragraphs(text)]
    assert counts == [1, MAX_PARAGRAPH_WORDS + 1, 2, 2]


# Links and the map of the tree.


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(text: str) -> set[str]:
    return {_slug(h) for h in re.findall(r"^#+ (.*)$", _prose(text), re.MULTILINE)}


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_every_local_link_resolves(page: Path) -> None:
    text = page.read_text()
    for target in re.findall(r"\]\(([^)\s]+)\)", _prose(text)):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.is_file(), (page.name, target)
        if anchor:
            assert anchor in _anchors(linked.read_text()), (page.name, target)


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = set(re.findall(r"\]\((docs/[^)#\s]+)", README))
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")}
    assert pages == linked


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n{heading}\n")
    end = text.find("\n#", start + 1)
    return text[start : end if end != -1 else None]


def test_the_map_of_the_tree_is_true() -> None:
    """Every path "What is here" names exists, and it names every top-level folder."""
    tree = _section(README, "## What is here")
    named = [
        word.rstrip("/")
        for word in re.findall(r"`([^`\s]+)`", tree)
        if "/" in word or re.search(r"\.\w+$", word)
    ]
    assert named
    for path in named:
        assert (ROOT / path).exists(), path
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    folders = {p.split("/")[0] for p in listed if "/" in p and not p.startswith(".")}
    assert folders and folders <= {path.split("/")[0] for path in named}


# The "try it locally" path: what it installs is what it runs.


def _try_it_locally() -> tuple[str, str]:
    """The section's shell block and its Python example."""
    section = _section(README, "## Try it locally")
    (shell,) = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    (python,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return shell, python


def _command(shell: str, script: str) -> list[str]:
    (line,) = [line for line in shell.splitlines() if line.split(" ", 1)[0] == script]
    return shlex.split(line.split("#", 1)[0].split(">", 1)[0])


def _exports(shell: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in shell.splitlines():
        if line.startswith("export "):
            words = shlex.split(line.split("#", 1)[0])[1:]
            for word in words:
                name, _, value = word.partition("=")
                found[name] = value
    return found


def _requirement_names(extras: set[str]) -> set[str]:
    """The distributions the project's extras bring, an extra of an extra included."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names: set[str] = set()
    pending, seen = list(extras), set()
    while pending:
        extra = pending.pop()
        seen.add(extra)
        for requirement in project["optional-dependencies"][extra]:
            name = re.match(r"[A-Za-z0-9._-]+", requirement)
            assert name is not None
            if name.group() == project["name"]:
                inner = re.search(r"\[(.*?)\]", requirement)
                assert inner is not None
                pending += [e for e in inner.group(1).split(",") if e not in seen]
            else:
                names.add(name.group().lower().replace("_", "-"))
    return names


def test_try_it_locally_installs_what_it_runs_from_any_folder() -> None:
    shell, python = _try_it_locally()
    (install,) = re.findall(r'pip install "\$\(ls (\S+)\)\[([\w,]+)\]"', shell)
    wheel_glob, extras = install
    # An absolute path: the line works in any folder, not only in the clone.
    assert wheel_glob.startswith("/") and wheel_glob.endswith("/dist/*.whl")
    brought = _requirement_names(set(extras.split(",")))
    distributions = packages_distributions()
    ran = [s for s in SCRIPT_MODULES if f"\n{s} " in f"\n{shell}" or f"{s} " in python]
    assert "kling-emulator" in ran
    for script in ran:
        for module in SCRIPT_MODULES[script]:
            names = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
            assert names & brought, (script, module, extras)


def test_try_it_locally_starts_an_emulator_the_example_can_use() -> None:
    shell, python = _try_it_locally()
    args = _command(shell, "kling-emulator")[1:]
    with emulator_main.make_context("kling-emulator", args) as ctx:
        params = ctx.params
    exports = _exports(shell)
    assert exports["KLING_BASE_URL"] == f"http://127.0.0.1:{params['port']}"
    assert exports["KLING_API_TOKEN"] in EmulatorConfig().tokens
    # Tasks finish in seconds, and waits keep in step with the emulator's faster passes.
    assert params["lifecycle"] <= 5
    scale = params["lifecycle"] / Lifecycle().total
    assert float(exports["KLING_REFRESH_PERIOD"]) == pytest.approx(
        params["refresh_period"] * scale
    )
    assert "generate(" in python and PLACEHOLDER_URL not in python
