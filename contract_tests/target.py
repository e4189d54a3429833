"""Which gateway a contract run checks, and whether it can be checked at all."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

import attrs
import httpx

QUERY = "/kling/v1/videos/image2video/{task_id}"
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
    # "A" or "B" (see openapi.yaml); for a live gateway, learnt from its first answer.
    generation: str | None = None
    # A token limited to some models answers 403, not 400, for a task id it does not know.
    model_limited: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Target | None:
        """The live gateway named by KLING_* variables, or None when KLING_BASE_URL is unset."""
        base_url = env.get("KLING_BASE_URL", "").strip()
        if not base_url:
            return None
        missing = [
            name
            for name in ("KLING_API_TOKEN", "KLING_TASK_ID")
            if not env.get(name, "").strip()
        ]
        if missing:
            raise TargetError(
                f"KLING_BASE_URL is set, so {' and '.join(missing)} must be set too"
            )
        if not base_url.startswith(("http://", "https://")):
            raise TargetError("KLING_BASE_URL must start with http:// or https://")
        return cls(
            label="live",
            base_url=base_url.rstrip("/"),
            token=env["KLING_API_TOKEN"].strip(),
            task_ids=(env["KLING_TASK_ID"].strip(),),
            other_token=env.get("KLING_OTHER_TOKEN", "").strip() or None,
            allow_create=env.get("KLING_ALLOW_CREATE", "") == "1",
        )


def generation_of(task: object) -> str:
    """The generation of a task object: B sends its database fields (`id`, `created_at`)."""
    if isinstance(task, dict) and "id" in task and "created_at" in task:
        return "B"
    return "A"


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
        probe = client.get(QUERY.format(task_id=PROBE_TASK_ID), headers=headers)
        model_limited = probe.status_code == 403
        if target.other_token:
            other = {"Authorization": f"Bearer {target.other_token}"}
            response = client.get(
                QUERY.format(task_id=quote(target.task_ids[0], safe="")), headers=other
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


def env_for_checks(target: Target) -> dict[str, str]:
    """What the schemathesis process and its custom checks need to know about the target."""
    env = {
        "KLING_API_TOKEN": target.token,
        "KLING_CONTRACT_TASK_IDS": ",".join(target.task_ids),
    }
    if target.other_token:
        env["KLING_OTHER_TOKEN"] = target.other_token
    return env
