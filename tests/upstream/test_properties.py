"""Arbitrary requests over real HTTP never break the Kling stand-in: always one of Kling's
answers (its envelope, its error body, or the video route's plain answers), never a 5xx that
was not asked for, and the server answers afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kling_common import auth
from kling_common.wire import ERRORS
from kling_upstream.server import UpstreamServer

from ..conftest import examples
from ..emulator.test_properties import headers, json_values, methods
from .test_stand_in import ALICE, standin_config

PATHS = [
    "/v1/videos/image2video",
    "/v1/videos/text2video",
    "/v1/videos/image2video/{id}",
    "/v1/videos/text2video/{id}",
    "/videos/{id}.mp4",
    "/{id}",
]
KLING_KEYS = ["model_name", "prompt", "negative_prompt", "image", "image_tail",
              "duration", "mode", "cfg_scale", "aspect_ratio", "camera_control",
              "dynamic_masks", "static_mask", "callback_url", "external_task_id"]  # fmt: skip
paths = st.builds(
    lambda template, value: template.replace("{id}", value),
    st.sampled_from(PATHS),
    st.text("abcXYZ0123456789-_.~%", min_size=1, max_size=24),
)
bodies = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(st.sampled_from(KLING_KEYS), json_values, max_size=8).map(
        lambda body: json.dumps(body).encode()
    ),
)


def kling_answer(response: httpx.Response) -> bool:
    """Kling's envelope or error body, or the video route's own answers."""
    if response.url.path.startswith("/videos/"):
        return response.status_code in (200, 404, 400)
    try:
        body = response.json()
    except ValueError:
        # The HTTP parser's own 400 for a request it cannot read.
        return response.status_code == 400
    if not isinstance(body, dict) or not isinstance(body.get("request_id"), str):
        return False
    if response.status_code == 200:
        return body.get("code") == 0 and "data" in body
    code = body.get("code")
    return code in ERRORS and ERRORS[code].http_status == response.status_code


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with (
        UpstreamServer(standin_config()) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        yield client


@pytest.mark.properties
@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=methods, path=paths, extra=headers, body=bodies, authed=st.booleans())
def test_any_request_gets_a_kling_answer(
    http: httpx.Client,
    method: str,
    path: str,
    extra: dict[str, str],
    body: bytes,
    authed: bool,
) -> None:
    request_headers: dict[str, Any] = {
        **{k: v for k, v in extra.items() if k.lower() != "x-kling-fault"},
        "content-type": "application/json",
        "connection": "close",
    }
    if authed:
        request_headers["Authorization"] = f"Bearer {auth.sign(ALICE)}"
    response = http.request(
        method,
        path,
        headers=request_headers,
        content=body if method not in ("GET", "HEAD") else None,
    )
    assert response.status_code < 500, (method, path, response.text[:300])
    if method != "HEAD":
        assert kling_answer(response), (
            method,
            path,
            response.status_code,
            response.text[:300],
        )


@pytest.mark.properties
@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(["/v1/videos/image2video", "/v1/videos/text2video"]),
    fields=st.dictionaries(st.sampled_from(KLING_KEYS), json_values, max_size=6),
)
def test_every_create_is_taken_or_refused_with_a_parameter_code(
    http: httpx.Client, route: str, fields: dict[str, Any]
) -> None:
    body = {"prompt": "a cat", "image": "https://example.com/a.png", **fields}
    response = http.post(
        route, json=body, headers={"Authorization": f"Bearer {auth.sign(ALICE)}"}
    )
    assert kling_answer(response), response.text[:300]
    code = response.json()["code"]
    assert code in (0, 1200, 1201, 1301), response.text[:300]
    if code == 0:
        task_id = response.json()["data"]["task_id"]
        query = http.get(
            f"{route}/{task_id}",
            headers={"Authorization": f"Bearer {auth.sign(ALICE)}"},
        )
        assert query.status_code == 200 and kling_answer(query)
