"""Route families in the contract suite and kling-compare: a gateway that serves fewer
families is reported, never failed, unless a family was asked for by name."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from kling_common.families import FAMILIES, Family
from kling_common.generation import Generation
from kling_contract import junit
from kling_contract.cli import DEFAULT_MAX_TASKS, choose_mode, main
from kling_contract.compare import Side, compare, corpus
from kling_contract.runner import RunResult
from kling_contract.served import Families, NotServed, for_families, query_path
from kling_contract.spec import for_generation, load_spec
from kling_contract.summary import markdown
from kling_contract.target import Target, preflight
from kling_emulator.server import EmulatorServer

from ..conftest import TOKEN_1, TOKEN_2, make_config

NOT_SERVED = (
    NotServed(Family.GENERATIONS, "GET /v1/video/generations/{task_id} answered 404"),
    NotServed(Family.VIDEOS, "GET /v1/videos/{task_id} answered 404"),
)


@pytest.fixture(scope="module", params=["A", "B", "C"])
def kling_only(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """A gateway that serves only the Kling routes (and, on C, its /v1/tasks)."""
    families = frozenset({Family.KLING, Family.TASKS})
    config = make_config(generation=Generation(request.param), families=families)
    with EmulatorServer(config) as server:
        yield server


def live_target(server: EmulatorServer, **changes: object) -> Target:
    task = next(iter(server.seeded[1].values()))
    return Target.live(server.base_url, TOKEN_1, (task,), **changes)  # type: ignore[arg-type]


def test_the_preflight_finds_the_families_a_gateway_does_not_serve(
    kling_only: EmulatorServer,
) -> None:
    checked = preflight(live_target(kling_only))
    assert checked.served is not None
    expected = (
        (Family.KLING, Family.TASKS)
        if checked.generation is Generation.C
        else (Family.KLING,)
    )
    assert checked.served.checked == expected
    assert [n.family for n in checked.served.not_served] == [
        Family.GENERATIONS,
        Family.VIDEOS,
    ]
    assert "Invalid URL" in checked.served.not_served[0].evidence
    # Asked for by default: a report, not a failure.
    assert checked.served.failures == ()
    assert checked.generation_evidence


def test_a_family_asked_for_by_name_and_not_served_is_a_failure(
    kling_only: EmulatorServer,
) -> None:
    target = live_target(
        kling_only, families=(Family.KLING, Family.VIDEOS), families_explicit=True
    )
    served = preflight(target).served
    assert served is not None and served.checked == (Family.KLING,)
    (failure,) = served.failures
    assert failure.startswith("route family videos was asked for with --families")


def test_a_family_the_generation_lacks_is_neither_checked_nor_reported(
    gateway: EmulatorServer,
) -> None:
    """/v1/tasks came with generation C: a generation B gateway is not faulted for it."""
    served = preflight(live_target(gateway)).served
    assert served is not None
    assert served.checked == (Family.KLING, Family.GENERATIONS, Family.VIDEOS)
    assert served.not_served == ()


def test_the_run_spec_keeps_only_the_checked_families_and_their_links() -> None:
    spec = for_families(for_generation(load_spec(), Generation.B), (Family.KLING,))
    assert spec["paths"] and all(p.startswith("/kling/") for p in spec["paths"])
    operations = {
        op["operationId"]
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for response in spec["components"]["responses"].values():
        for link in response.get("links", {}).values():
            assert link["operationId"] in operations
    assert query_path(Family.VIDEOS) == "/v1/videos/{task_id}"


def test_junit_skips_an_unserved_family_by_name_and_fails_one_asked_for(
    tmp_path: Path,
) -> None:
    for explicit, outcome in ((False, "skipped"), (True, "failure")):
        path = tmp_path / f"{explicit}.xml"
        junit.write(
            path, "live", families=Families((Family.KLING,), NOT_SERVED, explicit)
        )
        cases = {c.get("name"): c for c in ET.parse(path).getroot().iter("testcase")}
        videos = cases["route family videos"]
        assert videos.get("classname") == "kling-contract.families"
        assert videos.find(outcome) is not None
        other = "failure" if outcome == "skipped" else "skipped"
        assert videos.find(other) is None
    skipped = ET.parse(tmp_path / "False.xml").getroot()
    assert skipped.get("skipped") == "2" and skipped.get("failures") == "0"


def test_the_summary_names_the_generation_and_the_families() -> None:
    result = RunResult(
        "live",
        0,
        generation="B",
        generation_evidence="the task's answer has the database fields id and created_at",
        families=Families((Family.KLING,), NOT_SERVED),
    )
    page = markdown([result], ["a_check"], "kling-contract --replay")
    assert "- generation B (the task's answer has the database fields" in page
    assert "- families checked: kling" in page
    assert "- videos: not served (GET /v1/videos/{task_id} answered 404)" in page
    assert "--families kling" in page


def test_a_bad_families_option_exits_2_naming_the_choices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--emulator", "--families", "kling,unified"], {}) == 2
    assert "choose from kling, generations, videos, tasks" in capsys.readouterr().err


def test_allow_create_has_a_bound_of_tens_unless_unlimited_is_asked_for() -> None:
    env = {"KLING_API_TOKEN": TOKEN_1}
    common = {"base_url": "http://127.0.0.1:9", "task_ids": (), "emulator": False}
    default = choose_mode(env, allow_create=True, **common)  # type: ignore[arg-type]
    assert default.live is not None and default.live.max_tasks == DEFAULT_MAX_TASKS
    assert 10 <= DEFAULT_MAX_TASKS < 100
    unlimited = choose_mode(env, allow_create=True, max_tasks="unlimited", **common)  # type: ignore[arg-type]
    assert unlimited.live is not None and unlimited.live.max_tasks is None
    read_only = choose_mode(
        env,
        allow_create=False,
        task_ids=("task_x",),
        base_url="http://127.0.0.1:9",
        emulator=False,
    )
    assert read_only.live is not None and read_only.live.max_tasks is None
    assert main(["--max-tasks", "lots"], {}) == 2


def test_the_help_states_the_default_bound() -> None:
    from click.testing import CliRunner

    from kling_contract.cli import command

    text = CliRunner().invoke(command, ["--help"], obj={}).output
    assert f"default {DEFAULT_MAX_TASKS} on a live gateway" in " ".join(text.split())
    assert "unlimited" in text


def test_compare_does_not_compare_a_family_one_side_does_not_serve() -> None:
    tokens = {"main": TOKEN_1, "other": TOKEN_2}
    full = make_config()
    partial = make_config(families=frozenset({Family.KLING}))
    with EmulatorServer(full) as left, EmulatorServer(partial) as right:
        found, compared, skipped = compare(
            Side("left", left.base_url, tokens),
            Side("right", right.base_url, tokens),
            corpus(),
            allow_create=False,
            deadline=30,
            echo=lambda line: None,
        )
    assert not [d for d in found if d.probe.startswith(("generations:", "videos:"))]
    not_compared = [s for s in skipped if "not compared: family" in s]
    assert not_compared and all("not served by right" in s for s in not_compared)
    assert any(s.startswith("videos: query unknown id:") for s in not_compared)
    # tasks: served by neither (generation B), so their not-a-route answers still compare.
    assert not any(s.startswith("tasks:") and "family" in s for s in skipped)
    assert compared > 0


@pytest.mark.e2e
def test_a_live_run_on_a_gateway_serving_only_the_kling_routes_passes(
    kling_only: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = next(iter(kling_only.seeded[1].values()))
    argv = [
        "--base-url",
        kling_only.base_url,
        "--task-id",
        task,
        "--max-examples",
        "20",
    ]
    summary = tmp_path / "summary.md"
    code = main(
        [*argv, "--reports", str(tmp_path), "--summary", str(summary)],
        {"KLING_API_TOKEN": TOKEN_1},
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "contract: videos: not served" in out
    assert "contract: generation " in out
    assert "not served" in summary.read_text()
    root = ET.parse(tmp_path / "live" / "junit.xml").getroot()
    assert root.get("failures") == "0"
    explicit = main(
        [*argv, "--reports", str(tmp_path), "--families", "kling,videos"],
        {"KLING_API_TOKEN": TOKEN_1},
    )
    out = capsys.readouterr().out
    assert explicit == 1
    assert "route family videos was asked for with --families" in out


def test_every_family_is_checked_by_default() -> None:
    assert Target("t", "http://x", "", ()).families == FAMILIES
