"""Kling's own API on the wire: task statuses, the answer envelope, error codes, a task's
lifecycle. One picture of Kling, used by the stand-in (`kling_upstream`) and by the gateway
emulator, which stores Kling's answers inside `data.data`.

Sources: Kling's API documentation ("General Information", "Image to Video"), and what a
gateway's Kling adaptor sends and reads (new-api `relay/channel/task/kling/adaptor.go`).
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

import attrs

JSON = dict[str, Any]


class TaskStatus(StrEnum):
    """Kling's `task_status`."""

    SUBMITTED = "submitted"
    PROCESSING = "processing"
    SUCCEED = "succeed"
    FAILED = "failed"


FINAL_STATUSES = frozenset({TaskStatus.SUCCEED, TaskStatus.FAILED})

# How a gateway reads Kling's status (ParseTaskResult); it has no other mapping.
GATEWAY_STATUS = {
    TaskStatus.SUBMITTED: "SUBMITTED",
    TaskStatus.PROCESSING: "IN_PROGRESS",
    TaskStatus.SUCCEED: "SUCCESS",
    TaskStatus.FAILED: "FAILURE",
}
# And back: what Kling last said of a task the gateway shows in a status. NOT_START is a
# task the gateway has not polled yet; QUEUED and UNKNOWN never come from Kling.
KLING_STATUS_OF_GATEWAY = {
    "NOT_START": TaskStatus.SUBMITTED,
    "SUBMITTED": TaskStatus.SUBMITTED,
    "QUEUED": TaskStatus.SUBMITTED,
    "IN_PROGRESS": TaskStatus.PROCESSING,
    "SUCCESS": TaskStatus.SUCCEED,
    "FAILURE": TaskStatus.FAILED,
    "UNKNOWN": TaskStatus.SUBMITTED,
}

MODELS = (
    "kling-v1", "kling-v1-5", "kling-v1-6", "kling-v2-master", "kling-v2-1",
    "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6",
)  # fmt: skip
DEFAULT_MODEL = "kling-v1"
FAILURE_REASON = "Failure to pass the risk control system"
VIDEO_DURATION = "5.0"  # of the stand-in's sample video (sample.mp4)


@attrs.frozen
class ErrorCode:
    code: int
    http_status: int
    message: str


# Kling's service codes and the HTTP status each comes with ("Error Code").
_ERRORS = (
    ErrorCode(1000, 401, "Authentication failed"),
    ErrorCode(1001, 401, "Authorization is empty"),
    ErrorCode(1002, 401, "Authorization is invalid"),
    ErrorCode(1003, 401, "Authorization is not yet valid"),
    ErrorCode(1004, 401, "Authorization has expired"),
    ErrorCode(1100, 429, "Account exception"),
    ErrorCode(1101, 429, "Account in arrears (postpaid scenario)"),
    ErrorCode(1102, 429, "Resource pack depleted or expired (prepaid scenario)"),
    ErrorCode(1103, 403, "Unauthorized access to requested resource"),
    ErrorCode(1200, 400, "Invalid request parameters"),
    ErrorCode(1201, 400, "Invalid parameters, such as incorrect key or illegal value"),
    ErrorCode(1202, 400, "The requested method is invalid"),
    ErrorCode(1203, 404, "The requested resource does not exist"),
    ErrorCode(1300, 400, "Trigger strategy of the platform"),
    ErrorCode(1301, 400, "Trigger the content security policy of the platform"),
    ErrorCode(1302, 429, "API request is too frequent"),
    ErrorCode(
        1303, 429, "Concurrency or QPS exceeds the prepaid resource package limit"
    ),
    ErrorCode(1304, 429, "Trigger the IP whitelisting policy"),
    ErrorCode(5000, 500, "Server internal error"),
    ErrorCode(5001, 503, "Server temporarily unavailable, usually due to maintenance"),
    ErrorCode(5002, 504, "Server internal timeout, usually due to a backlog"),
)
ERRORS = {error.code: error for error in _ERRORS}


def new_request_id() -> str:
    return str(uuid.uuid4())


def success(data: object, request_id: str) -> JSON:
    """Kling's envelope of a successful answer."""
    return {"code": 0, "message": "SUCCEED", "request_id": request_id, "data": data}


def failure(code: int, request_id: str, detail: str = "") -> tuple[int, JSON]:
    """Kling's error answer: its HTTP status and body. `detail` replaces the code's
    generic message where Kling says more."""
    error = ERRORS[code]
    return error.http_status, {
        "code": code,
        "message": detail or error.message,
        "request_id": request_id,
    }


@attrs.frozen
class Video:
    id: str
    url: str
    duration: str = VIDEO_DURATION


def task_data(
    *,
    task_id: str,
    status: TaskStatus,
    created_ms: int,
    updated_ms: int,
    external_task_id: str = "",
    status_msg: str = "",
    videos: tuple[Video, ...] = (),
) -> JSON:
    """A task as Kling's query answers carry it in `data` (and its callbacks post it)."""
    data: JSON = {
        "task_id": task_id,
        "task_status": status.value,
        "task_status_msg": status_msg,
        "task_info": {"external_task_id": external_task_id} if external_task_id else {},
        "created_at": created_ms,
        "updated_at": updated_ms,
    }
    if status is TaskStatus.SUCCEED:
        data["task_result"] = {"videos": [attrs.asdict(v) for v in videos]}
        data["final_unit_deduction"] = "1"
    return data


@attrs.frozen
class KlingLifecycle:
    """How long Kling takes with a task, in seconds: `submitted`, then `processing`, then
    succeed or failed. 90 s in all by default; `scaled(total)` keeps the proportions."""

    submitted: float = 30.0
    processing: float = 60.0

    @property
    def total(self) -> float:
        return self.submitted + self.processing

    @classmethod
    def scaled(cls, total: float) -> KlingLifecycle:
        factor = total / cls().total
        return cls(cls().submitted * factor, cls().processing * factor)

    def status_after(self, elapsed: float, fails: bool) -> TaskStatus:
        """Kling's status `elapsed` seconds after the submit."""
        if elapsed < self.submitted:
            return TaskStatus.SUBMITTED
        if elapsed < self.total:
            return TaskStatus.PROCESSING
        return TaskStatus.FAILED if fails else TaskStatus.SUCCEED

    def changed_at(self, status: TaskStatus) -> float:
        """Seconds after the submit at which a task reaches `status`."""
        if status is TaskStatus.SUBMITTED:
            return 0.0
        if status is TaskStatus.PROCESSING:
            return self.submitted
        return self.total
