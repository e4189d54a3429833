"""What everyone needs from a task, read safely from the generated `Task` model."""

from __future__ import annotations

from kling_gateway_api.models import KlingVideo, Task, TaskStatus
from kling_gateway_api.types import Unset

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


def videos_of(task: Task) -> list[KlingVideo]:
    """Kling's videos for the task (empty until SUCCESS)."""
    if task.data is None or isinstance(task.data.data, Unset):
        return []
    result = task.data.data.task_result
    if isinstance(result, Unset) or isinstance(result.videos, Unset):
        return []
    return list(result.videos)


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
    if task.data is not None and not isinstance(task.data.data, Unset):
        message = task.data.data.task_status_msg
        if isinstance(message, str) and message:
            return message
    return ""
