"""JSON bodies as the real gateway writes them, for either generation."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from kling_common import wire
from kling_common.generation import Generation

from . import native
from .tasks import FINAL, PROGRESS, VIDEO_STATUS, TaskRecord, random_label

JSON = dict[str, Any]
# Generation C's names of the two actions (NormalizeTaskAction).
NORMALISED_ACTION = {"generate": "image_to_video", "textGenerate": "text_to_video"}


def request_id() -> str:
    """The gateway's request id: a timestamp and eight random characters."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + random_label(8)


def gateway_error(
    message: str, rid: str, *, type_: str = "new_api_error", code: str = ""
) -> JSON:
    """The authentication and routing layer's shape (E1)."""
    return {
        "error": {
            "message": f"{message} (request id: {rid})",
            "type": type_,
            "code": code,
        }
    }


def panic_error(detail: str) -> JSON:
    """What the gateway's panic recovery answers (middleware/recover.go): E1 without code."""
    return {
        "error": {
            "message": f"Panic detected, error: {detail}. Please submit a issue here: "
            "https://github.com/Calcium-Ion/new-api",
            "type": "new_api_panic",
        }
    }


def task_error(code: str, message: str) -> JSON:
    """The task layer's shape (E2)."""
    return {"code": code, "message": message, "data": None}


def video_url(base_url: str, record: TaskRecord) -> str:
    return f"{base_url.rstrip('/')}/emulator/videos/{record.kling_id}.mp4"


def kling_payload(record: TaskRecord, status: str, now: float, base_url: str) -> JSON:
    """Kling's last answer, as the gateway stores it in `data.data`. A task the gateway
    failed itself keeps the answer Kling last gave: still running."""
    if record.kling_answer is not None:
        return record.kling_answer
    if record.failed_by_gateway and status == "FAILURE":
        status = "IN_PROGRESS"
    created_ms = int(record.submitted_at * 1000)
    kling_status = wire.KLING_STATUS_OF_GATEWAY[status]
    videos: tuple[wire.Video, ...] = ()
    if kling_status is wire.TaskStatus.SUCCEED:
        video_id = str(int(record.kling_id) + 1)
        videos = (wire.Video(id=video_id, url=video_url(base_url, record)),)
    inner = wire.task_data(
        task_id=record.kling_id,
        status=kling_status,
        created_ms=created_ms,
        # Kling's own clock: the row's write time is whole seconds, Kling's never precedes
        # its creation (GET /v1/videos shows both as created_at and completed_at).
        updated_ms=max(created_ms, record.updated_at(now) * 1000)
        if status != "NOT_START"
        else created_ms,
        external_task_id=record.external_task_id,
        status_msg=wire.FAILURE_REASON if status == "FAILURE" else "",
        videos=videos,
    )
    return wire.success(inner, str(uuid.UUID(int=int(record.kling_id))))


def task_body(
    record: TaskRecord, now: float, generation: Generation, base_url: str
) -> JSON:
    """The 200 answer to a query: the envelope around the task object."""
    status = record.status_at(now)
    result = result_of(record, status, base_url)
    # Generation A's quirk: the video URL in fail_reason. Generation B keeps it in result_url.
    fail_reason = result if generation is Generation.A or status == "FAILURE" else ""
    task: JSON = {
        "task_id": record.task_id,
        "action": record.action,
        "status": status,
        "fail_reason": fail_reason,
        "submit_time": int(record.submitted_at),
        "start_time": record.start_time(now),
        "finish_time": record.finish_time(now),
        "progress": PROGRESS[status],
        "data": kling_payload(record, status, now, base_url),
    }
    if generation is not Generation.A:
        task = {
            "id": record.row_id,
            "created_at": int(record.submitted_at),
            "updated_at": record.updated_at(now),
            "task_id": record.task_id,
            "platform": "50",
            "user_id": record.user_id,
            "group": "default",
            "channel_id": record.channel_id,
            "quota": 100_000,
            **{k: v for k, v in task.items() if k != "task_id"},
            # `input` is always there and always empty: nothing in the gateway fills it.
            "properties": {
                "input": "",
                "upstream_model_name": record.model,
                "origin_model_name": record.model,
            },
        }
        if status in FINAL:
            task["result_url"] = result
        if generation is Generation.C:
            # Plugin-era tasks: the platform is the plugin's key, and the action is
            # normalised (NormalizeTaskAction).
            task["platform"] = "kling"
            task["action"] = NORMALISED_ACTION.get(record.action, record.action)
    return {"code": "success", "message": "", "data": task}


def result_of(record: TaskRecord, status: str, base_url: str) -> str:
    """What the gateway records as the result: the video URL, or the failure text, from
    Kling's last answer (ParseTaskResult reads the first video and `task_status_msg`)."""
    if status not in FINAL:
        return ""
    if record.failed_by_gateway and status == "FAILURE":
        return record.failed_by_gateway
    if record.kling_answer is None:
        return (
            video_url(base_url, record) if status == "SUCCESS" else wire.FAILURE_REASON
        )
    data = record.kling_answer.get("data") or {}
    if status == "FAILURE":
        return str(data.get("task_status_msg") or "")
    videos = (data.get("task_result") or {}).get("videos") or [{}]
    return str(videos[0].get("url") or "")


def video_body(
    record: TaskRecord, now: float, base_url: str, generation: Generation = Generation.B
) -> JSON:
    """The 200 answer of GET /v1/videos/{id}: the Kling adaptor's ConvertToOpenAIVideo, read
    from Kling's last stored answer. No `task_id`, `model` always empty, Kling's
    milliseconds, `completed_at` (Kling's `updated_at`) whenever it is not 0."""
    status = record.status_at(now)
    stored = kling_payload(record, status, now, base_url)
    data = stored.get("data") or {}
    video: JSON = {
        "id": record.task_id,
        "object": "video",
        "model": "",
        "status": VIDEO_STATUS.get(status, "unknown"),
        "progress": int(PROGRESS.get(status, "").rstrip("%") or 0),
        "created_at": int(data.get("created_at") or 0),
    }
    if data.get("updated_at"):
        video["completed_at"] = int(data["updated_at"])
    if generation is Generation.C:
        # The host overwrites the plugin's render: the requested model, and the gateway's
        # own seconds (completed_at is the row's updated_at, set while it runs too).
        video["model"] = record.model
        video["created_at"] = int(record.submitted_at)
        video["completed_at"] = record.updated_at(now)
    videos = (data.get("task_result") or {}).get("videos") or []
    if videos and videos[0].get("duration"):
        video["seconds"] = str(videos[0]["duration"])
    code, message = stored.get("code") or 0, stored.get("message") or ""
    if code != 0 and message:
        video["error"] = {"message": message, "code": str(code)}
    if data.get("task_status") == "failed":
        video["error"] = {"message": str(data.get("task_status_msg") or ""), "code": ""}
    if videos and videos[0].get("url") and generation is not Generation.C:
        # Generation C's plugin names no URL here, and the host adds none.
        video["metadata"] = {"url": str(videos[0]["url"])}
    return video


def content_error(message: str, type_: str = "invalid_request_error") -> JSON:
    """The /content route's own error shape: no code, no request id."""
    return {"error": {"message": message, "type": type_}}


def task_json(
    record: TaskRecord, now: float, generation: Generation, base_url: str
) -> bytes:
    """`task_body` as the bytes of a JSON answer, rendered again only after a refresh
    changed the task: most polls find it as the last pass left it."""
    key = record.answer_key(base_url)
    if key is not None and record.rendered is not None and record.rendered[0] == key:
        return record.rendered[1]
    rendered = json.dumps(
        task_body(record, now, generation, base_url),
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    if key is not None:
        record.rendered = (key, rendered)
    return rendered


def submitted_body(record: TaskRecord, generation: Generation) -> JSON:
    """The 200 answer to a submit, on every submit route: the OpenAI video shape since
    2025-10-11 (when /v1/videos began to serve Kling tasks). Generation A left its status
    empty (checked on the gateway built from 8aa025f6e); B says "queued"."""
    return {
        "id": record.task_id,
        "task_id": record.task_id,
        "object": "video",
        "model": record.model,
        "status": "" if generation is Generation.A else "queued",
        "progress": 0,
        "created_at": int(record.submitted_at),
    }


# Generation C: the Kling plugin's answers, and the host's /v1/tasks routes.


def native_task_body(record: TaskRecord, now: float, base_url: str) -> JSON:
    """A query's 200 answer on generation C's Kling routes (the plugin's taskStatus): the
    stored Kling answer with the gateway's id, never its own status or progress."""
    status = record.status_at(now)
    if status == "NOT_START" and record.kling_answer is None:
        # Not yet polled: what the gateway stored is Kling's create answer.
        return native_created_body(record, base_url)
    return _as_the_plugin_shows(kling_payload(record, status, now, base_url), record)


def _as_the_plugin_shows(stored: JSON, record: TaskRecord) -> JSON:
    """Kling's stored answer as the host and the plugin render it: Kling's id replaced by
    the gateway's wherever it stands, and the gateway's id in `data.task_id`."""
    public = native.with_public_id(stored, record.kling_id, record.task_id)
    data = public.get("data") if isinstance(public.get("data"), dict) else {}
    return {**public, "data": {**data, "task_id": record.task_id}}


def native_created_body(record: TaskRecord, base_url: str) -> JSON:
    """A submit's 200 answer on generation C's Kling routes (the plugin's taskCreated):
    Kling's create answer with the gateway's id."""
    created = record.kling_answer
    if created is None:
        created_ms = int(record.submitted_at * 1000)
        created = wire.success(
            {
                "task_id": record.kling_id,
                "task_status": wire.TaskStatus.SUBMITTED.value,
                "task_info": {"external_task_id": record.external_task_id},
                "created_at": created_ms,
                "updated_at": created_ms,
            },
            str(uuid.UUID(int=int(record.kling_id))),
        )
    return _as_the_plugin_shows(created, record)


def task_summary_body(record: TaskRecord, now: float, base_url: str) -> JSON:
    """GET /v1/tasks/{id}: the gateway's own view (seconds; 0 until reached), its reason on
    FAILURE, and no URL in fail_reason on SUCCESS."""
    status = record.status_at(now)
    reason = result_of(record, status, base_url) if status == "FAILURE" else ""
    return {
        "task_id": record.task_id,
        "platform": "kling",
        "status": status,
        "progress": PROGRESS.get(status, ""),
        "fail_reason": reason,
        "created_at": int(record.submitted_at),
        "finished_at": record.finish_time(now),
    }


def artifact_error(status: int) -> JSON:
    """The /v1/tasks routes' errors: the neutral not-found, not ready, limited."""
    if status == 409:
        return {
            "error": {
                "message": "Artifact is not ready",
                "type": "invalid_request_error",
                "code": "artifact_not_ready",
            }
        }
    if status == 429:
        return {
            "error": {
                "message": "Artifact access limit exceeded",
                "type": "rate_limit_error",
                "code": "artifact_access_limited",
            }
        }
    return {
        "error": {
            "message": "Task or artifact not found",
            "type": "artifact_not_found",
            "code": "artifact_not_found",
        }
    }
