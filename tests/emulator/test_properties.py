"""Arbitrary requests over real HTTP never break the emulator: always one of the gateway's
documented answers, no 5xx but the gateway's own documented 500 `build_request_failed` (a
Kling field of the wrong JSON type), and the server answers afterwards."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kling_common.generation import Generation
from kling_emulator.server import EmulatorServer

from ..conftest import TOKEN_1, examples, make_config

TOKEN_CHARS = (
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
KNOWN_PATHS = [
    "/kling/v1/videos/image2video",
    "/kling/v1/videos/text2video",
    "/kling/v1/videos/image2video/{id}",
    "/kling/v1/videos/text2video/{id}",
    "/v1/{id}",
    "/api/{id}",
    "/assets/{id}",
    "/{id}",
]
methods = st.one_of(
    st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
    st.text(TOKEN_CHARS, min_size=1, max_size=12),
)
paths = st.builds(
    lambda template, value: template.replace("{id}", value),
    st.sampled_from(KNOWN_PATHS),
    st.text(st.characters(codec="utf-8"), max_size=30).map(
        lambda text: quote(text, safe="") or "x"
    ),
)
headers = st.dictionaries(
    st.text(TOKEN_CHARS, min_size=1, max_size=20).filter(
        lambda name: (
            name.lower()
            not in {
                "x-emulator-fault",
                "content-length",
                "transfer-encoding",
                "host",
                "connection",
            }
        )
    ),
    st.text(PRINTABLE, max_size=60).map(str.strip),
    max_size=4,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=12,
)
submit_keys = st.sampled_from(
    ["model", "model_name", "prompt", "image", "duration", "mode", "metadata", "cfg_scale",
     "negative_prompt", "camera_control", "dynamic_masks", "image_tail", "external_task_id"]
)  # fmt: skip
bodies = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(submit_keys, json_values, max_size=8).map(
        lambda body: json.dumps(body).encode()
    ),
)


def documented(response: httpx.Response) -> bool:
    """One of the gateway's answers: JSON in a documented shape, or the dashboard's page."""
    if response.status_code == 204:  # a CORS preflight (an Origin among the headers)
        return (
            response.request.method == "OPTIONS"
            and "access-control-allow-origin" in response.headers
        )
    if response.status_code in (301, 307):  # gin's trailing-slash redirect
        return str(response.headers.get("location", "")).startswith("/")
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/html"):
        return response.status_code == 200
    if not content_type.startswith("application/json"):
        return False
    body = response.json() if response.content else None
    if not isinstance(body, dict):
        return False
    if "error" in body:  # routing layer, or NoRoute's 404
        return isinstance(body["error"], dict) and isinstance(
            body["error"].get("message"), str
        )
    if body.get("code") == "success":
        return response.status_code == 200 and isinstance(body.get("data"), dict)
    if response.status_code == 200:  # a submit's answer
        return isinstance(body.get("task_id") or body.get("id"), str)
    return isinstance(body.get("code"), str) and isinstance(body.get("message"), str)


@pytest.fixture(scope="module", params=["A", "B"])
def server(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    with EmulatorServer(make_config(generation=Generation(request.param))) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    """One client for every example: building one costs tens of milliseconds (its TLS
    context), more than the request it would send."""
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


@pytest.mark.properties
@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=methods, path=paths, extra=headers, body=bodies, authed=st.booleans())
def test_any_request_gets_a_documented_answer(
    http: httpx.Client,
    method: str,
    path: str,
    extra: dict[str, str],
    body: bytes,
    authed: bool,
) -> None:
    # Each example on its own connection, as a new client gave it: what one odd request
    # leaves on a connection is not the next example's business.
    request_headers: dict[str, Any] = {
        **extra,
        "content-type": "application/json",
        "connection": "close",
    }
    if authed:
        request_headers["Authorization"] = f"Bearer {TOKEN_1}"
    response = http.request(
        method,
        path,
        headers=request_headers,
        content=body if method not in ("GET", "HEAD") else None,
    )
    assert (
        response.status_code < 500
        or build_request_failed(response)
        or no_channel(response)
    ), (method, path, response.text[:300])
    if method != "HEAD":
        assert documented(response), (
            method,
            path,
            response.status_code,
            response.text[:300],
        )


def build_request_failed(response: httpx.Response) -> bool:
    """The gateway's documented 500: Kling's request could not be built from the body."""
    try:
        body = response.json()
    except ValueError:
        return False
    return response.status_code == 500 and body.get("code") == "build_request_failed"


def no_channel(response: httpx.Response) -> bool:
    """The gateway's documented 503: no channel serves the model named."""
    try:
        body = response.json()
    except ValueError:
        return False
    return response.status_code == 503 and body["error"]["code"] == "model_not_found"


GOOD = {
    "model": "kling-v1",
    "model_name": "kling-v1",
    "prompt": "a cat",
    "image": "https://example.com/a.png",
}


@pytest.mark.properties
@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(
        ["/kling/v1/videos/image2video", "/kling/v1/videos/text2video"]
    ),
    top=st.dictionaries(submit_keys, json_values, max_size=4),
    metadata=st.dictionaries(submit_keys, json_values, max_size=6),
)
def test_submits_that_reach_kling_get_documented_answers(
    http: httpx.Client,
    route: str,
    top: dict[str, Any],
    metadata: dict[str, Any],
) -> None:
    """Bodies the gateway accepts far enough to build Kling's request from."""
    body = {**GOOD, **top, "metadata": metadata}
    response = http.post(
        route, json=body, headers={"Authorization": f"Bearer {TOKEN_1}"}
    )
    assert (
        response.status_code < 500
        or build_request_failed(response)
        or no_channel(response)
    ), response.text
    assert documented(response), (response.status_code, response.text[:300])
    if response.status_code == 200:
        task_id = response.json()["task_id"]
        query = http.get(
            f"{route}/{task_id}", headers={"Authorization": f"Bearer {TOKEN_1}"}
        )
        assert query.status_code == 200 and documented(query)


def test_the_server_still_answers_after_the_run(server: EmulatorServer) -> None:
    response = httpx.get(f"{server.base_url}/emulator/health", timeout=5)
    assert response.status_code == 200


def _raw(server: EmulatorServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(request)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        (b"/kling/v1/videos/image2video/1", b"200 OK", b"text/html"),
        (b"/v1/anything", b"404 Not Found", b"application/json"),
    ],
)
def test_an_unknown_method_is_answered_like_any_unmatched_request(
    server: EmulatorServer, path: bytes, status: bytes, content_type: bytes
) -> None:
    answer = _raw(
        server, b"FOO " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    head = answer.split(b"\r\n\r\n")[0].lower()
    assert answer.startswith(b"HTTP/1.1 " + status)
    assert b"content-type: " + content_type in head and b"x-oneapi-request-id" in head
    if status.startswith(b"404"):
        assert b"Invalid URL (FOO /v1/anything)" in answer


def test_an_oversized_request_head_is_431_and_costs_no_memory(
    server: EmulatorServer,
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sent = 0
        try:
            while sent < 100 * 1024 * 1024:
                conn.sendall(b"a" * 1024 * 1024)
                sent += 1024 * 1024
        except OSError:
            pass  # the server closed the connection, as net/http does
        answer = conn.recv(1000)
    assert answer.startswith(b"HTTP/1.1 431"), answer
    # Cut off soon after the 1 MiB limit (the rest sat in socket buffers), not after 100 MB.
    assert sent < 32 * 1024 * 1024
    assert httpx.get(f"{server.base_url}/emulator/health", timeout=5).status_code == 200
