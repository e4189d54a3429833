"""Route families: which family a path belongs to, and the gateway's answer for a family it
does not serve, as the emulator gives it (the one notion client, suite and compare share)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kling_common.families import (
    FAMILIES,
    Family,
    family_of,
    is_not_a_route,
    parse_families,
)
from kling_emulator.server import EmulatorServer

from .conftest import TOKEN_1, make_config


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/kling/v1/videos/image2video/{task_id}", Family.KLING),
        ("/kling/v1/videos/text2video", Family.KLING),
        ("/v1/video/generations", Family.GENERATIONS),
        ("/v1/video/generations/task_x", Family.GENERATIONS),
        ("/v1/videos", Family.VIDEOS),
        ("/v1/videos/{task_id}/content", Family.VIDEOS),
        ("/v1/tasks/{task_id}/artifacts", Family.TASKS),
        ("/v1/videosx", None),
        ("/v1/compare-nothing", None),
        ("/", None),
    ],
)
def test_a_path_belongs_to_the_family_of_its_prefix(
    path: str, family: Family | None
) -> None:
    assert family_of(path) is family


def test_families_parse_in_their_own_order_and_refuse_unknown_names() -> None:
    assert parse_families("videos, kling") == (Family.KLING, Family.VIDEOS)
    assert parse_families(["TASKS"]) == (Family.TASKS,)
    with pytest.raises(
        ValueError, match="'unified' is not a route family: choose from kling"
    ):
        parse_families("kling,unified")
    with pytest.raises(ValueError, match="no route family given"):
        parse_families(" , ")


@pytest.fixture(scope="module")
def kling_only() -> Iterator[EmulatorServer]:
    with EmulatorServer(make_config(families=frozenset({Family.KLING}))) as server:
        yield server


def _get(server: EmulatorServer, path: str) -> httpx.Response:
    return httpx.get(
        server.base_url + path,
        headers={"Authorization": f"Bearer {TOKEN_1}"},
        follow_redirects=False,
    )


def test_a_family_the_gateway_does_not_serve_answers_not_a_route(
    kling_only: EmulatorServer,
) -> None:
    task = next(iter(kling_only.seeded[1].values()))
    for path in (f"/v1/video/generations/{task}", f"/v1/videos/{task}"):
        answer = _get(kling_only, path)
        assert answer.status_code == 404
        assert is_not_a_route(answer.status_code, answer.headers, answer.content)
    served = _get(kling_only, f"/kling/v1/videos/image2video/{task}")
    assert served.status_code == 200
    assert not is_not_a_route(served.status_code, served.headers, served.content)


def test_a_routes_own_refusal_is_not_the_not_a_route_answer(
    gateway: EmulatorServer,
) -> None:
    """An unknown task on a served family is the route's answer: 400 task_not_exist, or
    generation C's 404 `Task not found` (a 404 whose message is not NoRoute's)."""
    unknown = _get(gateway, "/v1/video/generations/task_nosuchtask")
    assert unknown.status_code == 400
    assert not is_not_a_route(unknown.status_code, unknown.headers, unknown.content)
    task_not_found = httpx.Response(
        404,
        json={"error": {"message": "Task not found", "type": "invalid_request_error"}},
    )
    assert not is_not_a_route(404, task_not_found.headers, task_not_found.content)


def test_the_dashboard_page_and_a_redirect_off_the_gateway_are_not_a_route() -> None:
    html = {"content-type": "text/html; charset=utf-8"}
    assert is_not_a_route(200, html, b"<!doctype html>")
    assert is_not_a_route(301, {"location": "https://dashboard.example/x"}, b"")
    # gin's trailing-slash redirect stays on the gateway: a route's answer.
    assert not is_not_a_route(301, {"location": "/kling/v1/videos/image2video/x"}, b"")
    assert not is_not_a_route(200, {"content-type": "application/json"}, b"{}")
    assert not is_not_a_route(404, {"content-type": "application/json"}, b"not json")


def test_the_emulator_serves_every_family_by_default() -> None:
    assert make_config().families == frozenset(FAMILIES)
