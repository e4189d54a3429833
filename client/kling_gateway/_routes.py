"""The route families the client speaks, and the generated operation behind each call.

The paths, methods and bodies come from the spec through the generated modules, and each
answer is parsed once, by the generated models, then read in the client's terms (a reader
of _response.py): every family answers the same `Task`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, TypeVar

import httpx

from kling_gateway_api.api.tasks import (
    get_image_to_video_task,
    get_task_summary,
    get_text_to_video_task,
    list_task_artifacts,
    submit_image_to_video_task,
    submit_text_to_video_task,
)
from kling_gateway_api.api.unified import (
    create_video,
    get_video,
    get_video_content,
    get_video_generation,
    submit_video_generation,
)
from kling_gateway_api.models import (
    ImageToVideoRequest,
    TextToVideoRequest,
    VideoSubmitRequest,
)

from . import errors
from ._generated import Endpoint, endpoint
from ._response import task_from, task_from_summary, task_from_video
from ._task_model import Task

T = TypeVar("T")
# The families of routes a task is asked on: the two Kling routes, the unified ones, and
# generation C's own view of a task (`tasks`, queries only).
Route = Literal["image2video", "text2video", "generations", "videos", "tasks"]
# The Kling routes, whose generation C answers cannot show a task the gateway failed itself.
KLING_ROUTES = frozenset({"image2video", "text2video"})
UNIFIED_ROUTES = frozenset({"generations", "videos"})
SubmitRequest = ImageToVideoRequest | TextToVideoRequest | VideoSubmitRequest
# How a query's answer becomes a Task: (response, parsed, the id asked for).
Reader = Callable[[httpx.Response, object, str], Task]

QUERIES: dict[str, tuple[Endpoint[object], Reader]] = {
    "image2video": (endpoint(get_image_to_video_task), task_from),
    "text2video": (endpoint(get_text_to_video_task), task_from),
    "generations": (endpoint(get_video_generation), task_from),
    # /v1/videos answers a Video, read in the client's terms.
    "videos": (endpoint(get_video), task_from_video),
    # Generation C's own view of a task: its status, reason and times, no video URL.
    "tasks": (endpoint(get_task_summary), task_from_summary),
}
SUBMITS: dict[str, tuple[type[SubmitRequest], Endpoint[object]]] = {
    "image2video": (ImageToVideoRequest, endpoint(submit_image_to_video_task)),
    "text2video": (TextToVideoRequest, endpoint(submit_text_to_video_task)),
    "generations": (VideoSubmitRequest, endpoint(submit_video_generation)),
    "videos": (VideoSubmitRequest, endpoint(create_video)),
}
# A finished task's video through the gateway: generation C's artifact list, and the
# /content route of /v1/videos.
ARTIFACTS = endpoint(list_task_artifacts)
CONTENT = endpoint(get_video_content)


def route_entry(table: Mapping[str, T], route: str) -> T:
    try:
        return table[route]
    except KeyError:
        raise errors.ConfigurationError(f"unknown route {route!r}") from None
