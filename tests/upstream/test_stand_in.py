"""The Kling stand-in over HTTP: its routes, Kling's authentication and parameter rules, faults,
the lifecycle, callbacks, the video it serves and HTTPS."""

from __future__ import annotations

import base64
import json
import shutil
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import trustme
from joserfc import jwt as jose_jwt
from joserfc.jwk import OctKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kling_common import auth, params, wire
from kling_common.auth import KeyPair
from kling_common.serving import ThreadedServer
from kling_common.video import sample_mp4
from kling_upstream.config import DEFAULT_KEYS, FAULT_CODES, Faults, UpstreamConfig
from kling_upstream.server import UpstreamServer
from kling_upstream.store import KlingStore

from ..clocks import SteppedClock

ALICE = KeyPair("aliceaccesskey", "alice-secret-key-of-thirty-two-b")
BOB = KeyPair("bobaccesskey", "bob-secret-key-of-thirty-two-byte")
LIFECYCLE = 0.6  # seconds from create to a final status
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(64)).decode()
I2V = "/v1/videos/image2video"
T2V = "/v1/videos/text2video"
GOOD = {
    "model_name": "kling-v1",
    "image": "https://example.com/a.png",
    "prompt": "a cat",
}


def standin_config(**changes: Any) -> UpstreamConfig:
    base: dict[str, Any] = {
        "keys": (ALICE, BOB),
        "lifecycle": wire.KlingLifecycle.scaled(LIFECYCLE),
    }
    return UpstreamConfig(**{**base, **changes})


@pytest.fixture(scope="module")
def kling() -> Iterator[UpstreamServer]:
    with UpstreamServer(standin_config()) as server:
        yield server


def bearer(keys: KeyPair = ALICE) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.sign(keys)}"}


def create(
    server: UpstreamServer,
    body: dict[str, Any],
    route: str = I2V,
    keys: KeyPair = ALICE,
) -> httpx.Response:
    return httpx.post(server.base_url + route, json=body, headers=bearer(keys))


def created_id(server: UpstreamServer, body: dict[str, Any], route: str = I2V) -> str:
    answer = create(server, body, route)
    assert answer.status_code == 200, answer.text
    task_id: str = answer.json()["data"]["task_id"]
    return task_id


# -- routes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", [I2V, T2V])
def test_a_create_answers_kling_envelope_with_a_numeric_task_id(
    kling: UpstreamServer, route: str
) -> None:
    answer = create(kling, {**GOOD, "external_task_id": f"order-{route[-9:]}"}, route)
    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == 0 and body["message"] == "SUCCEED" and body["request_id"]
    data = body["data"]
    assert data["task_id"].isdigit() and len(data["task_id"]) == 18
    assert data["task_status"] == "submitted"
    assert data["task_info"] == {"external_task_id": f"order-{route[-9:]}"}
    assert data["created_at"] == data["updated_at"]
    assert abs(data["created_at"] / 1000 - time.time()) < 5, "milliseconds"


def test_a_task_is_read_by_its_id_or_its_external_id_on_its_own_route(
    kling: UpstreamServer,
) -> None:
    task_id = created_id(kling, {**GOOD, "external_task_id": "lookup-1"})
    for wanted in (task_id, "lookup-1"):
        answer = httpx.get(f"{kling.base_url}{I2V}/{wanted}", headers=bearer())
        assert answer.status_code == 200
        assert answer.json()["data"]["task_id"] == task_id
    other_route = httpx.get(f"{kling.base_url}{T2V}/{task_id}", headers=bearer())
    assert other_route.status_code == 404 and other_route.json()["code"] == 1203


def test_an_account_sees_only_its_own_tasks(kling: UpstreamServer) -> None:
    task_id = created_id(kling, GOOD)
    answer = httpx.get(f"{kling.base_url}{I2V}/{task_id}", headers=bearer(BOB))
    assert answer.status_code == 404 and answer.json()["code"] == 1203
    listed = httpx.get(f"{kling.base_url}{I2V}?pageSize=500", headers=bearer(BOB))
    assert task_id not in {t["task_id"] for t in listed.json()["data"]}


def test_the_list_query_pages_an_accounts_tasks_newest_first() -> None:
    with UpstreamServer(standin_config()) as server:
        ids = [created_id(server, GOOD) for _ in range(5)]
        created_id(server, {"prompt": "text only"}, T2V)
        pages = [
            httpx.get(
                f"{server.base_url}{I2V}",
                params={"pageNum": n, "pageSize": 2},
                headers=bearer(),
            ).json()["data"]
            for n in (1, 2, 3, 4)
        ]
        assert [[t["task_id"] for t in page] for page in pages] == [
            ids[4:2:-1],
            ids[2:0:-1],
            ids[:1],
            [],
        ]
        for bad in ({"pageNum": 0}, {"pageSize": 501}, {"pageNum": "x"}):
            answer = httpx.get(f"{server.base_url}{I2V}", params=bad, headers=bearer())
            assert answer.status_code == 400 and answer.json()["code"] == 1201, bad


def test_the_request_log_shows_every_poll_with_its_moment(
    kling: UpstreamServer,
) -> None:
    started = time.time()
    task_id = created_id(kling, GOOD)
    httpx.get(f"{kling.base_url}{I2V}/{task_id}", headers=bearer())
    rows = httpx.get(f"{kling.base_url}/upstream/requests", params={"since": started})
    seen = [(r["method"], r["path"], r["status"]) for r in rows.json()["requests"]]
    assert seen[-2:] == [("POST", I2V, 200), ("GET", f"{I2V}/{task_id}", 200)]
    assert all(r["at"] >= started for r in rows.json()["requests"])


def test_other_methods_and_paths_get_kling_errors(kling: UpstreamServer) -> None:
    method = httpx.delete(f"{kling.base_url}{I2V}/1", headers=bearer())
    assert method.status_code == 400 and method.json()["code"] == 1202
    path = httpx.get(f"{kling.base_url}/v1/videos/lip-sync", headers=bearer())
    assert path.status_code == 404 and path.json()["code"] == 1203


# -- authentication --------------------------------------------------------------------------


def jose_token(keys: KeyPair, **claims: Any) -> str:
    """A token made by joserfc, a JWT library the stand-in does not use."""
    now = int(time.time())
    payload = {"iss": keys.access_key, "exp": now + 1800, "nbf": now - 5, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jose_jwt.encode(
        {"alg": "HS256", "typ": "JWT"}, payload, OctKey.import_key(keys.secret_key)
    )


def unsigned_token(keys: KeyPair) -> str:
    """An `alg: none` token: no signature at all."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims = {"iss": keys.access_key, "exp": int(time.time()) + 60}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def kling_code(server: UpstreamServer, authorization: str | None) -> tuple[int, int]:
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = httpx.get(f"{server.base_url}{I2V}", headers=headers)
    body = answer.json()
    assert isinstance(body["request_id"], str) and body["request_id"]
    return answer.status_code, body["code"]


def with_claims(keys: KeyPair = ALICE, **relative: int | None) -> Callable[[], str]:
    """An Authorization header made when the test runs, with `exp`/`nbf` given in seconds
    from then (None: left out)."""

    def make() -> str:
        now = int(time.time())
        claims = {k: None if v is None else now + v for k, v in relative.items()}
        if "iss" in relative:
            claims["iss"] = None
        return f"Bearer {jose_token(keys, **claims)}"

    return make


def fixed(value: str | None) -> Callable[[], str | None]:
    return lambda: value


def hs512() -> str:
    claims = {"iss": ALICE.access_key, "exp": int(time.time()) + 60}
    return f"Bearer {jwt.encode(claims, ALICE.secret_key, algorithm='HS512')}"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (fixed(None), 1001),
        (fixed(""), 1001),
        (fixed("Bearer"), 1002),
        (fixed("Basic YWxhZGRpbjpvcGVu"), 1002),
        (fixed("Bearer not.a.jwt"), 1002),
        (with_claims(), 0),
        (lambda: f"bearer {jose_token(BOB)}", 0),
        (with_claims(KeyPair(ALICE.access_key, "a-wrong-secret-of-thirty-two-byt")), 1000),
        (with_claims(KeyPair("nobody", ALICE.secret_key)), 1000),
        (with_claims(exp=-60), 1004),
        (with_claims(nbf=60), 1003),
        (with_claims(exp=None), 1002),
        (with_claims(iss=None), 1002),
        # The skew Kling forgives: a few seconds either way.
        (with_claims(exp=-2), 0),
        (with_claims(nbf=2), 0),
        (lambda: f"Bearer {unsigned_token(ALICE)}", 1002),
        (hs512, 1002),
    ],
)  # fmt: skip
def test_kling_authentication_answers_its_own_codes(
    kling: UpstreamServer, authorization: Callable[[], str | None], code: int
) -> None:
    status, got = kling_code(kling, authorization())
    assert got == code
    assert status == (200 if code == 0 else 401)


def test_a_gateway_style_token_is_accepted_and_the_secret_never_shows() -> None:
    keys = KeyPair.parse(" ak-1 | sk-secret-value ")
    assert keys == KeyPair("ak-1", "sk-secret-value")
    assert "sk-secret-value" not in repr(keys) and "sk-secret-value" not in repr(
        UpstreamConfig(keys=(keys,))
    )
    claims = jwt.decode(auth.sign(keys), keys.secret_key, algorithms=["HS256"])
    assert claims["iss"] == "ak-1" and claims["exp"] - claims["nbf"] == 1805
    for bad in ("no-separator", "|secret", "access|", "a|b|c"):
        with pytest.raises(ValueError, match="ACCESS_KEY"):
            KeyPair.parse(bad)


# -- parameters ------------------------------------------------------------------------------


MASK = {"mask": "https://example.com/m.png", "trajectories": [{"x": 1, "y": 2}] * 2}


@pytest.mark.parametrize(
    ("route", "body", "code"),
    [
        (I2V, {"prompt": "no image"}, 1201),
        (I2V, {**GOOD, "image": f"data:image/png;base64,{PNG}"}, 1201),
        (I2V, {**GOOD, "image": "not base64 at all!"}, 1201),
        (I2V, {**GOOD, "image": base64.b64encode(b"GIF89a").decode()}, 1201),
        (I2V, {**GOOD, "image": PNG}, 0),
        (I2V, {**GOOD, "image": None, "image_tail": PNG}, 0),
        (I2V, {**GOOD, "model_name": "kling-v9"}, 1201),
        (I2V, {**GOOD, "model_name": 7}, 1201),
        (I2V, {**GOOD, "duration": "7"}, 1201),
        (I2V, {**GOOD, "duration": 5}, 1201),
        (I2V, {**GOOD, "duration": "10", "mode": "pro"}, 0),
        (I2V, {**GOOD, "mode": "fast"}, 1201),
        (I2V, {**GOOD, "cfg_scale": 1.5}, 1201),
        (I2V, {**GOOD, "cfg_scale": "0.5"}, 1201),
        (I2V, {**GOOD, "cfg_scale": 0}, 0),
        (I2V, {**GOOD, "prompt": "x" * 2501}, 1201),
        (I2V, {**GOOD, "negative_prompt": "x" * 2501}, 1201),
        (I2V, {**GOOD, "prompt": "x" * 2500}, 0),
        (T2V, {"prompt": " "}, 1201),
        (T2V, {"prompt": "a dog", "aspect_ratio": "4:3"}, 1201),
        (T2V, {"prompt": "a dog", "aspect_ratio": "9:16"}, 0),
        (I2V, {**GOOD, "image_tail": PNG, "static_mask": PNG}, 1201),
        (I2V, {**GOOD, "image_tail": PNG, "camera_control": {"type": "down_back"}}, 1201),
        (I2V, {**GOOD, "dynamic_masks": [MASK], "camera_control": {"type": "forward_up"}}, 1201),
        (I2V, {**GOOD, "dynamic_masks": [MASK] * 7}, 1201),
        (I2V, {**GOOD, "dynamic_masks": [{**MASK, "trajectories": [{"x": 1, "y": 1}]}]}, 1201),
        (I2V, {**GOOD, "dynamic_masks": [MASK] * 6}, 0),
        (I2V, {**GOOD, "camera_control": {"type": "tilt"}}, 1201),
        (I2V, {**GOOD, "camera_control": {"type": "simple", "config": {"zoom": 11}}}, 1201),
        (I2V, {**GOOD, "camera_control": {"type": "simple", "config": {"zoom": 5, "pan": 1}}}, 1201),
        (I2V, {**GOOD, "camera_control": {"type": "simple", "config": {"zoom": 5}}}, 0),
        (I2V, {**GOOD, "callback_url": "https://example.com/hook"}, 1201),
        (I2V, {**GOOD, "external_task_id": "x" * 65}, 1201),
        (I2V, {**GOOD, "prompt": "a cat [unsafe]"}, 1301),
        (T2V, {"prompt": "a dog [unsafe]"}, 1301),
    ],
)  # fmt: skip
def test_kling_parameter_rules(
    kling: UpstreamServer, route: str, body: dict[str, Any], code: int
) -> None:
    answer = create(kling, body, route)
    assert answer.json()["code"] == code, answer.text
    assert answer.status_code == (200 if code == 0 else 400)


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"{not json", 1200), (b"[1, 2]", 1200), (b'"text"', 1200), (b"", 1200)],
)
def test_a_body_that_is_not_a_json_object_is_1200(
    kling: UpstreamServer, content: bytes, code: int
) -> None:
    answer = httpx.post(
        kling.base_url + I2V,
        content=content,
        headers={**bearer(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and answer.json()["code"] == code


def test_a_body_past_the_limit_is_refused_without_being_kept() -> None:
    with UpstreamServer(standin_config(max_body_bytes=1024)) as server:
        answer = create(server, {**GOOD, "prompt": "x" * 2000})
        assert answer.status_code == 400 and answer.json()["code"] == 1200
        assert len(server.stand_in.store) == 0


def test_an_external_id_is_unique_within_an_account_only(kling: UpstreamServer) -> None:
    body = {**GOOD, "external_task_id": "unique-1"}
    assert create(kling, body).status_code == 200
    again = create(kling, body)
    assert again.status_code == 400 and again.json()["code"] == 1201
    assert create(kling, body, keys=BOB).status_code == 200


# -- faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", FAULT_CODES)
def test_a_fault_asked_for_in_a_header_is_kling_answer_with_its_status(
    kling: UpstreamServer, code: int
) -> None:
    answer = httpx.get(
        f"{kling.base_url}{I2V}", headers={**bearer(), "X-Kling-Fault": str(code)}
    )
    assert answer.status_code == wire.ERRORS[code].http_status
    assert answer.json()["code"] == code


def test_a_fault_asked_for_in_a_prompt_reaches_the_stand_in_through_a_gateway(
    kling: UpstreamServer,
) -> None:
    answer = create(kling, {**GOOD, "prompt": "a cat [kling:1303]"})
    assert answer.status_code == 429 and answer.json()["code"] == 1303


def test_faults_answer_the_configured_share_of_requests() -> None:
    config = standin_config(faults=Faults(rates={1302: 0.5}, seed=3))
    with UpstreamServer(config) as server, httpx.Client() as client:
        codes = [
            client.get(f"{server.base_url}{I2V}", headers=bearer()).json()["code"]
            for _ in range(200)
        ]
    assert set(codes) == {0, 1302}
    assert 60 < codes.count(1302) < 140


def test_an_unknown_fault_code_or_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault code 1201"):
        Faults(rates={1201: 0.1})
    with pytest.raises(ValueError, match="within 0..1"):
        Faults(rates={1302: 2.0})


# -- lifecycle, callbacks, the video ---------------------------------------------------------


@pytest.fixture(scope="module")
def stepped() -> Iterator[tuple[UpstreamServer, SteppedClock]]:
    """A stand-in whose lifecycle moves only when the test steps its clock."""
    clock = SteppedClock()
    with UpstreamServer(standin_config(), clock=clock) as server:
        yield server, clock


def statuses_until_final(
    server: UpstreamServer, clock: SteppedClock, task_id: str, route: str = I2V
) -> list[dict[str, Any]]:
    """Each change of status, read once per step of a fortieth of the lifecycle."""
    seen: list[dict[str, Any]] = []
    with httpx.Client(headers=bearer()) as client:
        for _ in range(80):
            data = client.get(f"{server.base_url}{route}/{task_id}").json()["data"]
            if not seen or seen[-1]["task_status"] != data["task_status"]:
                seen.append(data)
            if data["task_status"] in ("succeed", "failed"):
                return seen
            clock.advance(LIFECYCLE / 40)
    raise AssertionError(f"no final status: {seen}")


def test_a_task_goes_submitted_processing_succeed_with_a_video(
    stepped: tuple[UpstreamServer, SteppedClock],
) -> None:
    kling, clock = stepped
    seen = statuses_until_final(kling, clock, created_id(kling, GOOD))
    assert [d["task_status"] for d in seen] == ["submitted", "processing", "succeed"]
    assert seen[0]["updated_at"] < seen[1]["updated_at"] < seen[2]["updated_at"]
    final = seen[-1]
    assert final["task_status_msg"] == "" and final["final_unit_deduction"] == "1"
    (video,) = final["task_result"]["videos"]
    assert video["url"].startswith(kling.base_url) and video["duration"] == "5.0"
    download = httpx.get(video["url"])
    assert (
        download.status_code == 200 and download.headers["content-type"] == "video/mp4"
    )
    assert download.content == sample_mp4()


def test_a_failing_task_ends_failed_with_a_reason_and_no_video(
    stepped: tuple[UpstreamServer, SteppedClock],
) -> None:
    kling, clock = stepped
    task_id = created_id(kling, {"prompt": "a dog [fail]"}, T2V)
    final = statuses_until_final(kling, clock, task_id, T2V)[-1]
    assert final["task_status"] == "failed" and final["task_status_msg"]
    assert "task_result" not in final
    assert httpx.get(f"{kling.base_url}/videos/{task_id}.mp4").status_code == 404


def test_the_failure_share_fails_every_task_at_one() -> None:
    clock = SteppedClock()
    with UpstreamServer(standin_config(failure_rate=1.0), clock=clock) as server:
        final = statuses_until_final(server, clock, created_id(server, GOOD))[-1]
        assert final["task_status"] == "failed"


def test_an_unfinished_tasks_video_is_not_served(kling: UpstreamServer) -> None:
    task_id = created_id(kling, GOOD)
    assert httpx.get(f"{kling.base_url}/videos/{task_id}.mp4").status_code == 404


def test_the_lifecycle_table() -> None:
    life = wire.KlingLifecycle(submitted=10, processing=20)
    assert [life.status_after(t, fails=False) for t in (0, 9.9, 10, 29.9, 30)] == [
        "submitted", "submitted", "processing", "processing", "succeed",
    ]  # fmt: skip
    assert life.status_after(30, fails=True) == "failed"
    assert wire.KlingLifecycle.scaled(9) == wire.KlingLifecycle(3, 6)


def test_the_store_evicts_the_oldest_and_its_external_id() -> None:
    store = KlingStore(max_tasks=2)
    first = store.add("a", "image2video", {"external_task_id": "e1"}, False, "http://x")
    store.add("a", "image2video", {}, False, "http://x")
    store.add("a", "image2video", {}, False, "http://x")
    assert len(store) == 2 and store.evicted == 1
    assert store.get("a", "image2video", first.task_id) is None
    store.add("a", "image2video", {"external_task_id": "e1"}, False, "http://x")


class Receiver:
    """A loopback server that records the callbacks it is sent."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.arrived = threading.Event()

    async def hook(self, request: Request) -> Response:
        self.received.append(json.loads(await request.body()))
        if self.received[-1]["task_status"] in ("succeed", "failed"):
            self.arrived.set()
        return Response(b"ok")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])


def test_every_status_change_is_posted_to_the_callback_url(
    kling: UpstreamServer,
) -> None:
    receiver = Receiver()
    with ThreadedServer(receiver.app()) as hooks:
        task_id = created_id(kling, {**GOOD, "callback_url": f"{hooks.base_url}/hook"})
        assert receiver.arrived.wait(10)
    assert [c["task_status"] for c in receiver.received] == [
        "submitted",
        "processing",
        "succeed",
    ]
    assert {c["task_id"] for c in receiver.received} == {task_id}
    assert receiver.received[-1]["task_result"]["videos"][0]["url"].endswith(".mp4")


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:9/x", True),
        ("http://127.8.9.1/x", True),
        ("https://[::1]:8443/x", True),
        ("http://localhost/x", True),
        ("http://10.0.0.1/x", False),
        ("http://example.com/x", False),
        ("ftp://127.0.0.1/x", False),
        ("http://127.0.0.1:99999/x", False),
        ("127.0.0.1/x", False),
    ],
)
def test_callbacks_go_to_loopback_addresses_only(url: str, loopback: bool) -> None:
    from kling_upstream.callbacks import is_loopback_url

    assert is_loopback_url(url) is loopback


def mp4_boxes(data: bytes) -> list[str]:
    """The top-level box types of an ISO media file, each length checked."""
    boxes, offset = [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        assert size >= 8 and offset + size <= len(data), (kind, size)
        boxes.append(kind.decode("ascii"))
        offset += size
    return boxes


def test_the_video_is_a_complete_mp4() -> None:
    video = sample_mp4()
    boxes = mp4_boxes(video)
    assert boxes[0] == "ftyp" and {"moov", "mdat"} <= set(boxes)
    assert video[8:12] in (b"isom", b"mp42", b"iso5"), "a major brand players know"


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_the_video_plays_in_ffprobe(tmp_path: Path) -> None:
    path = tmp_path / "video.mp4"
    path.write_bytes(sample_mp4())
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    shown = json.loads(probe.stdout)
    assert shown["streams"][0]["codec_name"] == "h264"
    assert float(shown["format"]["duration"]) == float(wire.VIDEO_DURATION)


# -- HTTPS and the command line --------------------------------------------------------------


def test_the_stand_in_serves_https_with_a_certificate(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with UpstreamServer(standin_config(), certfile=certfile, keyfile=keyfile) as server:
        assert server.base_url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=context) as client:
            answer = client.post(server.base_url + I2V, json=GOOD, headers=bearer())
            assert answer.status_code == 200
            data = answer.json()["data"]
            assert data["task_status"] == "submitted"


def console_script_output(args: list[str], env: dict[str, str]) -> tuple[str, str]:
    """`python -m kling_upstream ARGS`: its first line (the banner), and the rest."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kling_upstream", "--port", "0", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
    finally:
        process.terminate()
        rest = process.communicate(timeout=10)[0]
    return first, rest


def test_the_console_script_starts_and_never_prints_the_secret() -> None:
    secret = "a-secret-that-must-not-show-1234"
    first, rest = console_script_output(
        ["--access-key", "ak1"], {"KLING_UPSTREAM_SECRET_KEY": secret}
    )
    assert "Kling stand-in on http://127.0.0.1:0" in first and "ak1" in first
    assert secret not in first + rest
    assert "key ACCESS_KEY|SECRET_KEY" in first


def test_without_keys_the_banner_gives_the_public_default_pair_a_channel_needs() -> (
    None
):
    first, _ = console_script_output([], {})
    pair = f"{DEFAULT_KEYS[0].access_key}|{DEFAULT_KEYS[0].secret_key}"
    assert f"key {pair})" in first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "loopback only"),
        (["--access-key", "a"], "give each --access-key its --secret-key"),
        (["--fault", "1302"], "expected CODE=RATE"),
        (["--fault", "1201=0.5"], "unknown fault code 1201"),
    ],
)
def test_the_console_script_refuses_bad_options_clearly(
    args: list[str], message: str
) -> None:
    from click.testing import CliRunner

    from kling_upstream.__main__ import main

    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and message in result.output


def test_the_shared_rules_refuse_what_kling_refuses() -> None:
    assert params.refusal_of([], "generate") == params.Refusal(
        1200, "Invalid request parameters: the body is not a JSON object"
    )
    assert (
        params.refusal_of({"prompt": "p", "image": "https://x/a.png"}, "generate")
        is None
    )
    assert params.refusal_of({"prompt": "p"}, "generate", models=None) is not None
    assert (
        params.refusal_of(
            {"model_name": "new", "prompt": "p"}, "textGenerate", models=None
        )
        is None
    )


@pytest.mark.parametrize(
    "odd",
    [
        {"camera_control": {"type": {}, "config": None}},
        {"camera_control": {"type": ["simple"]}},
        {"dynamic_masks": {}},
        {"dynamic_masks": ""},
    ],
)
def test_a_value_of_another_json_type_is_refused_not_a_crash(
    odd: dict[str, Any],
) -> None:
    """Kling's rules compare some fields with lists of names: an object or a list there is
    a 1201 refusal, never a server error (the generation C contract run found the crash)."""
    from kling_common.params import refusal_of

    body = {"prompt": "p", "image": "https://example.com/cat.png", **odd}
    refused = refusal_of(body, "generate", models=None)
    assert refused is not None and refused.code == 1201
