"""Turn a gateway answer, as the generated parsers read it, into a result or a typed
exception: one classification for both clients (the flows of _core.py call it)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from time import time
from typing import Any, Generic, TypeVar

import attrs
import httpx

from kling_common.wire import GATEWAY_STATUS
from kling_gateway_api.models import (
    ArtifactList,
    GatewayError,
    KlingResponse,
    KlingTask,
    NativeTaskResponse,
    SubmittedTask,
    TaskError,
    TaskResponse,
    TaskStatus,
    TaskSummary,
    Video,
    VideoError,
    VideoMetadata,
    VideoStatus,
)
from kling_gateway_api.types import UNSET

from . import errors
from ._task_model import Task

T = TypeVar("T")
REQUEST_ID_HEADERS = ("X-Oneapi-Request-Id", "X-Request-Id")
# What the generated parsers raise on a body of the wrong shape (see toolchain notes).
PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError)
# The same pattern as the TaskId parameter in openapi.yaml (a test keeps them equal).
TASK_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
TASK_ID_MAX_LENGTH = 128
_TASK_ID = re.compile(TASK_ID_PATTERN)


@attrs.frozen
class APIResponse(Generic[T]):
    """A parsed result together with the HTTP response it came from."""

    parsed: T
    http_response: httpx.Response
    # How many times the call was retried before this answer (openai-python's name).
    retries_taken: int = 0

    @property
    def request_id(self) -> str | None:
        return request_id_of(self.http_response)


def checked_task_id(task_id: str) -> str:
    """The task id, if it can only ever name one path segment; else InvalidTaskIdError."""
    if not isinstance(task_id, str):
        raise errors.InvalidTaskIdError(
            f"a task id is a string, not {type(task_id).__name__}"
        )
    if len(task_id) > TASK_ID_MAX_LENGTH or not _TASK_ID.fullmatch(task_id):
        raise errors.InvalidTaskIdError(
            f"task id {task_id[:40]!r} is not a gateway task id "
            f"(letters, digits, '_' and '-', at most {TASK_ID_MAX_LENGTH})"
        )
    return task_id


def request_id_of(response: httpx.Response | None) -> str | None:
    if response is None:
        return None
    for name in REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


def parse_http_date(text: str) -> datetime | None:
    """An HTTP date (Date, Retry-After), or None when it cannot be read."""
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def retry_after_of(response: httpx.Response, now: float | None = None) -> float | None:
    """Retry-After in seconds, from either of its two forms; None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when = parse_http_date(value)
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time() if now is None else now))


def connection_error(exc: httpx.TransportError) -> errors.APIConnectionError:
    """A transport failure; `request_sent` is False only when nothing reached the server."""
    request_sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
    cls = (
        errors.APITimeoutError
        if isinstance(exc, httpx.TimeoutException)
        else errors.APIConnectionError
    )
    return cls(_cause(exc), request_sent=request_sent)


def _cause(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


# Which of a request's timeouts an httpx timeout exception is about.
_TIMEOUT_PART: dict[type[BaseException], str] = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}


def gave_up(
    error: errors.APIConnectionError,
    request: str,
    attempts: int,
    seconds: float,
    timeout: httpx.Timeout,
) -> errors.APIConnectionError:
    """The error a call raises when its retries are spent without an answer, in one line:
    what failed, where, after how many attempts, and what to do."""
    cause = error.__cause__ or error
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''} in {seconds:.1f} s"
    if isinstance(error, errors.APITimeoutError):
        part = _TIMEOUT_PART.get(type(cause), "read")
        limit = getattr(timeout, part, None)
        within = f" within the {part} timeout of {limit:g} s" if limit else ""
        what, todo = f"no answer{within}", "pass a longer timeout= or try again later"
    elif error.request_sent:
        what = "the connection dropped before an answer"
        todo = "the gateway or a proxy closed it; try again later"
    else:
        what = "could not connect"
        todo = "check the base URL and that the gateway is up"
    return type(error)(
        f"{request}: {what} ({_cause(cause)}), after {tries}; {todo}",
        request_sent=error.request_sent,
        url=request.partition(" ")[2],
        attempts=attempts,
    )


def _body_excerpt(response: httpx.Response, limit: int = 200) -> str:
    text = response.content[:limit].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text + ("..." if len(response.content) > limit else "")


def _code_and_message(
    parsed: object, response: httpx.Response
) -> tuple[str | None, str]:
    """The gateway's code and message, from either error shape on any status (the generated
    client parses only the shapes the spec lists for that status)."""
    if isinstance(parsed, GatewayError):
        code = parsed.error.code if isinstance(parsed.error.code, str) else None
        return code or parsed.error.type_ or None, parsed.error.message
    if isinstance(parsed, TaskError):
        return parsed.code or None, parsed.message
    try:
        body = json.loads(response.content)
    except ValueError:
        return None, f"answer is not JSON: {_body_excerpt(response)!r}"
    detail = body.get("error") if isinstance(body, dict) else None
    if isinstance(detail, dict) and isinstance(detail.get("message"), str):
        code, type_ = detail.get("code"), detail.get("type")
        chosen = code if isinstance(code, str) and code else type_
        return (chosen if isinstance(chosen, str) and chosen else None), detail[
            "message"
        ]
    if (
        isinstance(body, dict)
        and isinstance(body.get("code"), str)
        and isinstance(body.get("message"), str)
    ):
        return body["code"] or None, body["message"]
    return None, f"answer of an undocumented shape: {_body_excerpt(response)!r}"


# "This token has no access to model X", in the languages the gateway speaks.
_MODEL_FORBIDDEN = re.compile(
    r"(?:no access to model|无权访问模型) ?(.*?)(?: \(request id:|$)"
)
# _settings.ENV_TOKEN, which cannot be imported here (_settings imports this module).
_ENV_TOKEN = "KLING_API_TOKEN"
AUTHENTICATION_CAUSES = (
    "the token is wrong, disabled or expired, or its quota is used up: a current gateway "
    "answers all of these alike, and a used-up token can no longer read its own tasks"
)


def authentication_hint(check: str) -> str:
    """What a 401 means and what to do, with where the token came from (`check`)."""
    return f"{AUTHENTICATION_CAUSES}; check {check}"


# Where the token is read from the environment alone (the kling CLI, kling-contract).
AUTHENTICATION_HINT = authentication_hint(_ENV_TOKEN)
# A client may also have been given the token as an argument.
CLIENT_AUTHENTICATION_HINT = authentication_hint(
    f"{_ENV_TOKEN}, or the token (token= or api_key=) you passed"
)


@attrs.frozen
class ForbiddenHint:
    """One kind of 403: the codes that say it, or its texts (lower case, in the languages
    the gateway speaks: the routing layer's 403s carry no code, and generation C says
    `permission_denied` for all of them); and what it means and what to do, in English."""

    hint: str
    codes: frozenset[str] = frozenset()
    texts: tuple[str, ...] = ()

    def matches(self, code: str | None, message: str) -> bool:
        lowered = message.lower()
        return code in self.codes or any(text in lowered for text in self.texts)


# Every 403 the spec documents (openapi.yaml: Forbidden, SubmitForbidden, NativeErrorCode),
# most specific first; a model-limited token is read apart (`_explained`), for its model.
# The text decides only the hint: the exception is PermissionDeniedError whatever it says.
FORBIDDEN_HINTS: tuple[ForbiddenHint, ...] = (
    ForbiddenHint(
        "the user's balance is used up: top it up on the gateway; nothing was created "
        "or billed",
        codes=frozenset({"insufficient_user_quota"}),
        texts=("用户额度不足", "user quota is not enough", "insufficient user quota"),
    ),
    ForbiddenHint(
        "this token has too little quota left for the task's price: raise the token's "
        "quota on the gateway or use another token; nothing was created or billed",
        codes=frozenset({"pre_consume_token_quota_failed"}),
        texts=("令牌额度不足", "token quota is not enough", "insufficient token quota"),
    ),
    ForbiddenHint(
        "a '-' suffix after the token's key names a channel, which only an "
        "administrator's token may do: use the token without that suffix",
        texts=("不支持指定渠道", "specify channel", "specifying channel", "指定渠道"),
    ),
    ForbiddenHint(
        "the gateway's administrator has banned this user: ask them, or use another "
        "user's token",
        texts=("已被封禁", "banned"),
    ),
    ForbiddenHint(
        "this token may be used only from some IP addresses, and not from this one: use "
        "it from an allowed address, or ask the gateway's administrator",
        texts=(
            "ip 不在",
            "您的 ip",
            "ip not allowed",
            "ip is not allowed",
            "allowed ip",
        ),
    ),
    ForbiddenHint(
        "the gateway refuses this token here: its user may be banned, it may not name a "
        "channel or use this model, or its quota is too low for the task; the gateway's "
        "text says which",
        codes=frozenset({"permission_denied"}),
    ),
)


def forbidden_hint(code: str | None, message: str) -> str | None:
    """What a 403 means and what to do, from FORBIDDEN_HINTS; None for one it does not
    know."""
    for known in FORBIDDEN_HINTS:
        if known.matches(code, message):
            return known.hint
    return None


def task_not_found_hint(task_id: str | None) -> str:
    named = f"task {task_id!r}" if task_id else "the task"
    return (
        f"{named} is unknown to this gateway, or another user's (a token sees only its own "
        "user's tasks): check the id, and that the token is one of the user who created it"
    )


# What a task-not-found answer says, beyond which nothing of it is worth repeating.
_NOT_FOUND_TEXTS = frozenset({"task_not_exist", "task_not_found", "task not found", ""})


def _explained(
    status: int, code: str | None, message: str, task_id: str | None
) -> tuple[str, str | None, str | None]:
    """The message with what a caller needs to act on it, that hint alone, and the model a
    token may not use."""
    if _is_task_not_found(status, code, message):
        hint = task_not_found_hint(task_id)
        if message.strip().lower() in _NOT_FOUND_TEXTS | {(code or "").lower()}:
            return hint, hint, None
        return f"{message} ({hint})", hint, None
    if status == 401:
        return (
            f"{message} ({CLIENT_AUTHENTICATION_HINT})",
            CLIENT_AUTHENTICATION_HINT,
            None,
        )
    if status == 404 and not _is_task_route_not_found(message):
        hint = "no such route on this gateway: is the base URL right?"
        return f"{message} ({hint})", hint, None
    if status != 403:
        return message, None, None
    match = _MODEL_FORBIDDEN.search(message)
    if match is None:
        known = forbidden_hint(code, message)
        return (message if known is None else f"{message} ({known})"), known, None
    model = match.group(1).strip()
    if model:
        hint = "this token is limited to other models"
        return f"{message} ({hint})", hint, model
    hint = (
        "this token is limited to some models; the gateway answers so for a task the token "
        "cannot see: unknown, another user's, or of a model it may not use"
    )
    return f"{message} ({hint})", hint, ""


# An unknown task, or another user's: 400 task_not_exist (generations A and B), 404
# task_not_found (generation C's Kling routes).
_TASK_NOT_FOUND = frozenset({(400, "task_not_exist"), (404, "task_not_found")})


def _is_task_route_not_found(message: str) -> bool:
    """Generation C's /v1/tasks routes answer an unknown or another user's task with 404
    "Task not found", in OpenAI's shape and without a code."""
    return message.strip().lower() == "task not found"


_BY_STATUS: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    429: errors.RateLimitError,
}


_ECHOED_REQUEST_ID = re.compile(r"\s*\(request id: ?([^)]*)\)\s*$")


def _without_request_id(message: str) -> tuple[str, str | None]:
    """The gateway's message without the request id it appends, and that id."""
    found = _ECHOED_REQUEST_ID.search(message)
    if found is None:
        return message, None
    return message[: found.start()], found.group(1) or None


def _is_task_not_found(status: int, code: str | None, message: str) -> bool:
    return (status, code) in _TASK_NOT_FOUND or (
        status == 404 and _is_task_route_not_found(message)
    )


def status_error(
    response: httpx.Response, parsed: object = None, task_id: str | None = None
) -> errors.APIStatusError:
    """The exception for an error answer, from its documented shape when it has one;
    `task_id` is the task asked about, if any."""
    code, message = _code_and_message(parsed, response)
    # new-api appends "(request id: X)" to its messages; the error names the id once.
    gateway_message, echoed_id = _without_request_id(message)
    status = response.status_code
    message, hint, model = _explained(status, code, gateway_message, task_id)
    common: dict[str, Any] = {
        "status_code": status,
        "code": code,
        "request_id": request_id_of(response) or echoed_id,
        "response": response,
        "hint": hint,
        "gateway_message": gateway_message,
    }
    if _is_task_not_found(status, code, gateway_message):
        return errors.TaskNotFoundError(message, task_id=task_id, **common)
    if status == 429:
        return errors.RateLimitError(
            message, retry_after=retry_after_of(response), **common
        )
    if status == 403:
        return errors.PermissionDeniedError(message, model=model, **common)
    cls = _BY_STATUS.get(status) or (
        errors.ServerError if status >= 500 else errors.APIStatusError
    )
    return cls(message, **common)


def malformed(response: httpx.Response | None, cause: Exception) -> errors.APIError:
    """A parse failure: for an error status the status decides the exception, else malformed."""
    if response is None:
        return errors.MalformedResponseError(
            f"answer could not be read ({type(cause).__name__})", status_code=0
        )
    if response.status_code >= 300:
        return status_error(response)
    if not _is_json(response):
        # The gateway's dashboard answers 200 HTML for every path and method it does not serve.
        content_type = response.headers.get("content-type", "no content type")
        return errors.MalformedResponseError(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code} with {content_type}, not JSON: the base URL is probably "
            "wrong (a gateway answers its web page for every path it does not serve)",
            status_code=response.status_code,
            request_id=request_id_of(response),
            response=response,
        )
    return errors.MalformedResponseError(
        f"answer is not a valid task answer ({type(cause).__name__}: {cause}): "
        f"{_body_excerpt(response)!r}",
        status_code=response.status_code,
        request_id=request_id_of(response),
        response=response,
    )


def _is_json(response: httpx.Response) -> bool:
    try:
        json.loads(response.content)
    except ValueError:
        return False
    return True


def _require(response: httpx.Response, ok: bool, what: str) -> None:
    if not ok:
        raise malformed(response, TypeError(what))


def _require_task(
    response: httpx.Response, task_id: object, asked: str | None, field: str
) -> str:
    """The answer's task id, refused when it is not a string or names another task than
    `asked` (its id names files and later requests)."""
    _require(
        response,
        isinstance(task_id, str) and task_id != "",
        f"{field} is not a string",
    )
    assert isinstance(task_id, str)
    _require(
        response,
        asked is None or task_id == asked,
        f"the answer is about another task than {asked!r}",
    )
    return task_id


def task_from(
    response: httpx.Response, parsed: object, asked: str | None = None
) -> Task:
    """The task of a 200 query answer, with the fields everyone reads checked for type, and
    refused when it is not the task `asked` for (its id names files and later requests)."""
    if response.status_code == 200 and isinstance(parsed, NativeTaskResponse):
        return task_from_native(response, parsed, asked)
    if response.status_code != 200 or not isinstance(parsed, TaskResponse):
        raise status_error(response, parsed, asked)
    task = Task.of(parsed.data)
    _require_task(response, task.task_id, asked, "task_id")
    _require(response, isinstance(task.status, str), "status is not a string")
    _require(response, isinstance(task.progress, str), "progress is not a string")
    return task


# The task status each video status stands for (the inverse of the spec's VideoStatus
# x-gateway-status, a test keeps them in step). "queued" is SUBMITTED or QUEUED, which only a
# gateway chained behind another one reports: both read as SUBMITTED.
TASK_STATUS_OF_VIDEO = {
    VideoStatus.UNKNOWN: TaskStatus.NOT_START,
    VideoStatus.QUEUED: TaskStatus.SUBMITTED,
    VideoStatus.IN_PROGRESS: TaskStatus.IN_PROGRESS,
    VideoStatus.COMPLETED: TaskStatus.SUCCESS,
    VideoStatus.FAILED: TaskStatus.FAILURE,
}
# Seconds since 1970 pass this only in the year 5138; milliseconds passed it in 1973.
_MILLISECONDS_FROM = 10**11


def _seconds(value: object) -> int | None:
    """A time as whole seconds, whether the gateway sent seconds or Kling's milliseconds."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    return value // 1000 if value >= _MILLISECONDS_FROM else value


def _task_status(status: str | VideoStatus | TaskStatus) -> TaskStatus | str:
    """The task status a video status stands for, typed as the other families' are; a task
    status (the compact answer some later gateways send) is kept, and any other string as it
    is: not final, so a wait goes on until its deadline rather than stopping on a word it
    does not know."""
    try:
        return TASK_STATUS_OF_VIDEO[VideoStatus(status)]
    except ValueError:
        pass
    try:
        return TaskStatus(status)
    except ValueError:
        return str(status)


def task_from_video(
    response: httpx.Response, parsed: object, asked: str | None = None
) -> Task:
    """The task of a 200 answer of GET /v1/videos/{id}, in the client's terms: the status a
    Kling route would report (`unknown` is NOT_START, never final), progress as "N%", times
    in seconds (this route sends Kling's milliseconds), the URL as `result_url` and the error
    as `fail_reason`. Kling's own payload (`data`) is not on this route: None."""
    if response.status_code != 200 or not isinstance(parsed, Video):
        raise status_error(response, parsed, asked)
    extra = parsed.additional_properties
    # For a Kling task only `id`; the compact answer of later gateways has only `task_id`.
    named = parsed.id if isinstance(parsed.id, str) and parsed.id else parsed.task_id
    task_id = _require_task(response, named, asked, "neither id nor task_id")
    _require(response, isinstance(parsed.status, str), "status is not a string")
    status = _task_status(parsed.status)
    progress = parsed.progress
    _require(
        response,
        isinstance(progress, int | str) and not isinstance(progress, bool),
        "progress is neither a number nor text",
    )
    created = _seconds(parsed.created_at)
    # Kling's updated_at, sent while the task runs too: a finish time only once final.
    updated = _seconds(parsed.completed_at) or _seconds(extra.get("finished_at"))
    final = status in (TaskStatus.SUCCESS, TaskStatus.FAILURE)
    error = parsed.error
    reason = (
        error.message if isinstance(error, VideoError) else extra.get("fail_reason")
    )
    metadata = parsed.metadata
    url = metadata.url if isinstance(metadata, VideoMetadata) else UNSET
    return Task(
        task_id=task_id,
        status=status,
        progress=f"{progress}%" if isinstance(progress, int) else str(progress),
        data=None,
        submit_time=created if created is not None else UNSET,
        created_at=created if created is not None else UNSET,
        updated_at=updated if updated is not None else UNSET,
        finish_time=updated if updated is not None and final else UNSET,
        fail_reason=reason if isinstance(reason, str) else UNSET,
        result_url=url if isinstance(url, str) and url else UNSET,
    )


# Generation C's Kling routes show Kling's status only: the gateway's status for each (the
# floor's map, which the Kling plugin's parseTaskResult follows), and the progress the
# gateway gives it (the spec's TaskStatus x-progress; a test keeps them equal).
TASK_STATUS_OF_KLING = {
    str(kling): TaskStatus(gateway) for kling, gateway in GATEWAY_STATUS.items()
}
PROGRESS_OF_STATUS = {
    TaskStatus.NOT_START: "0%",
    TaskStatus.SUBMITTED: "10%",
    TaskStatus.QUEUED: "20%",
    TaskStatus.IN_PROGRESS: "30%",
    TaskStatus.SUCCESS: "100%",
    TaskStatus.FAILURE: "100%",
}
_FINAL = (TaskStatus.SUCCESS, TaskStatus.FAILURE)


def progress_of_status(status: TaskStatus | str) -> str:
    """The progress the gateway gives a status; "" for a status it does not know."""
    return PROGRESS_OF_STATUS.get(status, "") if isinstance(status, TaskStatus) else ""


def is_native(response: httpx.Response) -> bool:
    """Whether a 200 query answer is Kling's own envelope (generation C), not the gateway's
    wrapper: Kling's `code` is the number 0, the wrapper's the text `success`."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    code = body.get("code") if isinstance(body, dict) else None
    return isinstance(code, int) and not isinstance(code, bool)


def task_from_native(
    response: httpx.Response, parsed: NativeTaskResponse, asked: str | None = None
) -> Task:
    """A generation C answer of a Kling route, in the client's terms: the gateway's status
    for Kling's, the progress the gateway gives it, times in seconds, Kling's reason as
    `fail_reason`, and Kling's envelope as `data`, so that the video URLs are read as on
    every route. `updated_at` stays unset: Kling's clock, not the gateway's passes.

    Beware: this route shows Kling's last answer as stored, so a task the gateway failed
    itself still reads as running here (`wait` asks /v1/video/generations/{id} instead)."""
    inner = parsed.data
    task_id = _require_task(response, inner.task_id, asked, "data.task_id")
    _require(
        response, isinstance(inner.task_status, str), "data.task_status is not a string"
    )
    status: TaskStatus | str = TASK_STATUS_OF_KLING.get(
        str(inner.task_status), str(inner.task_status)
    )
    created = _seconds(inner.created_at)
    updated = _seconds(inner.updated_at)
    reason = inner.task_status_msg
    return Task(
        task_id=task_id,
        status=status,
        progress=progress_of_status(status),
        data=KlingResponse.from_dict(parsed.to_dict()),
        submit_time=created if created is not None else UNSET,
        created_at=created if created is not None else UNSET,
        finish_time=updated if updated is not None and status in _FINAL else UNSET,
        fail_reason=reason if isinstance(reason, str) and reason else UNSET,
    )


def task_from_summary(
    response: httpx.Response, parsed: object, asked: str | None = None
) -> Task:
    """The answer of GET /v1/tasks/{id} (generation C): the gateway's own status, progress,
    reason and times (seconds), with no Kling payload and no video URL."""
    if response.status_code != 200 or not isinstance(parsed, TaskSummary):
        raise status_error(response, parsed, asked)
    task_id = _require_task(response, parsed.task_id, asked, "task_id")
    _require(response, isinstance(parsed.status, str), "status is not a string")
    status = _task_status(parsed.status)
    created = _seconds(parsed.created_at)
    finished = _seconds(parsed.finished_at)
    progress = parsed.progress if isinstance(parsed.progress, str) else ""
    reason = parsed.fail_reason
    return Task(
        task_id=task_id,
        status=status,
        progress=progress or progress_of_status(status),
        data=None,
        submit_time=created if created is not None else UNSET,
        created_at=created if created is not None else UNSET,
        finish_time=finished if finished is not None else UNSET,
        fail_reason=reason if isinstance(reason, str) and reason else UNSET,
    )


def artifact_url(response: httpx.Response, parsed: object, key: str) -> str | None:
    """The content URL of a task's artifact `key` from GET /v1/tasks/{id}/artifacts, or None
    when the list has none (yet). The URL carries a credential: never show it."""
    if response.status_code != 200 or not isinstance(parsed, ArtifactList):
        raise status_error(response, parsed)
    for artifact in parsed.artifacts:
        url = artifact.content_url
        if artifact.key == key and isinstance(url, str) and url:
            return url
    return None


@attrs.frozen
class Submitted:
    """The answer to a submit: the id to poll, and everything the gateway said."""

    task_id: str
    answer: SubmittedTask

    def to_dict(self) -> dict[str, Any]:
        return self.answer.to_dict()


@attrs.frozen
class Generated:
    """What `generate` made: the final task, and the file its video was saved to (None when
    it was not asked to save one)."""

    task: Task
    path: Path | None = None

    @property
    def task_id(self) -> str:
        return self.task.task_id


def submitted_from(response: httpx.Response, parsed: object) -> Submitted:
    """The id to poll: `task_id`, or `id` where the gateway no longer sends `task_id`
    (its source marks `task_id` as kept for old clients and due to be removed)."""
    if response.status_code != 200 or not isinstance(parsed, SubmittedTask):
        raise status_error(response, parsed)
    # Generation C answers Kling's create answer, the gateway's id in data.task_id only.
    inner = parsed.data.task_id if isinstance(parsed.data, KlingTask) else None
    for candidate in (parsed.task_id, parsed.id, inner):
        if isinstance(candidate, str) and candidate:
            return Submitted(candidate, parsed)
    raise malformed(
        response, TypeError("none of task_id, id and data.task_id is a usable string")
    )
