"""What the gateway promises beyond what a schema can say, as schemathesis checks.

Loaded by schemathesis as its hooks module (see schemathesis.toml). Each check raises
AssertionError with a sentence a person can act on.
"""

from __future__ import annotations

import atexit
import functools
import json
from collections.abc import Callable
from functools import cache
from typing import Any

import attrs
import httpx
import schemathesis
from schemathesis import CheckContext, HookContext, Response
from schemathesis.generation.case import Case as GenericCase
from schemathesis.schemas import APIOperation

from kling_common.families import Family
from kling_common.generation import Generation
from kling_common.wire import GATEWAY_STATUS

from .drift import Answer, observe
from .handoff import HandOff
from .served import for_families
from .spec import for_generation, load_spec

# A generated request of an operation of the spec (the checks read only its path, method
# and parameters, which APIOperation types whatever its parameter and schema classes).
Case = GenericCase[APIOperation[Any, Any, Any, Any]]

# Every route that answers with the task envelope: the Kling queries and the unified one.
TASK_ROUTES = (
    "/kling/v1/videos/image2video/{task_id}",
    "/kling/v1/videos/text2video/{task_id}",
    "/v1/video/generations/{task_id}",
)
ENVELOPE_QUERY = "/v1/video/generations/{task_id}"
# The Kling query routes: generation C's plugin answers them in Kling's own envelope.
NATIVE_ROUTES = TASK_ROUTES[:2]
ARTIFACTS_ROUTE = "/v1/tasks/{task_id}/artifacts"
VIDEO_ROUTE = "/v1/videos/{task_id}"
CONTENT_ROUTE = "/v1/videos/{task_id}/content"
# Every route that creates (and bills) a task when it accepts.
SUBMIT_ROUTES = (
    "/kling/v1/videos/image2video",
    "/kling/v1/videos/text2video",
    "/v1/video/generations",
    "/v1/videos",
    "/v1/videos/{video_id}/remix",
)
# The documented statuses are the spec's own enums: the spec is the judge of drift.
# The spec's facts the checks judge by, read once, on first use (not at import).
FINAL = {"SUCCESS", "FAILURE"}
# The runner hands its settings over once, in the environment of this process.
_handoff = cache(HandOff.from_env)


@cache
def _spec() -> dict[str, Any]:
    """The spec the runner derived for this run (see handoff.SPEC), else the whole one."""
    path = _handoff().spec_path
    if path is None:
        return load_spec()
    with open(path, encoding="utf-8") as file:
        derived: dict[str, Any] = json.load(file)
    return derived


@cache
def _schema_facts() -> dict[str, Any]:
    """The documented statuses, the progress each status comes with (TaskStatus
    x-progress) and the video status each gateway status reads as (VideoStatus
    x-gateway-status): the spec's own tables."""
    schemas = _spec()["components"]["schemas"]
    return {
        "DOCUMENTED_STATUSES": frozenset(schemas["TaskStatus"]["enum"]),
        "DOCUMENTED_KLING_STATUSES": frozenset(schemas["KlingTaskStatus"]["enum"]),
        "PROGRESS": dict(schemas["TaskStatus"]["x-progress"]),
        "VIDEO_STATUS_OF": {
            gateway: video
            for video, gateways in schemas["VideoStatus"]["x-gateway-status"].items()
            for gateway in gateways
        },
    }


def __getattr__(name: str) -> Any:
    """`checks.PROGRESS` and the other tables, computed from the spec on first use."""
    try:
        return _schema_facts()[name]
    except KeyError:
        raise AttributeError(name) from None


_GATEWAY_STATUS_OF_KLING = {str(k): v for k, v in GATEWAY_STATUS.items()}


@attrs.frozen
class Queried:
    """A 200 answer to a query, in either envelope: the gateway's TaskDto wrapper
    (generations A and B), or Kling's own (generation C's Kling routes), whose `data` is
    Kling's view of the task and whose gateway status is Kling's, mapped."""

    data: dict[str, Any]
    native: bool

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def status(self) -> Any:
        if not self.native:
            return self.data.get("status")
        return _GATEWAY_STATUS_OF_KLING.get(str(self.data.get("task_status")))

    @property
    def kling(self) -> dict[str, Any]:
        """Kling's view of the task: `data.data.data` of the wrapper, `data` of Kling's."""
        if self.native:
            return self.data
        payload = self.data.get("data")
        inner = payload.get("data") if isinstance(payload, dict) else None
        return inner if isinstance(inner, dict) else {}


def _task(response: Response, case: Case) -> Queried | None:
    """The task of a 200 answer to a query, or None when this check does not apply."""
    if (
        case.operation.path not in TASK_ROUTES
        or case.method.upper() != "GET"
        or response.status_code != 200
    ):
        return None
    try:
        body = response.json()
    except ValueError:
        return None  # response_schema_conformance reports it
    task = body.get("data") if isinstance(body, dict) else None
    if not isinstance(task, dict):
        return None
    code = body.get("code")
    return Queried(task, native=isinstance(code, int) and not isinstance(code, bool))


TaskCheck = Callable[[Queried, Case], bool | None]


def on_task_answers(
    check: TaskCheck,
) -> Callable[[CheckContext, Response, Case], bool | None]:
    """A check of a query's 200 answer, in either envelope: it runs only there, on the task
    the answer is about (as schemathesis's own checks declare what they apply to), and says
    None (does not apply) everywhere else."""

    @functools.wraps(check)
    def applied(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        task = _task(response, case)
        return None if task is None else check(task, case)

    return applied


def _generation_c() -> bool:
    return _handoff().generation == "C"


def _not_found_on(path: str) -> tuple[int, str]:
    """What an unknown (or another user's) task answers on a query route: 400
    task_not_exist, except on generation C's Kling routes, 404 task_not_found."""
    if _generation_c() and path in NATIVE_ROUTES:
        return 404, "task_not_found"
    return 400, "task_not_exist"


def _video(response: Response, case: Case) -> dict[str, Any] | None:
    """The video object of a 200 answer to GET /v1/videos/{id}, or None."""
    if (
        case.operation.path != VIDEO_ROUTE
        or case.method.upper() != "GET"
        or response.status_code != 200
    ):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _same_token(response: Response) -> dict[str, str]:
    """The Authorization header the request was sent with (requests may keep it as bytes)."""
    auth = response.request.headers.get("Authorization")
    if isinstance(auth, bytes):
        auth = auth.decode("latin-1")
    return {"Authorization": auth} if auth else {}


def _base_url(response: Response) -> str:
    """The gateway's base URL, from a request to one of its /v1/videos routes."""
    return str(response.request.url).split("/v1/videos/", 1)[0]


def _envelope_of(response: Response, task_id: str) -> dict[str, Any]:
    """The task as the envelope route has it now, asked with the same token."""
    url = _base_url(response) + ENVELOPE_QUERY.format(task_id=task_id)
    try:
        answer = _second_user().get(url, headers=_same_token(response))
        task = answer.json().get("data") if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise AssertionError(
            f"the same task on /v1/video/generations could not be read ({type(exc).__name__})"
        ) from None
    if not isinstance(task, dict):
        raise AssertionError(  # noqa: TRY004 (a check's verdict, not a type error)
            f"task {task_id!r} reads on /v1/videos but not on /v1/video/generations "
            f"(HTTP {answer.status_code})"
        )
    return task


@schemathesis.check
def video_is_the_one_asked_for(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    video = _video(response, case)
    if video is None:
        return None
    asked = case.path_parameters.get("task_id")
    named = video.get("id", video.get("task_id"))
    if named != asked:
        raise AssertionError(
            f"asked for video {asked!r}, the answer is about {named!r}"
        )
    return True


@schemathesis.check
def families_agree_on_the_status(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """One task, two families: the video status is the one the task's status maps to
    (VideoStatus x-gateway-status), and so is its progress. A refresh pass may write the
    task between the two reads, so a disagreement is read once more before it counts."""
    video = _video(response, case)
    if (
        video is None
        or Family.GENERATIONS not in _handoff().families
        or video.get("status") not in {*_schema_facts()["VIDEO_STATUS_OF"].values()}
    ):
        return None
    task_id = case.path_parameters["task_id"]
    for attempt in (1, 2):
        task = _envelope_of(response, task_id)
        expected = _schema_facts()["VIDEO_STATUS_OF"].get(
            str(task.get("status")), "unknown"
        )
        progress = str(task.get("progress") or "0%").rstrip("%") or "0"
        if video.get("status") == expected and str(video.get("progress")) == progress:
            return True
        if attempt == 1:
            again = _second_user().get(
                str(response.request.url), headers=_same_token(response)
            )
            video = again.json() if again.status_code == 200 else video
    raise AssertionError(
        f"task {task_id!r} is {task.get('status')} {task.get('progress')} on "
        f"/v1/video/generations but {video.get('status')!r} {video.get('progress')!r} on "
        f"/v1/videos (expected {expected!r} {progress})"
    )


@cache
def _content_of(base: str, task_id: str, authorization: str) -> tuple[int, str, int]:
    """/content of one task, once per run: status, content type and length."""
    with _second_user().stream(
        "GET",
        base + CONTENT_ROUTE.format(task_id=task_id),
        headers={"Authorization": authorization},
    ) as answer:
        size = sum(len(chunk) for chunk in answer.iter_bytes())
        return answer.status_code, answer.headers.get("content-type", ""), size


@schemathesis.check
def completed_videos_are_served(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """A `completed` video names its URL (`metadata.url`) and /content serves it."""
    video = _video(response, case)
    if video is None or video.get("status") != "completed":
        return None
    metadata = video.get("metadata")
    named = isinstance(metadata, dict) and metadata.get("url")
    # Generation C's plugin names no URL here; /content still serves the video.
    if not named and not _generation_c():
        raise AssertionError("a completed video has no metadata.url")
    auth = _same_token(response).get("Authorization", "")
    try:
        status, content_type, size = _content_of(_base_url(response), video["id"], auth)
    except httpx.HTTPError as exc:
        raise AssertionError(
            f"/content of a completed video failed ({type(exc).__name__})"
        ) from None
    if status != 200 or size == 0 or "json" in content_type:
        raise AssertionError(
            f"/content of a completed video answered {status} {content_type!r}, "
            f"{size} bytes (expected 200 and the video)"
        )
    return True


@schemathesis.check
def content_answers_in_its_own_shape(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """/content: 200 is the video, never JSON; 404 is an unknown or foreign id; 400 is a
    task that exists but has not succeeded, in the route's own error shape."""
    if case.operation.path != CONTENT_ROUTE or case.method.upper() != "GET":
        return None
    content_type = (response.headers.get("content-type") or [""])[0].lower()
    if response.status_code == 200:
        if "json" in content_type or "html" in content_type:
            raise AssertionError(f"/content answered 200 with {content_type!r}")
        return True
    if response.status_code not in (400, 404) or not _has_auth(response):
        return None
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    message = error.get("message") if isinstance(error, dict) else None
    if not isinstance(message, str) or "code" in error:
        raise AssertionError(
            f"a {response.status_code} from /content must be {{error: {{message, type}}}}"
        )
    # The refusal names the status it saw: read from the same answer, no race with a pass.
    status = (
        message.rpartition("current status: ")[2]
        if "current status: " in message
        else None
    )
    if response.status_code == 400 and status == "SUCCESS":
        raise AssertionError("/content refused a task that has succeeded")
    return True


@schemathesis.check
@on_task_answers
def kling_routes_answer_in_their_generations_envelope(
    task: Queried, case: Case
) -> bool | None:
    """Generation C's Kling routes answer Kling's own envelope (the plugin's render); the
    older generations, and every generation's /v1/video/generations, the gateway's wrapper."""
    if not _handoff().generation:
        return None
    native_expected = _generation_c() and case.operation.path in NATIVE_ROUTES
    if task.native != native_expected:
        found = (
            "Kling's own envelope" if task.native else "the gateway's TaskDto wrapper"
        )
        wanted = "Kling's own envelope" if native_expected else "the TaskDto wrapper"
        raise AssertionError(
            f"a generation {_handoff().generation} gateway answered {case.operation.path} "
            f"in {found}, not {wanted}"
        )
    return True


@schemathesis.check
@on_task_answers
def task_is_the_one_asked_for(task: Queried, case: Case) -> bool | None:
    asked = case.path_parameters.get("task_id")
    if task.get("task_id") != asked:
        raise AssertionError(
            f"asked for task {asked!r}, the answer is about task {task.get('task_id')!r}"
        )
    return True


@schemathesis.check
@on_task_answers
def documented_statuses_only(task: Queried, case: Case) -> bool | None:
    """The client tolerates new statuses; the contract reports them as drift."""
    status = task.get("status")
    if not task.native and status not in _schema_facts()["DOCUMENTED_STATUSES"]:
        raise AssertionError(
            f"undocumented task status {status!r} (documented: {sorted(_schema_facts()['DOCUMENTED_STATUSES'])})"
        )
    kling_status = task.kling.get("task_status")
    if task.native and kling_status not in _schema_facts()["DOCUMENTED_KLING_STATUSES"]:
        raise AssertionError(
            f"undocumented Kling task_status {kling_status!r} in Kling's envelope"
        )
    if (
        kling_status is not None
        and kling_status not in _schema_facts()["DOCUMENTED_KLING_STATUSES"]
    ):
        raise AssertionError(f"undocumented Kling task_status {kling_status!r}")
    return True


@schemathesis.check
@on_task_answers
def status_and_progress_agree(task: Queried, case: Case) -> bool | None:
    progress = _schema_facts()["PROGRESS"]
    if task.native or task.get("status") not in progress:
        return None  # Kling's own envelope has no progress
    expected = progress[task.get("status")]
    if task.get("progress") != expected:
        raise AssertionError(
            f"status {task.status} comes with progress {expected!r}, got {task.get('progress')!r}"
        )
    return True


@schemathesis.check
@on_task_answers
def final_tasks_have_a_finish_time(task: Queried, case: Case) -> bool | None:
    if task.native:
        return None  # Kling's own envelope has no finish time
    finish = task.get("finish_time")
    if task.get("status") in FINAL:
        if not isinstance(finish, int) or finish <= 0:
            raise AssertionError(f"a {task.status} task has finish_time {finish!r}")
        submitted = task.get("submit_time")
        if isinstance(submitted, int) and submitted > finish:
            raise AssertionError(
                f"finish_time {finish} is before submit_time {submitted}"
            )
    elif finish not in (None, 0):
        raise AssertionError(
            f"a {task.get('status')} task already has finish_time {finish!r}"
        )
    return True


@schemathesis.check
@on_task_answers
def success_carries_a_video(task: Queried, case: Case) -> bool | None:
    if task.status != "SUCCESS":
        return None
    result = task.kling.get("task_result")
    videos = result.get("videos") if isinstance(result, dict) else None
    if not videos or not all(
        isinstance(v, dict) and isinstance(v.get("url"), str) and v["url"]
        for v in videos
    ):
        raise AssertionError(
            "a SUCCESS task has no video with a URL in its Kling task_result.videos"
        )
    return True


@schemathesis.check
@on_task_answers
def failure_carries_a_reason(task: Queried, case: Case) -> bool | None:
    if task.status != "FAILURE":
        return None
    if not task.get("fail_reason") and not task.kling.get("task_status_msg"):
        raise AssertionError(
            "a FAILURE task has neither fail_reason nor Kling's task_status_msg"
        )
    return True


@schemathesis.check
def known_tasks_are_found(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """The tasks the run was given exist; a 400 for them means the gateway lost or hid them."""
    known = _handoff().task_ids
    if (
        case.operation.path not in (*TASK_ROUTES, VIDEO_ROUTE, CONTENT_ROUTE)
        or case.path_parameters.get("task_id") not in known
    ):
        return None
    lost: tuple[int, ...] = (
        (400, 403) if case.operation.path != CONTENT_ROUTE else (403, 404)
    )
    if _generation_c() and case.operation.path in NATIVE_ROUTES:
        lost = (400, 403, 404)
    # Another method is not the route (a /v1 path answers it 404 Invalid URL).
    served = case.method.upper() == case.operation.method.upper()
    if served and response.status_code in lost and _has_auth(response):
        raise AssertionError(
            f"task {case.path_parameters['task_id']!r} exists for this token, yet the gateway "
            f"answered {response.status_code}"
        )
    return True


@schemathesis.check
def unknown_tasks_answer_as_documented(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """An unknown task is 400 task_not_exist on a query route, and on generation C's Kling
    routes 404 task_not_found in the plugin's shape (never the older 400)."""
    if (
        case.operation.path not in (*TASK_ROUTES, VIDEO_ROUTE)
        or case.method.upper() != "GET"
        or response.status_code not in (400, 404)
    ):
        return None
    status, expected = _not_found_on(case.operation.path)
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        code = None
    if status == 404 and response.status_code == 400 and code == "task_not_exist":
        raise AssertionError(
            "a generation C gateway answered an unknown task 400 task_not_exist on its "
            "Kling route: the plugin answers 404 task_not_found"
        )
    if response.status_code == status and code != expected:
        raise AssertionError(
            f"a {status} to a task query must carry code {expected!r}, got {code!r}"
        )
    return True


@cache
def _artifact_served(url: str) -> str | None:
    """What is wrong with an artifact's content URL, asked without a token: None when GET
    serves the file, HEAD agrees with it, and an altered access value is refused. Asked
    once per URL and run."""
    client = _second_user()
    whole = client.get(url)
    content_type = whole.headers.get("content-type", "")
    if whole.status_code != 200 or not whole.content or "json" in content_type:
        return (
            f"its content URL, asked without a token, answered {whole.status_code} "
            f"{content_type!r} (expected 200 and the file)"
        )
    head = client.head(url)
    if head.status_code != 200 or head.content:
        return f"HEAD of its content URL answered {head.status_code} with a body"
    length = head.headers.get("content-length")
    if length is not None and length != str(len(whole.content)):
        return f"HEAD says {length} bytes, GET sent {len(whole.content)}"
    altered = httpx.URL(url).copy_set_param("access", "A" * 43)
    refused = client.get(altered)
    # 429: the gateway's limit on wrong access values from one address, a refusal too.
    if refused.status_code not in (404, 429):
        return (
            f"an altered access value answered {refused.status_code} (expected the "
            "neutral 404: a forged capability must serve nothing)"
        )
    return None


@schemathesis.check
def artifacts_are_served_by_their_access_alone(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """Generation C: every artifact a task lists is served by its content URL without a
    token, HEAD agrees with GET, and the URL with its access value altered serves nothing.
    The access value is a credential: it never appears in a verdict."""
    if (
        case.operation.path != ARTIFACTS_ROUTE
        or case.method.upper() != "GET"
        or response.status_code != 200
    ):
        return None
    try:
        artifacts = response.json().get("artifacts")
    except (ValueError, AttributeError):
        return None
    for artifact in artifacts if isinstance(artifacts, list) else []:
        url = artifact.get("content_url") if isinstance(artifact, dict) else None
        if not isinstance(url, str) or not url:
            continue
        try:
            wrong = _artifact_served(url)
        except httpx.HTTPError as exc:
            wrong = f"its content URL could not be fetched ({type(exc).__name__})"
        if wrong is not None:
            raise AssertionError(f"artifact {artifact.get('key')!r}: {wrong}")
    return True


@cache
def _second_user() -> httpx.Client:
    """One pooled client for the checks' own requests (the isolation check, the other
    family, artifacts): a new one per answer would build a TLS context each time, which
    cost a third of a run's CPU. Closed when the run's process ends."""
    client = httpx.Client(timeout=10)
    atexit.register(client.close)
    return client


@schemathesis.check
def another_user_cannot_read_the_task(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """With KLING_OTHER_TOKEN, every task this token can read, and every video it can fetch
    from /content, is asked for with the other one: the answer must be the one an unknown
    task gets (400 task_not_exist; on /content, 404 in its own shape)."""
    other = _handoff().other_token
    content = (
        case.operation.path == CONTENT_ROUTE
        and case.method.upper() == "GET"
        and response.status_code == 200
    )
    if not other or (
        _task(response, case) is None and _video(response, case) is None and not content
    ):
        return None
    url = str(response.request.url)
    try:
        # Streamed: a video the other user must not get is not read, only its status.
        with _second_user().stream(
            "GET", url, headers={"Authorization": f"Bearer {other}"}
        ) as answer:
            if not (content and answer.status_code == 200):
                answer.read()
    except httpx.HTTPError as exc:
        raise AssertionError(
            f"gateway error, not an isolation verdict: asking with the second user's token "
            f"failed ({type(exc).__name__})"
        ) from None
    if answer.status_code >= 500:
        raise AssertionError(
            f"gateway error, not an isolation verdict: the second user's token got HTTP "
            f"{answer.status_code}"
        )
    if content:
        if answer.status_code != 404:
            raise AssertionError(
                f"another user's token fetched this task's video from /content: HTTP "
                f"{answer.status_code} (expected 404, exactly like an unknown task)"
            )
        return True
    try:
        code = answer.json().get("code")
    except (ValueError, AttributeError):
        code = None
    status, expected = _not_found_on(case.operation.path)
    if answer.status_code != status or code != expected:
        raise AssertionError(
            f"another user's token read this task: HTTP {answer.status_code}, code {code!r} "
            f"(expected {status} {expected}, exactly like an unknown task)"
        )
    return True


@schemathesis.check
def submit_answers_with_a_task_id(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    if case.operation.path not in SUBMIT_ROUTES or response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None  # response_schema_conformance reports it
    # `task_id` is due to be removed upstream; `id` then names the task. Generation C's
    # Kling routes answer Kling's create answer, the gateway's id in data.task_id.
    inner = body.get("data")
    candidates = [body.get("task_id"), body.get("id")]
    if isinstance(inner, dict):
        candidates.append(inner.get("task_id"))
    if not any(isinstance(c, str) and c for c in candidates):
        raise AssertionError(
            "a 200 submit answer has none of task_id, id and data.task_id to query"
        )
    return True


@schemathesis.check
def unserved_methods_are_not_routes(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """The gateway has no 404 or 405 for these paths: a method the spec does not list gets the
    dashboard's page (200 text/html) or a redirect to it. That answer is not a failure, and
    must never look like the route working: a JSON 2xx here means the gateway now serves a
    method the spec does not know."""
    if case.method.upper() == case.operation.method.upper():
        return None
    content_type = (response.headers.get("content-type") or [""])[0].lower()
    if 200 <= response.status_code < 300 and "json" in content_type:
        raise AssertionError(
            f"{case.method.upper()} {case.operation.path} answered {response.status_code} "
            "JSON: the gateway serves a method the spec does not list (drift)"
        )
    return True


@attrs.define
class TaskBudget:
    """Places taken in the task budget (--max-tasks): submits let through and not yet
    answered, and those answered with a new task. One per run (one process per run)."""

    limit: int | None
    taken: int = 0

    def take(self) -> bool:
        if self.limit is not None and self.taken >= self.limit:
            return False
        self.taken += 1
        return True

    def give_back(self) -> None:
        self.taken -= 1


@cache
def _budget() -> TaskBudget:
    return TaskBudget(_handoff().max_tasks)


def _is_submit(case: Case) -> bool:
    return (
        case.operation.path in SUBMIT_ROUTES
        and case.method.upper() == case.operation.method.upper() == "POST"
    )


@schemathesis.hook
def filter_case(ctx: HookContext, case: Case) -> bool:
    """With a task budget, every submit takes a place when it is generated (even a negative
    one: a gateway may accept what the spec says it refuses), and gives it back in
    after_call unless it created a task. Taking it at generation, not at the answer, keeps
    the bound strict: the coverage phase generates its cases ahead of sending them. (The
    runner turns off the two phases this hook cannot bound: see runner.derived_config.)"""
    if _budget().limit is None or not _is_submit(case):
        return True
    return _budget().take()


@schemathesis.hook
def after_call(ctx: HookContext, case: Case, response: Response) -> None:
    if _budget().limit is not None and _is_submit(case) and response.status_code != 200:
        _budget().give_back()


@schemathesis.hook
def before_call(ctx: HookContext, case: Case, **kwargs: Any) -> None:
    """Without permission to change state (no KLING_ALLOW_CREATE), a method the spec does not
    list is sent only to a task id that cannot exist, never to the run's real tasks."""
    probe = _handoff().probe_task_id
    if (
        probe
        and case.method.upper() != case.operation.method.upper()
        and "task_id" in (case.path_parameters or {})
    ):
        case.path_parameters = {**case.path_parameters, "task_id": probe}


_ANSWERS: dict[str, Answer] = {}


@cache
def _target_spec() -> dict[str, Any]:
    """The spec as the target's generation answers it (all of it when not known)."""
    if _handoff().spec_path is not None:
        return _spec()  # derived for the target already
    generation = _handoff().generation
    spec = for_generation(_spec(), Generation(generation)) if generation else _spec()
    return for_families(spec, _handoff().families)


@schemathesis.check
def record_answer_shapes(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """Not a judgement: writes each JSON answer's shape to the log the drift report is made
    from (drift.py), when the runner names one."""
    log = _handoff().shapes_log
    if not log or case.method.upper() != case.operation.method.upper():
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    answer = f"{case.method.upper()} {case.operation.path} {response.status_code}"
    if answer not in _ANSWERS:
        _ANSWERS[answer] = Answer.of(
            _target_spec(), case.operation.path, case.method, str(response.status_code)
        )
    record = observe(_ANSWERS[answer], answer, response.headers, body)
    with open(log, "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")
    return None


def _has_auth(response: Response) -> bool:
    return bool(response.request.headers.get("Authorization"))
