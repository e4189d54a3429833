"""Which gateway a contract run checks, and whether it can be checked at all."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from functools import cache

import attrs
import httpx

import kling_gateway as kg
from kling_common.exit_codes import ExitCode
from kling_common.families import FAMILIES, Family
from kling_common.generation import Generation
from kling_common.wire import MODELS
from kling_gateway._response import AUTHENTICATION_HINT
from kling_gateway._routes import Route

from .handoff import HandOff
from .served import Families, families_in, probe, query_path
from .spec import for_generation, load_spec

QUERY = "/kling/v1/videos/image2video/{task_id}"
# What a task id and a token may be: the spec's rules (the client holds the same ones).
_SPEC = load_spec()
_TASK_ID = _SPEC["components"]["parameters"]["TaskId"]["schema"]
TASK_ID = re.compile(_TASK_ID["pattern"])
TASK_ID_MAX_LENGTH: int = _TASK_ID["maxLength"]
TOKEN = re.compile(
    _SPEC["components"]["securitySchemes"]["bearerAuth"]["x-token-pattern"]
)
# A task id no gateway has: its answer tells whether the token is limited to some models.
PROBE_TASK_ID = "kling_contract_probe_0"


# How to make a task to check against, when the run may not make one itself.
HOW_TO_GET_A_TASK = (
    "create one with `kling submit --image URL --prompt TEXT --wait` (it costs money), or "
    "let this run create its own with --allow-create"
)


class TargetError(Exception):
    """The run cannot test anything: say why instead of passing, with the exit code of the
    shared table that says what to fix (the options by default)."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.code = code


def code_of(exc: kg.KlingError) -> ExitCode:
    """The shared table's code for a gateway's refusal or failure."""
    if isinstance(exc, kg.AuthenticationError | kg.PermissionDeniedError):
        return ExitCode.TOKEN
    if isinstance(exc, kg.TaskNotFoundError):
        return ExitCode.TASK_NOT_FOUND
    return ExitCode.GATEWAY


@attrs.frozen
class Target:
    label: str
    base_url: str
    token: str = attrs.field(repr=False)
    task_ids: tuple[str, ...]
    other_token: str | None = attrs.field(default=None, repr=False)
    allow_create: bool = False
    # With allow_create: at most this many tasks created by the run (None: as many as the
    # phases make, about 370 at the default 100 examples).
    max_tasks: int | None = None
    # See openapi.yaml; for a live gateway, learnt from its first answer.
    generation: Generation | None = None
    # A token limited to some models answers 403, not 400, for a task id it does not know.
    model_limited: bool = False
    # The models the gateway has a channel for: submits name these (any other model is a
    # 503 model_not_found, a faithful answer that tests nothing more).
    models: tuple[str, ...] = MODELS
    # The task the run created to check against, when it was given none.
    own_task: str = ""
    # The route families asked for (--families); `explicit` when named by the user, so that
    # one the gateway does not serve is a failure rather than a report.
    families: tuple[Family, ...] = FAMILIES
    families_explicit: bool = False
    # Learnt by the preflight: how the generation was told, and what each family gets.
    generation_evidence: str = ""
    served: Families | None = None

    @classmethod
    def live(
        cls,
        base_url: str,
        token: str,
        task_ids: tuple[str, ...],
        *,
        other_token: str | None = None,
        allow_create: bool = False,
        max_tasks: int | None = None,
        models: tuple[str, ...] = MODELS,
        families: tuple[Family, ...] = FAMILIES,
        families_explicit: bool = False,
    ) -> Target:
        """A live gateway, checked for what can be checked before any request."""
        base_url = base_url.strip().rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise TargetError("the base URL must start with http:// or https://")
        try:
            httpx.URL(base_url)
        except httpx.InvalidURL as exc:
            raise TargetError(f"the base URL is not a valid URL: {exc}") from None
        for name, value in (
            ("KLING_API_TOKEN", token),
            ("KLING_OTHER_TOKEN", other_token),
        ):
            if value is not None and value and not TOKEN.fullmatch(value):
                raise TargetError(
                    f"{name} contains spaces, control or non-ASCII characters; a gateway "
                    "token is visible ASCII only"
                )
        if not token:
            raise TargetError("a live run needs KLING_API_TOKEN (never an option)")
        if not task_ids and not allow_create:
            raise TargetError(
                "a live run needs a task id (--task-id or KLING_TASK_ID): "
                + HOW_TO_GET_A_TASK
            )
        if max_tasks is not None and (max_tasks < 0 or not allow_create):
            raise TargetError(
                "--max-tasks bounds what --allow-create creates: a count of 0 or more, "
                "with --allow-create"
            )
        if not models or not all(models):
            raise TargetError("--models needs at least one model name")
        for task_id in task_ids:
            if len(task_id) > TASK_ID_MAX_LENGTH or not TASK_ID.fullmatch(task_id):
                raise TargetError(
                    f"task id {task_id[:40]!r} is not a gateway task id (letters, digits, "
                    "'_' and '-')"
                )
        return cls(
            label="live",
            base_url=base_url,
            token=token,
            task_ids=task_ids,
            other_token=other_token or None,
            allow_create=allow_create,
            max_tasks=max_tasks,
            models=models,
            families=families,
            families_explicit=families_explicit,
        )


def generation_of(body: object) -> Generation:
    """The generation of a query's 200 answer: C answers Kling's own envelope (its `code`
    is the number 0), B's task has its database fields (`id`, `created_at`), A's has not."""
    return told_generation(body)[0]


def told_generation(body: object) -> tuple[Generation, str]:
    """generation_of, with what in the answer told it."""
    if not isinstance(body, dict):
        return Generation.A, "the task's answer is not an object"
    code = body.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        return Generation.C, "the task's answer is Kling's own envelope (code 0)"
    task = body.get("data")
    if isinstance(task, dict) and "id" in task and "created_at" in task:
        return (
            Generation.B,
            "the task's answer has the database fields id and created_at",
        )
    return Generation.A, "the task's answer has no database fields (id, created_at)"


@cache
def probe_image() -> str:
    """A 320x320 PNG (a grey gradient) as raw Base64: an image Kling takes (sides of at least
    300 px, PNG), made here so that a run's own task needs no image hosted anywhere."""
    side = 320
    # Each row: filter type 0, then one grey byte per pixel.
    rows = b"".join(
        b"\x00" + bytes((x + y) * 255 // (2 * side) for x in range(side))
        for y in range(side)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode("ascii")


def with_a_task_of_its_own(target: Target, timeout: float = 60.0) -> Target:
    """A live run that may create tasks and was given none: one task, created for it (and
    counted against --max-tasks). Any other target as it is."""
    if target.task_ids or not target.allow_create:
        return target
    if target.max_tasks == 0:
        raise TargetError(
            "--max-tasks 0 leaves no task for the run to create: give one with --task-id"
        )
    with _client(target.base_url, target.token, timeout) as client:
        try:
            submitted = client.submit(
                model=target.models[0],
                image=probe_image(),
                prompt="kling-contract: a task for the contract checks",
                duration="5",
            )
        except kg.KlingError as exc:
            raise TargetError(
                f"creating a task to check against failed: {exc}", code_of(exc)
            ) from None
    remaining = None if target.max_tasks is None else target.max_tasks - 1
    return attrs.evolve(
        target,
        task_ids=(submitted.task_id,),
        max_tasks=remaining,
        own_task=submitted.task_id,
    )


def preflight(target: Target, timeout: float = 15.0) -> Target:
    """Fail early, and clearly, when the token or the task id cannot work; else the target,
    with its generation learnt from the first task's answer.

    Asks as the client does, so that a refusal reads as the client explains it; but an
    answer the client finds mis-shaped is the suite's to judge, not a reason to test nothing."""
    generation = target.generation
    evidence = "the embedded emulator's generation" if generation else ""
    # The first task is read on a family the run checks that answers the task envelope.
    first = (
        Family.GENERATIONS
        if Family.GENERATIONS in target.families and Family.KLING not in target.families
        else Family.KLING
    )
    route: Route = "generations" if first is Family.GENERATIONS else "image2video"
    with _client(target.base_url, target.token, timeout) as client:
        for task_id in target.task_ids:
            try:
                raw = client.with_raw_response.get(task_id, route=route)
                body = raw.http_response.json()
            except kg.MalformedResponseError as exc:
                body = _json_object(exc) if exc.status_code == 200 else None
                if body is None:
                    raise TargetError(
                        _refusal(target, task_id, exc), ExitCode.GATEWAY
                    ) from None
            except kg.TaskNotFoundError:
                raise TargetError(
                    f"task {task_id!r} does not exist for this token's user: "
                    + HOW_TO_GET_A_TASK,
                    ExitCode.TASK_NOT_FOUND,
                ) from None
            except kg.PermissionDeniedError:
                raise TargetError(
                    "the gateway refused the token (HTTP 403): its user is banned, it names "
                    "a channel, or it is limited to models that do not include this task's",
                    ExitCode.TOKEN,
                ) from None
            except kg.KlingError as exc:
                raise TargetError(
                    _refusal(target, task_id, exc), code_of(exc)
                ) from None
            if generation is None:
                generation, evidence = told_generation(body)
                evidence += " on " + query_path(first)
        if (
            target.generation is None
            and generation is not Generation.C
            and _serves_tasks_routes(client, target)
        ):
            generation = Generation.C
            evidence = "it serves generation C's /v1/tasks/{task_id}"
        model_limited = _answers_403_for_unknown_tasks(client, target)
    assert generation is not None
    served = _served_families(target, generation, timeout)
    if target.other_token:
        _check_other_token(target, timeout)
    return attrs.evolve(
        target,
        generation=generation,
        generation_evidence=evidence,
        model_limited=model_limited,
        served=served,
    )


def _served_families(
    target: Target, generation: Generation, timeout: float
) -> Families:
    """The families asked for that the generation has, each asked once whether the gateway
    serves it; a family the generation does not have (/v1/tasks before C) is neither checked
    nor reported."""
    spec = for_generation(load_spec(), generation)
    families = [f for f in families_in(spec) if f in target.families]
    headers = {"Authorization": f"Bearer {target.token}"}
    try:
        with httpx.Client(timeout=timeout, headers=headers, trust_env=False) as client:
            found = probe(client, target.base_url, target.task_ids[0], families, spec)
    except httpx.HTTPError as exc:
        raise TargetError(
            f"{target.base_url} stopped answering while its route families were asked "
            f"({type(exc).__name__})",
            ExitCode.GATEWAY,
        ) from None
    return attrs.evolve(found, explicit=target.families_explicit)


def _client(base_url: str, token: str, timeout: float) -> kg.KlingClient:
    # One attempt: a preflight that waits through retries tells the user nothing sooner.
    return kg.KlingClient(
        base_url, token, timeout=timeout, retry=kg.RetryPolicy(max_retries=0)
    )


def _json_object(exc: kg.APIError) -> dict[str, object] | None:
    try:
        body = exc.response.json() if exc.response is not None else None
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _refusal(target: Target, task_id: str, exc: kg.KlingError) -> str:
    """Why the run cannot test anything, in the client's own words."""
    if isinstance(exc, kg.AuthenticationError):
        return f"the gateway rejected the token (HTTP 401): {AUTHENTICATION_HINT}"
    if isinstance(exc, kg.APIConnectionError):
        return f"{target.base_url} is unreachable: {exc}"
    return f"querying task {task_id!r} failed: {exc}"


def _serves_tasks_routes(client: kg.KlingClient, target: Target) -> bool:
    """Whether the gateway serves its own view of the task (/v1/tasks/{id}), generation C's,
    whatever its Kling route answered: a 1.0 gateway whose Kling route lost the plugin's
    envelope is a broken generation C gateway, not an older one."""
    try:
        client.get(target.task_ids[0], route="tasks")
    except kg.KlingError:
        return False
    return True


def _answers_403_for_unknown_tasks(client: kg.KlingClient, target: Target) -> bool:
    """Whether the token is limited to some models: such a token answers 403 for a task id
    it does not know, where others answer that the task does not exist."""
    try:
        client.get(PROBE_TASK_ID)
    except kg.PermissionDeniedError:
        return True
    except kg.APIConnectionError as exc:
        raise TargetError(
            f"{target.base_url} stopped answering: {exc}", ExitCode.GATEWAY
        ) from None
    except kg.KlingError:
        return False
    return False


def _check_other_token(target: Target, timeout: float) -> None:
    """KLING_OTHER_TOKEN must be a working token: the gateway may refuse it the task, but
    not the token itself, and must not fail."""
    assert target.other_token is not None
    with _client(target.base_url, target.other_token, timeout) as client:
        try:
            client.get(target.task_ids[0])
        except (kg.AuthenticationError, kg.PermissionDeniedError) as exc:
            raise TargetError(
                f"the gateway rejected KLING_OTHER_TOKEN (HTTP {exc.status_code})",
                ExitCode.TOKEN,
            ) from None
        except kg.APIConnectionError as exc:
            raise TargetError(
                f"asking with KLING_OTHER_TOKEN failed: {exc}", ExitCode.GATEWAY
            ) from None
        except kg.APIStatusError as exc:
            if exc.status_code >= 500:
                raise TargetError(
                    f"the gateway failed (HTTP {exc.status_code}) for KLING_OTHER_TOKEN",
                    ExitCode.GATEWAY,
                ) from None
        except kg.KlingError:
            pass  # an answer the suite will judge


def handoff_for(
    target: Target, shapes_log: str, spec_path: str | None = None
) -> HandOff:
    """What the schemathesis process and its custom checks need to know about the target."""
    return HandOff(
        token=target.token,
        task_ids=frozenset(target.task_ids),
        probe_task_id=None if target.allow_create else PROBE_TASK_ID,
        other_token=target.other_token,
        shapes_log=shapes_log,
        max_tasks=target.max_tasks,
        generation=target.generation.value if target.generation else "",
        families=target.served.checked if target.served else target.families,
        spec_path=spec_path,
    )
