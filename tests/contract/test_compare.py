"""kling-compare: the same requests to two gateways, every difference reported by rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kling_common.generation import Generation
from kling_contract.compare import (
    AnswerShape,
    Difference,
    Known,
    Side,
    compare,
    corpus,
    main,
)
from kling_emulator.server import EmulatorServer

from ..conftest import (
    BROKE,
    EXHAUSTED,
    LIMITED,
    LOW_QUOTA,
    TOKEN_1,
    TOKEN_2,
    make_config,
)

TOKENS = {
    "main": TOKEN_1,
    "other": TOKEN_2,
    "exhausted": EXHAUSTED,
    "limited": LIMITED,
    "broke": BROKE,
    "low_quota": LOW_QUOTA,
}


def side(label: str, server: EmulatorServer) -> Side:
    return Side(label, server.base_url, TOKENS)


def unknown_ids_answer_404(app: ASGIApp) -> ASGIApp:
    """A gateway that answers 404, not 400, for an unknown task id."""

    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        async def patched(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 400:
                message = {**message, "status": 404}
            await send(message)

        await app(scope, receive, patched)

    return broken


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[EmulatorServer, EmulatorServer]]:
    with EmulatorServer(make_config()) as left, EmulatorServer(make_config()) as right:
        yield left, right


def test_two_faithful_gateways_differ_in_nothing(
    pair: tuple[EmulatorServer, EmulatorServer],
) -> None:
    left, right = pair
    found, compared, skipped = compare(
        side("left", left), side("right", right), corpus(),
        allow_create=True, deadline=30, echo=lambda line: None, interval=0.05,
    )  # fmt: skip
    assert found == [], [d.line(("left", "right")) for d in found]
    assert compared == len(corpus()) and skipped == []


def test_a_changed_status_is_reported_for_each_probe_it_touches(
    pair: tuple[EmulatorServer, EmulatorServer],
) -> None:
    left, _ = pair
    with EmulatorServer(make_config(), wrap=unknown_ids_answer_404) as broken:
        found, _, _ = compare(
            side("left", left), side("right", broken), corpus(),
            allow_create=False, deadline=30, echo=lambda line: None,
        )  # fmt: skip
    statuses = {d.probe for d in found if d.aspect == "status"}
    assert "query image2video unknown id" in statuses
    assert all(
        d.left == "400" and d.right == "404" for d in found if d.aspect == "status"
    )


def test_generations_a_and_b_differ_where_the_spec_says_they_do(
    pair: tuple[EmulatorServer, EmulatorServer],
) -> None:
    left, _ = pair
    with EmulatorServer(make_config(generation=Generation.A)) as older:
        found, _, _ = compare(
            side("B", left), side("A", older), corpus(),
            allow_create=True, deadline=30, echo=lambda line: None, interval=0.05,
        )  # fmt: skip
    fields = {(d.probe, d.path) for d in found if d.aspect == "field"}
    assert ("query image2video", "data.result_url") in fields  # B only
    # Both answer a submit in the OpenAI video shape; A with an empty status and no ratios.
    assert ("submit image2video", "status") in {
        (d.probe, d.path) for d in found if d.aspect == "value"
    }
    assert ("submit image2video", "x-new-api-other-ratios") in {
        (d.probe, d.path) for d in found if d.aspect == "header"
    }
    assert ("submit with model_name only", "") in {
        (d.probe, d.path) for d in found if d.aspect == "status"
    }  # A reads model_name; B answers 400


def test_without_allow_create_nothing_is_submitted(
    pair: tuple[EmulatorServer, EmulatorServer],
) -> None:
    left, right = pair
    before = len(left.store), len(right.store)
    _, compared, skipped = compare(
        side("left", left), side("right", right), corpus(),
        allow_create=False, deadline=30, echo=lambda line: None,
    )  # fmt: skip
    assert (len(left.store), len(right.store)) == before
    assert compared + len(skipped) == len(corpus())
    assert any("could create a task" in reason for reason in skipped)


def test_without_allow_create_a_gateway_that_accepts_everything_gets_only_reads() -> (
    None
):
    """A gateway that answers every request 200 with a new task (as an old gateway did for
    refusals the corpus expects) is sent GET, HEAD and OPTIONS only: nothing could be billed."""
    methods: list[str] = []

    def accepts_everything(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        task = {
            "id": "task_" + "c" * 32,
            "task_id": "task_" + "c" * 32,
            "status": "queued",
        }
        return httpx.Response(200, json=task)

    transport = httpx.MockTransport(accepts_everything)
    original = httpx.Client.__init__

    def with_mock(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **{**kwargs, "transport": transport})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx.Client, "__init__", with_mock)
        tokens = {"main": "sk-a", "other": "sk-b"}
        left, right = (
            Side("left", "http://gw.test", tokens),
            Side("right", "http://gw.test", tokens),
        )
        _, compared, _ = compare(
            left,
            right,
            corpus(),
            allow_create=False,
            deadline=5,
            echo=lambda line: None,
        )
    assert compared > 0 and methods
    assert set(methods) <= {"GET", "HEAD", "OPTIONS"}, sorted(set(methods))


@pytest.mark.parametrize(
    ("key", "value", "kept"),
    [
        ("task_id", "task_" + "a" * 32, None),
        ("created_at", 1796164429, None),
        ("request_id", "x", None),
        ("url", "http://127.0.0.1:1/a.mp4", None),
        ("code", "task_not_exist", "task_not_exist"),
        ("status", "SUCCESS", "SUCCESS"),
        (
            "message",
            "Invalid token (request id: 2026X)",
            "Invalid token (request id: *)",
        ),
        ("message", "No channel for task_" + "b" * 32, "No channel for task_*"),
    ],
)
def test_ids_times_and_request_ids_are_ignored_by_rule(
    key: str, value: Any, kept: Any
) -> None:
    from kling_contract.compare import comparable_value

    assert comparable_value(key, value) == kept


def test_a_shape_keeps_types_and_the_headers_that_must_agree() -> None:
    response = httpx.Response(
        429,
        json={"code": "x", "data": None, "n": [1, "a"]},
        headers={"Retry-After": "180", "Date": "now", "X-Oneapi-Request-Id": "r"},
    )
    shape = AnswerShape.of(response)
    assert ("retry-after", "180") in shape.headers
    assert all(name != "date" for name, _ in shape.headers)
    assert ("x-oneapi-request-id", "") in shape.headers  # present; its value is an id
    # Integers are told from other numbers, as drift reports tell them.
    assert ("n[]", "integer", "1") in shape.fields and (
        "n[]",
        "string",
        '"a"',
    ) in shape.fields
    assert ("data", "null", "null") in shape.fields


def test_known_differences_pass_and_the_rest_fail_the_command(
    pair: tuple[EmulatorServer, EmulatorServer], tmp_path: Path
) -> None:
    left, _ = pair
    with EmulatorServer(make_config(), wrap=unknown_ids_answer_404) as broken:
        files = {}
        for name, server in (("left", left), ("right", broken)):
            files[name] = tmp_path / f"{name}.json"
            files[name].write_text(
                json.dumps({"base_url": server.base_url, "tokens": TOKENS})
            )
        args = ["--left", str(files["left"]), "--right", str(files["right"])]
        failing = CliRunner().invoke(
            main, [*args, "--report", str(tmp_path / "r.json")]
        )
        assert failing.exit_code == 1, failing.output
        assert (
            "diff: query image2video unknown id: status: left 400 / right 404"
            in failing.output
        )
        assert TOKEN_1 not in failing.output
        reported = json.loads((tmp_path / "r.json").read_text())
        assert Difference(**reported[0]) in [Difference(**r) for r in reported]
        known = tmp_path / "known.json"
        known.write_text(json.dumps([{"probe": "*", "aspect": "status", "reason": "404 by design"},
                                     {"probe": "*", "aspect": "field", "reason": "E1 there"},
                                     {"probe": "*", "aspect": "value", "reason": "E1 there"}]))  # fmt: skip
        passing = CliRunner().invoke(main, [*args, "--known", str(known)])
    assert passing.exit_code == 0, passing.output
    assert Known(probe="*").covers(Difference("p", "status", "", "1", "2"))


def test_a_side_file_without_a_main_token_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"base_url": "http://127.0.0.1:1", "tokens": {}}))
    result = CliRunner().invoke(main, ["--left", str(bad), "--right", str(bad)])
    assert result.exit_code == 2 and "tokens.main" in result.output


KNOWN_GENERATION_A = (
    Path(__file__).resolve().parents[2]
    / "contract_tests"
    / "kling_contract"
    / "known"
    / "generation-a-8aa025f6e.json"
)
# kling-compare --report of the emulator (generation A, the Kling stand-in behind it) against
# the gateway built from upstream 8aa025f6e, with --allow-create: the evidence for that list.
RECORDED_GENERATION_A = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "compare-emulator-a-vs-8aa025f6e.json"
)


def test_the_shipped_known_differences_are_exactly_what_the_live_comparison_found() -> (
    None
):
    """Every difference the recorded comparison found is covered, with a reason, and no
    entry covers nothing: the list neither hides a new difference nor outlives a fixed one."""
    known = [Known(**item) for item in json.loads(KNOWN_GENERATION_A.read_text())]
    recorded = [
        Difference(**item) for item in json.loads(RECORDED_GENERATION_A.read_text())
    ]
    assert recorded and all(entry.reason for entry in known)
    uncovered = [d for d in recorded if not any(k.covers(d) for k in known)]
    assert uncovered == []
    unused = [k for k in known if not any(k.covers(d) for d in recorded)]
    assert unused == []


def test_compare_and_drift_read_an_answers_shape_alike() -> None:
    """One reading of an answer's JSON shape: kling-compare's fields and types are drift's."""
    from kling_contract import compare
    from kling_contract.json_shape import fields_of, json_type

    body = {"a": 1, "b": 0.5, "c": {"d": [{"e": True}], "f": None}, "g": "x"}
    compared = {(path, type_) for path, type_, _ in compare.flatten(body)}
    # Drift records the fields (drift.record_answer_shapes); compare also each list item.
    recorded = {(path, json_type(value)) for path, value in fields_of(body)}
    assert compared - recorded == {("c.d[]", "object")}
    assert recorded <= compared
    assert ("a", "integer") in compared and ("b", "number") in compared


def test_a_rate_limited_probe_is_not_compared_and_says_why() -> None:
    """A 429 with Retry-After (a gateway's limiter on what is not a route, met after a
    contract run) is no answer to compare: the probe is reported as not compared."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "limited.test":
            return httpx.Response(429, headers={"Retry-After": "180"})
        return httpx.Response(200, html="<html></html>")

    transport = httpx.MockTransport(answer)
    original = httpx.Client.__init__

    def with_mock(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **{**kwargs, "transport": transport})

    unrouted = [p for p in corpus() if p.name == "an unknown path"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx.Client, "__init__", with_mock)
        found, compared, skipped = compare(
            Side("left", "http://open.test", {"main": "sk-a"}),
            Side("right", "http://limited.test", {"main": "sk-a"}),
            unrouted,
            allow_create=False,
            deadline=5,
            echo=lambda line: None,
        )
    assert (found, compared) == ([], 0)
    assert skipped == [
        "an unknown path: not compared: right answered 429 (Retry-After 180), a rate limit"
    ]
