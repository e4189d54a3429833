"""Which gateway a contract run checks, and whether it can be checked at all."""

from __future__ import annotations

import re
from urllib.parse import quote

import attrs
import httpx

from kling_common.generation import Generation
from kling_common.wire import MODELS

from .handoff import HandOff
from .spec import load_spec

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


class TargetError(Exception):
    """The run cannot test anything: say why instead of passing."""


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
        if not task_ids:
            raise TargetError("a live run needs a task id (--task-id or KLING_TASK_ID)")
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
        )


def generation_of(task: object) -> Generation:
    """The generation of a task object: B sends its database fields (`id`, `created_at`)."""
    if isinstance(task, dict) and "id" in task and "created_at" in task:
        return Generation.B
    return Generation.A


def preflight(target: Target, timeout: float = 15.0) -> Target:
    """Fail early, and clearly, when the token or the task id cannot work; else the target,
    with its generation learnt from the first task's answer."""
    generation = target.generation
    headers = {"Authorization": f"Bearer {target.token}"}
    with httpx.Client(base_url=target.base_url, timeout=timeout) as client:
        for task_id in target.task_ids:
            url = QUERY.format(task_id=quote(task_id, safe=""))
            try:
                response = client.get(url, headers=headers)
            except httpx.TransportError as exc:
                raise TargetError(
                    f"{target.base_url} is unreachable: {type(exc).__name__}"
                ) from None
            if response.status_code == 401:
                raise TargetError(
                    "the gateway rejected the token (HTTP 401): it is wrong, disabled or "
                    "expired, or its quota is used up (a current gateway answers all of "
                    "these alike)"
                )
            if response.status_code == 403:
                raise TargetError(
                    "the gateway refused the token (HTTP 403): its user is banned, it names "
                    "a channel, or it is limited to models that do not include this task's"
                )
            if response.status_code == 400 and _code(response) == "task_not_exist":
                raise TargetError(
                    f"task {task_id!r} does not exist for this token's user"
                )
            if response.status_code != 200:
                raise TargetError(
                    f"querying task {task_id!r} answered HTTP {response.status_code}, not 200"
                )
            body = _json(response)
            if body is None:
                raise TargetError(
                    f"querying task {task_id!r} answered 200 with "
                    f"{response.headers.get('content-type', 'no content type')}, not JSON: "
                    "is KLING_BASE_URL the gateway's API address?"
                )
            if generation is None and isinstance(body, dict):
                generation = generation_of(body.get("data"))
        try:
            probe = client.get(QUERY.format(task_id=PROBE_TASK_ID), headers=headers)
        except httpx.TransportError as exc:
            raise TargetError(
                f"{target.base_url} stopped answering: {type(exc).__name__}"
            ) from None
        model_limited = probe.status_code == 403
        if target.other_token:
            other = {"Authorization": f"Bearer {target.other_token}"}
            try:
                response = client.get(
                    QUERY.format(task_id=quote(target.task_ids[0], safe="")),
                    headers=other,
                )
            except httpx.TransportError as exc:
                raise TargetError(
                    f"asking with KLING_OTHER_TOKEN failed: {type(exc).__name__}"
                ) from None
            if response.status_code >= 500:
                raise TargetError(
                    f"the gateway failed (HTTP {response.status_code}) for KLING_OTHER_TOKEN"
                )
            if response.status_code in (401, 403):
                raise TargetError(
                    f"the gateway rejected KLING_OTHER_TOKEN (HTTP {response.status_code})"
                )
    return attrs.evolve(target, generation=generation, model_limited=model_limited)


def _json(response: httpx.Response) -> object | None:
    try:
        return response.json()  # type: ignore[no-any-return]
    except ValueError:
        return None


def _code(response: httpx.Response) -> str | None:
    body = _json(response)
    return body.get("code") if isinstance(body, dict) else None


def handoff_for(target: Target, shapes_log: str) -> HandOff:
    """What the schemathesis process and its custom checks need to know about the target."""
    return HandOff(
        token=target.token,
        task_ids=frozenset(target.task_ids),
        probe_task_id=None if target.allow_create else PROBE_TASK_ID,
        other_token=target.other_token,
        shapes_log=shapes_log,
        max_tasks=target.max_tasks,
    )
