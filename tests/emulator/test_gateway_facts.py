"""The gateway as upstream had it on 2026-08-15, row by row, over HTTP, in both generations.

Each test names the fact it pins (see openapi.yaml's description and the emulator's
validation module). The client's side of the same facts is in test_client_against_both_generations.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kling_common.generation import Generation
from kling_emulator.config import UNAVAILABLE_MODEL
from kling_emulator.server import EmulatorServer

from ..clocks import SteppedClock
from ..conftest import EXHAUSTED, LIMITED, TOKEN_1, make_config
from ..spec_tools import assert_conforms

SUBMIT = "/kling/v1/videos/image2video"
TEXT_SUBMIT = "/kling/v1/videos/text2video"
QUERY = "/kling/v1/videos/image2video/{task_id}"
IMAGE = "https://example.com/a.png"
KLING_FIELDS = {
    "negative_prompt": "blurry",
    "cfg_scale": 0.7,
    "external_task_id": "order-1",
}


def auth(token: str = TOKEN_1) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def http(emulator: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=emulator.base_url, timeout=10, headers=auth())


def is_b(emulator: EmulatorServer) -> bool:
    return emulator.config.generation is Generation.B


def forwarded(http: httpx.Client, answer: httpx.Response) -> dict[str, Any]:
    """What the emulated gateway sent to Kling for the task this submit created."""
    assert answer.status_code == 200, answer.text
    task_id = answer.json()["task_id"]
    found = http.get(f"/emulator/tasks/{task_id}/forwarded")
    assert found.status_code == 200
    result: dict[str, Any] = found.json()
    return result


def conforming(
    spec: dict[str, Any], path: str, method: str, response: httpx.Response
) -> Any:
    body = response.json()
    assert_conforms(spec, path, method, response.status_code, body)
    return body


# -- submitting: the body a gateway really reads --------------------------------------------


def test_model_name_alone_is_refused_by_generation_b_only(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    response = http.post(
        SUBMIT, json={"model_name": "kling-v1", "prompt": "a cat", "image": IMAGE}
    )
    if is_b(emulator):
        assert response.status_code == 400
        error = conforming(spec, SUBMIT, "post", response)["error"]
        assert error["message"].startswith(
            "Model name not specified, model name cannot be empty (request id: "
        )
    else:
        assert response.status_code == 200


def test_kling_only_fields_reach_kling_only_from_metadata_on_generation_b(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    base = {"model": "kling-v1", "prompt": "a cat", "image": IMAGE}
    top_level = forwarded(http, http.post(SUBMIT, json={**base, **KLING_FIELDS}))
    in_metadata = forwarded(
        http, http.post(SUBMIT, json={**base, "metadata": KLING_FIELDS})
    )
    sent_top, sent_meta = top_level["kling_request"], in_metadata["kling_request"]
    if is_b(emulator):
        assert "negative_prompt" not in sent_top and sent_top["cfg_scale"] == 0.5
        assert "external_task_id" not in sent_top  # silently dropped
        assert {k: sent_meta[k] for k in KLING_FIELDS} == KLING_FIELDS
    else:
        assert {k: sent_top[k] for k in KLING_FIELDS} == KLING_FIELDS
        assert "negative_prompt" not in sent_meta  # generation A never reads metadata


def test_the_wire_format_reaches_kling_on_both_generations(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    body = {
        "model": "kling-v1",
        "model_name": "kling-v1",
        "prompt": "a cat",
        "image": IMAGE,
        "duration": "10",
        **KLING_FIELDS,
        "metadata": KLING_FIELDS,
    }
    sent = forwarded(http, http.post(SUBMIT, json=body))
    assert sent["action"] == "generate"
    request = sent["kling_request"]
    assert {k: request[k] for k in KLING_FIELDS} == KLING_FIELDS
    assert request["model_name"] == "kling-v1" and request["duration"] == "10"


def test_sound_and_watermark_info_never_reach_kling(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    dropped = {"sound": "on", "watermark_info": {"enabled": True}}
    body = {"model": "kling-v1", "prompt": "a", "image": IMAGE, **dropped}
    request = forwarded(http, http.post(SUBMIT, json={**body, "metadata": dropped}))
    assert not set(dropped) & set(request["kling_request"])


def test_a_numeric_duration_is_taken_by_generation_b_only(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    body = {"model": "kling-v1", "prompt": "a", "image": IMAGE, "duration": 10}
    response = http.post(SUBMIT, json=body)
    if is_b(emulator):
        assert forwarded(http, response)["kling_request"]["duration"] == "10"
    else:
        assert response.status_code == 500
        assert conforming(spec, SUBMIT, "post", response)["code"] == (
            "build_request_failed"
        )


@pytest.mark.parametrize("duration", [-1, 3601, "4000"])
def test_a_duration_outside_0_to_3600_is_refused_by_generation_b(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer, duration: Any
) -> None:
    if not is_b(emulator):
        pytest.skip("the bound came with generation B (2026-07-07)")
    body = {"model": "kling-v1", "prompt": "a", "image": IMAGE, "duration": duration}
    response = http.post(SUBMIT, json=body)
    assert response.status_code == 400
    assert conforming(spec, SUBMIT, "post", response)["code"] == "invalid_seconds"


@pytest.mark.parametrize("prompt", [" ", "\t\n", "\u3000\u00a0"])
def test_a_blank_prompt_is_refused(
    http: httpx.Client, spec: dict[str, Any], prompt: str
) -> None:
    body = {"model": "kling-v1", "model_name": "kling-v1", "image": IMAGE}
    response = http.post(SUBMIT, json={**body, "prompt": prompt})
    assert response.status_code == 400
    assert conforming(spec, SUBMIT, "post", response)["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("route", "extra", "action"),
    [
        (SUBMIT, {}, "textGenerate"),
        (SUBMIT, {"image": ""}, "textGenerate"),
        (SUBMIT, {"image": None}, "textGenerate"),
        (TEXT_SUBMIT, {"image": IMAGE}, "generate"),
    ],
    ids=["no image", "empty image", "null image", "image on text2video"],
)
def test_the_action_comes_from_the_body_not_the_route(
    http: httpx.Client, route: str, extra: dict[str, Any], action: str
) -> None:
    body = {"model": "kling-v1", "model_name": "kling-v1", "prompt": "a", **extra}
    assert forwarded(http, http.post(route, json=body))["action"] == action


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (
            b"{broken",
            "application/json",
            "Invalid request: Invalid request: invalid JSON",
        ),
        (b"[]", "application/json", "Model name not specified"),
        (
            b'{"model": "kling-v1", "prompt": "a"}',
            "text/plain",
            "Model name not specified",
        ),
        (b'{"model": "kling-v1", "prompt": "a"}', "", "Model name not specified"),
    ],
    ids=["invalid JSON", "not an object", "text/plain", "no content type"],
)
def test_unreadable_bodies_are_refused_by_the_routing_layer(
    http: httpx.Client,
    spec: dict[str, Any],
    content: bytes,
    content_type: str,
    message: str,
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = http.post(SUBMIT, content=content, headers=headers)
    assert response.status_code == 400
    error = conforming(spec, SUBMIT, "post", response)["error"]
    assert error["message"].startswith(message) and error["type"] == "new_api_error"


def test_null_fields_are_taken_as_absent(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    nulls = dict.fromkeys(
        ["negative_prompt", "cfg_scale", "mode", "duration", "camera_control"]
    )
    body = {
        "model": "kling-v1",
        "model_name": "kling-v1",
        "prompt": "a",
        "image": IMAGE,
    }
    sent = forwarded(http, http.post(SUBMIT, json={**body, **nulls, "metadata": nulls}))
    request = sent["kling_request"]
    assert request["mode"] == "std" and request["duration"] == "5"
    assert request["cfg_scale"] == 0.5 and "camera_control" not in request


def test_a_model_without_a_channel_is_503_model_not_found(
    http: httpx.Client, spec: dict[str, Any]
) -> None:
    body = {"model": UNAVAILABLE_MODEL, "model_name": UNAVAILABLE_MODEL}
    response = http.post(SUBMIT, json={**body, "prompt": "a", "image": IMAGE})
    assert response.status_code == 503
    error = conforming(spec, SUBMIT, "post", response)["error"]
    assert error["code"] == "model_not_found"


def test_the_submit_answer_carries_the_gateways_headers(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    body = {
        "model": "kling-v1",
        "model_name": "kling-v1",
        "prompt": "a",
        "image": IMAGE,
    }
    response = http.post(SUBMIT, json=body)
    answer = conforming(spec, SUBMIT, "post", response)
    assert response.headers["x-new-api-version"]
    assert answer["id"] == answer["task_id"] and answer["object"] == "video"
    # Generation A (the gateway built from 8aa025f6e) sent no other ratios.
    ratios = response.headers.get("x-new-api-other-ratios")
    assert ratios == "{}" if is_b(emulator) else ratios is None


# -- tokens -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    ["Bearer sk-emulatoruser1", "bearer sk-emulatoruser1", "Bearer emulatoruser1"],
)
def test_tokens_are_read_as_the_gateway_reads_them(
    http: httpx.Client, emulator: EmulatorServer, authorization: str
) -> None:
    task_id = emulator.seeded[1]["SUCCESS"]
    response = http.get(
        QUERY.format(task_id=task_id), headers={"Authorization": authorization}
    )
    assert response.status_code == 200


def test_a_token_naming_a_channel_is_refused_for_ordinary_users(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    path = QUERY.format(task_id=emulator.seeded[1]["SUCCESS"])
    response = http.get(path, headers=auth(TOKEN_1 + "-3"))
    assert response.status_code == 403
    assert conforming(spec, QUERY, "get", response)["error"]["type"] == "new_api_error"


def test_a_used_up_token_is_401_on_every_route(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    path = QUERY.format(task_id=emulator.seeded[1]["IN_PROGRESS"])
    query = http.get(path, headers=auth(EXHAUSTED))
    body = {
        "model": "kling-v1",
        "model_name": "kling-v1",
        "prompt": "a",
        "image": IMAGE,
    }
    submit = http.post(SUBMIT, json=body, headers=auth(EXHAUSTED))
    for response, route, method in [(query, QUERY, "get"), (submit, SUBMIT, "post")]:
        assert response.status_code == 401
        message = conforming(spec, route, method, response)["error"]["message"]
        if is_b(emulator):
            # Since 2026-04-12 exactly the text of a wrong token.
            assert message.startswith("Invalid token (request id: ")
        else:
            assert message.startswith(
                "This token quota is exhausted TokenStatusExhausted["
            )
            assert EXHAUSTED not in message


def test_a_model_limited_token(
    http: httpx.Client, spec: dict[str, Any], emulator: EmulatorServer
) -> None:
    known = http.get(
        QUERY.format(task_id=emulator.seeded[1]["SUCCESS"]), headers=auth(LIMITED)
    )
    unknown = http.get(QUERY.format(task_id="999"), headers=auth(LIMITED))
    assert unknown.status_code == 403
    error = conforming(spec, QUERY, "get", unknown)["error"]
    assert error["message"].startswith("This token has no access to model  (request id")
    # Generation A refused every query of such a token (before 2026-06-04).
    assert known.status_code == (200 if is_b(emulator) else 403)
    other_model = {"model": "kling-v2-master", "model_name": "kling-v2-master"}
    submit = http.post(
        SUBMIT,
        json={**other_model, "prompt": "a", "image": IMAGE},
        headers=auth(LIMITED),
    )
    assert submit.status_code == 403
    assert "no access to model kling-v2-master" in submit.json()["error"]["message"]


# -- answers --------------------------------------------------------------------------------------


def test_every_answer_carries_the_gateway_version(
    http: httpx.Client, emulator: EmulatorServer
) -> None:
    answers = [
        http.get(QUERY.format(task_id=emulator.seeded[1]["SUCCESS"])),
        http.get(QUERY.format(task_id="999")),
        http.get(QUERY.format(task_id="1"), headers={"Authorization": ""}),
        http.get("/v1/nothing"),
        http.delete(QUERY.format(task_id="1")),
        http.get(QUERY.format(task_id="1"), headers={"X-Emulator-Fault": "503"}),
    ]
    for response in answers:
        assert response.headers["x-new-api-version"], response.request.url
        assert response.headers["x-oneapi-request-id"]


@pytest.mark.parametrize(
    ("fault", "status", "shape"),
    [
        ("429", 429, "E2"),
        ("429-gate", 429, "E1"),
        ("500-panic", 500, "E1"),
        ("503-no-channel", 503, "E1"),
        ("503", 503, "E2"),
    ],
)
def test_errors_come_in_both_shapes_where_the_gateway_sends_both(
    http: httpx.Client, spec: dict[str, Any], fault: str, status: int, shape: str
) -> None:
    body = {
        "model": "kling-v1",
        "model_name": "kling-v1",
        "prompt": "a",
        "image": IMAGE,
    }
    response = http.post(SUBMIT, json=body, headers={"X-Emulator-Fault": fault})
    assert response.status_code == status
    answer = conforming(spec, SUBMIT, "post", response)
    assert ("error" in answer) is (shape == "E1")
    if fault == "429":
        assert answer["message"] == "当前分组上游负载已饱和，请稍后再试"


def test_unmatched_requests_past_the_web_rate_limit_get_429_with_retry_after() -> None:
    """GlobalWebRateLimit: N unmatched requests per address in the window, then 429 with an
    empty body; matched routes are not counted, and neither are refused requests."""
    with (
        EmulatorServer(make_config(web_rate_limit=(5, 180))) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        answers = [client.put("/kling/v1/videos/image2video/x") for _ in range(7)]
        assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
        limited = answers[-1]
        assert limited.headers["retry-after"] == "180" and limited.content == b""
        assert "x-oneapi-request-id" in limited.headers
        assert client.get("/v1/anything").status_code == 429  # the JSON 404s count too
        query = client.get(
            "/kling/v1/videos/image2video/x", headers={"Authorization": "Bearer sk-x"}
        )
        assert query.status_code == 401  # a route: not limited


def test_the_web_rate_limit_window_slides() -> None:
    clock = SteppedClock()
    with (
        # A window of 2 whole seconds, on a clock that moves only when stepped: the three
        # requests fall in one window however slowly they are answered.
        EmulatorServer(make_config(web_rate_limit=(2, 2)), clock=clock) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        assert [client.get("/x").status_code for _ in range(3)] == [200, 200, 429]
        clock.advance(1.0)
        assert client.get("/x").status_code == 429, "still within the window"
        clock.advance(2.1)
        assert client.get("/x").status_code == 200


@pytest.mark.parametrize("path", ["/kling/v1/videos/image2video/x", "/anything"])
def test_a_cors_preflight_is_204_on_every_path(
    emulator: EmulatorServer, path: str
) -> None:
    answer = httpx.options(
        emulator.base_url + path,
        headers={
            "Origin": "http://127.0.0.1:9",
            "Access-Control-Request-Method": "GET",
        },
    )
    assert answer.status_code == 204 and answer.content == b""
    assert (
        answer.headers["access-control-allow-methods"] == "GET,POST,PUT,DELETE,OPTIONS"
    )
    assert answer.headers["access-control-allow-origin"] == "*"
    without_origin = httpx.options(emulator.base_url + path)
    assert (
        without_origin.status_code == 200
        and "text/html" in without_origin.headers["content-type"]
    )


def test_an_answer_to_a_request_with_an_origin_allows_it(
    emulator: EmulatorServer,
) -> None:
    answer = httpx.get(
        emulator.base_url + "/kling/v1/videos/image2video/x",
        headers={"Origin": "http://127.0.0.1:9", "Authorization": f"Bearer {TOKEN_1}"},
    )
    assert answer.status_code == 400
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-credentials"] == "true"


FORM = b"model=kling-v1&prompt=a+cat&image=https%3A%2F%2Fexample.com%2Fcat.png"
MULTIPART = (
    b'--b0\r\nContent-Disposition: form-data; name="model"\r\n\r\nkling-v1\r\n'
    b'--b0\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na boat\r\n--b0--\r\n'
)


@pytest.mark.parametrize(
    ("content", "content_type", "action"),
    [
        (FORM, "application/x-www-form-urlencoded", "generate"),
        (MULTIPART, "multipart/form-data; boundary=b0", "textGenerate"),
    ],
)
def test_a_form_submit_is_read_and_billed_on_generation_b(
    gateway: EmulatorServer, content: bytes, content_type: str, action: str
) -> None:
    answer = httpx.post(
        gateway.base_url + "/kling/v1/videos/image2video",
        content=content,
        headers={"Authorization": f"Bearer {TOKEN_1}", "Content-Type": content_type},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-new-api-other-ratios"] == "{}"
    forwarded = httpx.get(
        f"{gateway.base_url}/emulator/tasks/{answer.json()['id']}/forwarded"
    ).json()
    assert (
        forwarded["action"] == action
        and forwarded["kling_request"]["model"] == "kling-v1"
    )


def test_answers_for_what_is_not_a_route_are_marked_and_gzipped(
    gateway: EmulatorServer,
) -> None:
    for path, cache in (("/v1/nothing", "max-age=604800"), ("/nothing", "no-cache")):
        answer = httpx.get(gateway.base_url + path)  # httpx asks for gzip
        assert answer.headers["content-encoding"] == "gzip", path
        assert answer.headers["cache-control"] == cache
        assert answer.headers["cache-version"] == (
            "b688f2fb5be447c25e5aa3bd063087a83db32a288bf6a4f35f2d8db310e40b14"
        )
        plain = httpx.get(
            gateway.base_url + path, headers={"Accept-Encoding": "identity"}
        )
        assert (
            "content-encoding" not in plain.headers and plain.content == answer.content
        )


def test_an_unknown_token_is_answered_in_the_requests_language(
    gateway: EmulatorServer,
) -> None:
    url = gateway.base_url + "/kling/v1/videos/image2video/x"
    wrong = {"Authorization": "Bearer sk-nobody"}
    chinese = httpx.get(url, headers={**wrong, "Accept-Language": "zh-CN,zh;q=0.9"})
    english = httpx.get(url, headers=wrong)
    assert chinese.json()["error"]["message"].startswith("无效的令牌")
    assert english.json()["error"]["message"].startswith("Invalid token")


def test_a_token_naming_a_channel_is_answered_with_the_channel_version_header(
    gateway: EmulatorServer,
) -> None:
    answer = httpx.get(
        gateway.base_url + "/kling/v1/videos/image2video/x",
        headers={"Authorization": f"Bearer {TOKEN_1}-1"},
    )
    assert answer.status_code == 403
    assert answer.headers["specific_channel_version"]


@pytest.mark.parametrize("generation", list(Generation))
@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        (
            "sk-emulatorbroke",
            "insufficient_user_quota",
            "用户额度不足, 剩余额度: ＄0.000000",
        ),
        ("sk-emulatorlowquota", "pre_consume_token_quota_failed", "令牌额度不足"),
    ],
)
def test_an_empty_purse_is_403_on_submit_and_the_client_says_why(
    generation: Generation, token: str, code: str, message: str
) -> None:
    """The quota is pre-consumed after the request is read, before Kling is asked: 403 in
    the task layer's shape (the plugin's on generation C), no task made. The client raises
    PermissionDeniedError with the code."""
    import kling_gateway as kg
    from kling_emulator.config import EmulatorConfig

    config = EmulatorConfig(generation=generation, lifecycle=make_config().lifecycle)
    with EmulatorServer(config) as server:
        before = len(server.store)
        with (
            kg.KlingClient(server.base_url, token) as client,
            pytest.raises(kg.PermissionDeniedError) as refused,
        ):
            client.submit(model="kling-v1", prompt="p", image="https://e.com/a.png")
        assert len(server.store) == before
    error = refused.value
    assert error.status_code == 403
    expected_code = "permission_denied" if generation is Generation.C else code
    assert error.code == expected_code
    assert message in str(error)


# -- content types: what gin's c.JSON writes, and what a task query writes ---------------------

GIN_JSON = "application/json; charset=utf-8"
# A task query's 200 is Kling's stored answer written as bytes (RelayTaskFetch's c.Data).
TASK_QUERY_JSON = "application/json"


def test_what_gin_renders_names_its_charset_and_a_task_query_does_not(
    emulator: EmulatorServer, http: httpx.Client
) -> None:
    task_id = emulator.seeded[1]["SUCCESS"]
    submit = {"model": "kling-v1", "prompt": "a cat", "image": IMAGE}
    rendered_by_gin = {
        "no token (E1)": httpx.get(emulator.base_url + QUERY.format(task_id=task_id)),
        "an unknown task (E2)": http.get(QUERY.format(task_id="999")),
        "a model without a channel": http.post(
            SUBMIT, json={**submit, "model": UNAVAILABLE_MODEL}
        ),
        "a submit": http.post(SUBMIT, json=submit),
        "a unified submit": http.post("/v1/video/generations", json=submit),
        "/content of an unknown task": http.get("/v1/videos/999/content"),
        "/content of an unfinished task": http.get(
            f"/v1/videos/{emulator.seeded[1]['QUEUED']}/content"
        ),
        "what is not a route under /v1": http.get("/v1/anything"),
    }
    for name, answer in rendered_by_gin.items():
        assert answer.headers["content-type"] == GIN_JSON, (name, answer.status_code)
    for path in (
        QUERY.format(task_id=task_id),
        f"/v1/video/generations/{task_id}",
        f"/v1/videos/{task_id}",
    ):
        answer = http.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == TASK_QUERY_JSON, path


def test_generation_c_keeps_the_plugins_type_and_gins_for_the_rest() -> None:
    with (
        EmulatorServer(make_config(generation=Generation.C)) as gateway,
        httpx.Client(base_url=gateway.base_url, headers=auth(), timeout=10) as http,
    ):
        task_id = gateway.seeded[1]["SUCCESS"]
        plugin = [
            http.get(QUERY.format(task_id=task_id)),
            http.get(QUERY.format(task_id="999")),
        ]
        by_gin = [
            httpx.get(gateway.base_url + QUERY.format(task_id=task_id)),
            http.get("/v1/tasks/999"),
            http.get(f"/v1/tasks/{task_id}"),
            http.get(f"/v1/tasks/{task_id}/artifacts"),
        ]
    assert [a.headers["content-type"] for a in plugin] == [TASK_QUERY_JSON] * 2
    assert [a.headers["content-type"] for a in by_gin] == [GIN_JSON] * 4
