"""Route families, and how a gateway says it does not serve one.

A gateway serves a task on up to four families of routes: the Kling routes, the unified
`/v1/video/generations` and `/v1/videos` ones, and generation C's `/v1/tasks`. A fork, an
older build or a gateway with the unified routes switched off serves fewer. A family it does
not serve answers every path with the gateway's not-a-route answer (router/web-router.go's
NoRoute, see openapi.yaml): a JSON 404 `Invalid URL (METHOD PATH)` under `/v1`, the
dashboard's HTML page (or a redirect to the dashboard's own site) elsewhere. The client, the
contract suite and kling-compare all ask this module, so that "not served" means one thing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from enum import StrEnum


class Family(StrEnum):
    KLING = "kling"
    GENERATIONS = "generations"
    VIDEOS = "videos"
    TASKS = "tasks"


FAMILIES: tuple[Family, ...] = tuple(Family)
# Each family's routes share a prefix; the longest prefix that matches a path wins.
_PREFIXES: tuple[tuple[str, Family], ...] = (
    ("/kling/", Family.KLING),
    ("/v1/video/generations", Family.GENERATIONS),
    ("/v1/videos", Family.VIDEOS),
    ("/v1/tasks", Family.TASKS),
)
# NoRoute's JSON 404 message starts so (a fixed, unlocalized text of gin's NoRoute handler).
_INVALID_URL = "Invalid URL ("


def family_of(path: str) -> Family | None:
    """The family a request path belongs to, or None for a path of no family."""
    for prefix, family in _PREFIXES:
        if path == prefix.rstrip("/") or path.startswith(prefix):
            rest = path[len(prefix) :]
            # /v1/videos is not /v1/videosX.
            if prefix.endswith("/") or not rest or rest.startswith("/"):
                return family
    return None


def parse_families(value: str | Iterable[str]) -> tuple[Family, ...]:
    """A comma-separated list (or names) of families, in the order of FAMILIES; ValueError
    naming the valid ones for anything else, or for an empty list."""
    names = value.split(",") if isinstance(value, str) else list(value)
    chosen: set[Family] = set()
    for name in names:
        name = name.strip().lower()
        if not name:
            continue
        try:
            chosen.add(Family(name))
        except ValueError:
            raise ValueError(
                f"{name!r} is not a route family: choose from " + ", ".join(FAMILIES)
            ) from None
    if not chosen:
        raise ValueError("no route family given: choose from " + ", ".join(FAMILIES))
    return tuple(f for f in FAMILIES if f in chosen)


def is_not_a_route(
    status: int, headers: Mapping[str, str], body: bytes | str | None
) -> bool:
    """Whether an answer is the gateway's not-a-route answer: what every path of a family
    the gateway does not serve gets. A gateway's own 404 for an unknown task (generation C's
    `Task not found`) is an answer of a route, not this."""
    content_type = headers.get("content-type", "").lower()
    if status in (301, 302, 303, 307, 308):
        # NoRoute's redirect to the dashboard's own site (FRONTEND_BASE_URL); gin's trailing
        # slash redirects stay on the gateway, and a path without one never gets them.
        return bool(headers.get("location", "").startswith(("http://", "https://")))
    if status == 200:
        return content_type.startswith("text/html")
    if status != 404 or "json" not in content_type:
        return False
    try:
        answer = json.loads(body or b"")
    except ValueError:
        return False
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict):
        return False
    message = error.get("message")
    return (
        error.get("type") == "invalid_request_error"
        and isinstance(message, str)
        and message.startswith(_INVALID_URL)
    )
