"""Gateways that break the contract in exactly one way each, built around the real emulator.

The contract suite must fail against every one of them (tests/contract/test_suite.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kling_contract.spec import load_spec
from kling_emulator.gateway import Caller

QUERY_PATH = re.compile(r"^/kling/v1/videos/(image2video|text2video)/(.+)$")
# Every id the emulator hands out, so that only ids the suite makes up reach the crash.
ODD_ID_FREE = re.compile(r"[A-Za-z0-9_]+")
Rewrite = Callable[
    [Scope, int, list[tuple[bytes, bytes]], bytes],
    tuple[int, list[tuple[bytes, bytes]], bytes],
]


class RewriteAnswers:
    """Buffers each answer and lets `rewrite` change its status, headers or body."""

    def __init__(self, app: ASGIApp, rewrite: Rewrite) -> None:
        self.app, self.rewrite = app, rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        # A HEAD answer's length is the GET's, not that of its empty body.
        head = scope["method"] == "HEAD"
        headers = [
            (k, v)
            for k, v in start["headers"]
            if head or k.lower() != b"content-length"
        ]
        status, headers, body = self.rewrite(
            scope, start["status"], headers, b"".join(chunks)
        )
        if not head:
            headers.append((b"content-length", str(len(body)).encode()))
        await send(
            {"type": "http.response.start", "status": status, "headers": headers}
        )
        await send({"type": "http.response.body", "body": body})


def _task_answers(
    change: Callable[[dict[str, Any]], None],
) -> Callable[[Starlette], ASGIApp]:
    """Change the task object of every 200 answer to a query."""

    def rewrite(
        scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if (
            status == 200
            and scope["method"] == "GET"
            and QUERY_PATH.match(scope["path"])
        ):
            answer = json.loads(body)
            change(answer["data"])
            body = json.dumps(answer).encode()
        return status, headers, body

    return lambda app: RewriteAnswers(app, rewrite)


def _answers(rewrite: Rewrite) -> Callable[[Starlette], ASGIApp]:
    return lambda app: RewriteAnswers(app, rewrite)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda task: task.__setitem__(key, value)


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda task: task.pop(key, None)


def _when(
    status: str, change: Callable[[dict[str, Any]], None]
) -> Callable[[dict[str, Any]], None]:
    def apply(task: dict[str, Any]) -> None:
        if task.get("status") == status:
            change(task)

    return apply


def _no_videos(task: dict[str, Any]) -> None:
    task["data"]["data"]["task_result"]["videos"] = []


def _no_reason(task: dict[str, Any]) -> None:
    task["fail_reason"] = ""
    task["data"]["data"].pop("task_status_msg", None)
    task.pop("result_url", None)


def _wrong_content_type(
    scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-type"] + [
        (b"content-type", b"text/plain")
    ]
    return status, headers, body


def _no_request_id(
    scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return (
        status,
        [(k, v) for k, v in headers if k.lower() != b"x-oneapi-request-id"],
        body,
    )


def _crash_on_odd_ids(
    scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    match = QUERY_PATH.match(scope["path"])
    if match and not ODD_ID_FREE.fullmatch(match.group(2)):
        return (
            500,
            headers,
            b'{"code": "get_task_failed", "message": "panic", "data": null}',
        )
    return status, headers, body


def _unknown_task_is_404(
    scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    if status == 400 and b"task_not_exist" in body:
        return 404, headers, body
    return status, headers, body


def _error_shape_swapped(
    scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    if status == 401:
        return (
            status,
            headers,
            b'{"code": "unauthorized", "message": "no", "data": null}',
        )
    return status, headers, body


def _ignore_token(app: Starlette) -> ASGIApp:
    gateway = app.state.gateway
    original = gateway.authenticate
    gateway.authenticate = lambda request: (
        original(request)
        if request.headers.get("authorization")
        else Caller(user=1, token="", allowed_models=None)
    )
    return app


def _unlisted_method_served(
    scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """A gateway that answers an unlisted method on a task route as if it were a route."""
    if scope["method"] not in ("GET", "POST") and QUERY_PATH.match(scope["path"]):
        # The page it replaces may be gzipped: the JSON that stands for it is not.
        dropped = {b"content-type", b"content-encoding"}
        headers = [(k, v) for k, v in headers if k.lower() not in dropped]
        headers.append((b"content-type", b"application/json"))
        return 200, headers, b'{"code": "success", "message": "", "data": null}'
    return status, headers, body


def _leak_between_users(app: Starlette) -> ASGIApp:
    store = app.state.gateway.store
    store.get = lambda task_id, user_id: store.find(task_id)
    return app


CONTENT_PATH = re.compile(r"^/v1/videos/([^/]+)/content$")


def _content_serves_any_user(app: Starlette) -> ASGIApp:
    """/content hands a task's video to any valid token, as the gateway built from 8aa025f6e
    (2026-01-28) does: the request goes on as if its owner (with the owner's first token)
    had sent it."""
    gateway = app.state.gateway
    owners: dict[int, str] = {}
    for token, user in gateway.config.tokens.items():
        owners.setdefault(user, token)

    async def leaking(scope: Scope, receive: Receive, send: Send) -> None:
        found = (
            CONTENT_PATH.match(scope.get("path", ""))
            if scope["type"] == "http"
            else None
        )
        record = gateway.store.find(found.group(1)) if found else None
        sent = dict(scope.get("headers", [])).get(b"authorization", b"")
        # Token checks still run: only a caller with a valid token gets the owner's view.
        valid = sent.removeprefix(b"Bearer ").decode() in owners.values()
        if record is not None and valid:
            headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
            owner = f"Bearer {owners[record.user_id]}".encode()
            scope = {**scope, "headers": [*headers, (b"authorization", owner)]}
        await app(scope, receive, send)

    return leaking


SCHEMA = "Response violates schema"


def _check(name: str) -> str:
    return f"Custom check failed: `{name}`"


# Each broken gateway, with the failures that may report it: the first failure found must be
# one of them, or the suite would be passing the test for a reason other than the break.
BROKEN_GATEWAYS: dict[str, tuple[Callable[[Starlette], ASGIApp], frozenset[str]]] = {
    "progress is a number": (_task_answers(_set("progress", 30)), frozenset({SCHEMA})),
    "task_id is missing": (
        _task_answers(_drop("task_id")),
        frozenset({SCHEMA, _check("task_is_the_one_asked_for")}),
    ),
    "submit_time is a string": (
        _task_answers(_set("submit_time", "yesterday")),
        frozenset({SCHEMA}),
    ),
    "status is undocumented": (
        _task_answers(_when("SUCCESS", _set("status", "DONE"))),
        # DONE is not final, yet the task has a finish time: both checks see it.
        frozenset(
            {
                _check("documented_statuses_only"),
                _check("final_tasks_have_a_finish_time"),
            }
        ),
    ),
    "SUCCESS at 30%": (
        _task_answers(_when("SUCCESS", _set("progress", "30%"))),
        frozenset({_check("status_and_progress_agree")}),
    ),
    "answer is about another task": (
        _task_answers(_set("task_id", "842250903600000000")),
        frozenset({_check("task_is_the_one_asked_for")}),
    ),
    "final task without finish_time": (
        _task_answers(_when("FAILURE", _set("finish_time", 0))),
        frozenset({_check("final_tasks_have_a_finish_time")}),
    ),
    "SUCCESS without a video": (
        _task_answers(_when("SUCCESS", _no_videos)),
        frozenset({_check("success_carries_a_video")}),
    ),
    "FAILURE without a reason": (
        _task_answers(_when("FAILURE", _no_reason)),
        frozenset({_check("failure_carries_a_reason")}),
    ),
    "wrong content type": (
        _answers(_wrong_content_type),
        frozenset({"Undocumented Content-Type"}),
    ),
    "no request id header": (
        _answers(_no_request_id),
        frozenset({"Missing required response headers"}),
    ),
    "500 on odd task ids": (
        _answers(_crash_on_odd_ids),
        frozenset({"Server error"}),
    ),
    "unknown task is 404": (
        _answers(_unknown_task_is_404),
        frozenset({"Schema-valid request rejected", "Undocumented status code"}),
    ),
    "401 in the task-error shape": (
        _answers(_error_shape_swapped),
        frozenset({SCHEMA}),
    ),
    "missing token accepted": (
        _ignore_token,
        frozenset({"API accepts requests without authentication"}),
    ),
    "/content serves another user's video": (
        _content_serves_any_user,
        frozenset({_check("another_user_cannot_read_the_task")}),
    ),
    "tasks leak between users": (
        _leak_between_users,
        frozenset({_check("another_user_cannot_read_the_task")}),
    ),
    "an unlisted method answers JSON 200": (
        _answers(_unlisted_method_served),
        frozenset({_check("unserved_methods_are_not_routes")}),
    ),
}


# Gateways that still pass the contract but whose answers drift (the spec allows fields it
# does not list, as it must): the suite reports each, and fails with --fail-on-drift.
DRIFTING_GATEWAYS: dict[str, tuple[Callable[[Starlette], ASGIApp], str]] = {
    "a new field appears": (
        _task_answers(_set("queue_position", 3)),
        "undocumented field: data.queue_position",
    ),
    "an optional field disappears": (
        _task_answers(_drop("action")),
        "never seen: data.action",
    ),
    "a new nested field appears": (
        _task_answers(
            _when(
                "SUCCESS",
                lambda task: task["data"]["data"]["task_result"]["videos"][0].update(
                    cover_url="https://cdn.example/c.jpg"
                ),
            )
        ),
        "undocumented field: data.data.data.task_result.videos[].cover_url",
    ),
}


# Generation C: gateways that answer their Kling routes as the task plugin does, but for
# one thing each.
ARTIFACT_CONTENT = re.compile(r"^/v1/tasks/[^/]+/artifacts/[^/]+/content$")


def _native_answers(
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[Starlette], ASGIApp]:
    """Change every 200 answer of a Kling query route (Kling's own envelope)."""

    def rewrite(
        scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if (
            status == 200
            and scope["method"] == "GET"
            and QUERY_PATH.match(scope["path"])
        ):
            body = json.dumps(change(json.loads(body))).encode()
        return status, headers, body

    return _answers(rewrite)


PROGRESS: dict[str, str] = load_spec()["components"]["schemas"]["TaskStatus"][
    "x-progress"
]


def _wrapped_in_the_task_dto(answer: dict[str, Any]) -> dict[str, Any]:
    """The older generations' wrapper around the plugin's render."""
    data = answer["data"]
    status = {"succeed": "SUCCESS", "failed": "FAILURE", "processing": "IN_PROGRESS"}
    gateway_status = status.get(data.get("task_status"), "SUBMITTED")
    return {
        "code": "success",
        "message": "",
        "data": {
            "task_id": data["task_id"],
            "status": gateway_status,
            # Progress as the spec gives it: the envelope is this gateway's one defect.
            "progress": load_spec()["components"]["schemas"]["TaskStatus"][
                "x-progress"
            ][gateway_status],
            "data": answer,
        },
    }


def _kling_id_leaked(answer: dict[str, Any]) -> dict[str, Any]:
    answer["data"]["task_id"] = "842250903600000000"  # Kling's own, not the gateway's
    return answer


def _unknown_task_is_400(
    scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The older generations' answer on the plugin's route."""
    if status == 404 and QUERY_PATH.match(scope["path"]):
        return (
            400,
            headers,
            b'{"code":"task_not_exist","message":"task_not_exist","data":null}',
        )
    return status, headers, body


def _any_access_serves_the_file(
    scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """A content route that checks no access value: any one serves the file."""
    asked_with_access = b"access=" in scope.get("query_string", b"")
    if status == 404 and asked_with_access and ARTIFACT_CONTENT.match(scope["path"]):
        kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
        return (
            200,
            [*kept, (b"content-type", b"video/mp4")],
            b"\x00\x00\x00\x18ftypmp42",
        )
    return status, headers, body


BROKEN_C_GATEWAYS: dict[str, tuple[Callable[[Starlette], ASGIApp], frozenset[str]]] = {
    "the TaskDto wrapper on a Kling route": (
        _native_answers(_wrapped_in_the_task_dto),
        frozenset(
            {SCHEMA, _check("kling_routes_answer_in_their_generations_envelope")}
        ),
    ),
    "Kling's own id in data.task_id": (
        _native_answers(_kling_id_leaked),
        frozenset({_check("task_is_the_one_asked_for")}),
    ),
    "400 task_not_exist for an unknown id": (
        _answers(_unknown_task_is_400),
        frozenset(
            {
                "Schema-valid request rejected",
                _check("unknown_tasks_answer_as_documented"),
                _check("another_user_cannot_read_the_task"),
            }
        ),
    ),
    "an artifact served without a valid access": (
        _answers(_any_access_serves_the_file),
        frozenset(
            {
                _check("artifacts_are_served_by_their_access_alone"),
                "API accepts requests without authentication",
            }
        ),
    ),
}
