"""What everyone needs from a task, read safely from the generated `Task` model."""

from __future__ import annotations

from kling_gateway_api.models import (
    KlingResponse,
    KlingTask,
    KlingTaskResult,
    KlingVideo,
    Task,
    TaskStatus,
)

FINAL_STATUSES = frozenset({TaskStatus.SUCCESS, TaskStatus.FAILURE})


def status_of(task: Task) -> TaskStatus | str:
    """The status as a `TaskStatus` when it is a documented one, else the string sent."""
    try:
        return TaskStatus(task.status)
    except ValueError:
        return str(task.status)


def is_final(task: Task) -> bool:
    return status_of(task) in FINAL_STATUSES


def is_success(task: Task) -> bool:
    return status_of(task) == TaskStatus.SUCCESS


def progress_of(task: Task) -> float | None:
    """`"30%"` as 30.0; None when the gateway sent no usable percentage."""
    text = str(task.progress).strip().removesuffix("%").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 100.0 else None


def _kling_task(task: Task) -> KlingTask | None:
    """Kling's own view of the task, when the gateway's payload has the documented shape.

    The generated parser keeps a payload it cannot read as the raw JSON value (a dict, a list,
    ...), so every level is checked before it is read."""
    payload = task.data
    if not isinstance(payload, KlingResponse):
        return None
    inner = payload.data
    return inner if isinstance(inner, KlingTask) else None


def videos_of(task: Task) -> list[KlingVideo]:
    """Kling's videos for the task (empty until SUCCESS, and when the payload is malformed)."""
    inner = _kling_task(task)
    result = inner.task_result if inner is not None else None
    if not isinstance(result, KlingTaskResult) or not isinstance(result.videos, list):
        return []
    return [video for video in result.videos if isinstance(video, KlingVideo)]


def video_urls(task: Task) -> list[str]:
    """The video URLs, falling back to generation B's `result_url` when Kling's list is empty."""
    urls = [v.url for v in videos_of(task) if isinstance(v.url, str) and v.url]
    if (
        not urls
        and is_success(task)
        and isinstance(task.result_url, str)
        and task.result_url
    ):
        urls.append(task.result_url)
    return urls


def fail_reason_of(task: Task) -> str:
    """Why a FAILURE task failed: the gateway's reason, else Kling's status message."""
    if isinstance(task.fail_reason, str) and task.fail_reason:
        return task.fail_reason
    inner = _kling_task(task)
    message = inner.task_status_msg if inner is not None else None
    return message if isinstance(message, str) else ""
