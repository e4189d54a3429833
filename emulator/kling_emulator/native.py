"""Generation C's Kling routes: what the official Kling task plugin (1.0.0) and the gateway
around it ("the host") do with a request, as ../tests/data/generation-c records the plugin's
own renders and the reference reading of the host describes it.

The plugin decodes a submit (`decodeSubmit`: the model from `model_name`, else `model`; the
whole body kept as metadata), builds Kling's request (defaults overwritten by every field of
the body), and renders answers as Kling's own envelope with the gateway's id. The host
sanitizes every error after the route is prepared into `{code, message}`, the code chosen
from the HTTP status alone.
"""

from __future__ import annotations

import json
import math
from typing import Any

import attrs

from kling_common.generation import PLUGIN_MODELS

# Each route fixes its action (the plugin's routes), whatever the body holds.
ACTION_OF_ROUTE = {"image2video": "generate", "text2video": "textGenerate"}
# The host's sanitizer: the code from the HTTP status, and for 5xx always the default text.
_CODES = {
    401: "authentication_error",
    403: "permission_denied",
    404: "task_not_found",
    409: "request_conflict",
    429: "rate_limit_exceeded",
}
SERVER_ERROR = "Task request failed"
# After this many failed polls in a row the host fails the task (TASK_POLL_MAX_FAILURES).
MAX_POLL_FAILURES = 20


def error_code(status: int) -> str:
    if status >= 500:
        return "server_error"
    return _CODES.get(status, "invalid_request")


def error_body(status: int, message: str) -> dict[str, str]:
    """The plugin's `native.error`: `{code, message}`, no request id, no data."""
    return {
        "code": error_code(status),
        "message": SERVER_ERROR if status >= 500 else message,
    }


@attrs.frozen
class NativeRefusal:
    status: int
    message: str

    def body(self) -> dict[str, str]:
        return error_body(self.status, self.message)


def decode_submit(
    raw: bytes, content_type: str
) -> tuple[dict[str, Any], str] | NativeRefusal:
    """The body and the model of a submit, or the host's or plugin's refusal."""
    media = content_type.split(";")[0].strip().lower()
    is_json = media == "application/json" or media.endswith("+json")
    if not raw or media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return NativeRefusal(415, "this route requires a JSON body")
    if not is_json:
        return NativeRefusal(415, f'unsupported task plugin media type "{media}"')
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return NativeRefusal(400, str(exc))
    if not isinstance(body, dict):
        return NativeRefusal(400, "request body must be an object")
    found = body.get("model_name")
    model = found if isinstance(found, str) else ""
    if model == "":
        found = body.get("model")
        model = found if isinstance(found, str) else ""
    if not model.strip():
        return NativeRefusal(400, "model is required")
    if model not in PLUGIN_MODELS:
        return NativeRefusal(400, f'model "{model}" is not served by this plugin')
    return body, model


def kling_request(body: dict[str, Any], model: str) -> dict[str, Any]:
    """What reaches Kling: the plugin's defaults, overwritten by every field of the body
    (buildSubmitRequest); a prompt or image that is empty is left out."""
    request: dict[str, Any] = {
        "prompt": body.get("prompt") if isinstance(body.get("prompt"), str) else "",
        "mode": "std",
        "duration": "5",
        "aspect_ratio": "1:1",
        "model_name": model,
        "model": model,
        "cfg_scale": 0.5,
        **body,
    }
    for name in ("prompt", "image"):
        if not _js_truthy(request.get(name)):
            request.pop(name, None)
    return request


def _js_truthy(value: Any) -> bool:
    """JavaScript's truth, which the plugin's `if (!body.prompt)` tests: an empty object or
    list is true there, unlike in Python."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)  # NaN is false too
    return True


def with_public_id(value: Any, kling_id: str, public_id: str) -> Any:
    """The host's sanitizing of stored data: every `id`, `task_id` or `taskId` equal to
    Kling's id, at any depth, becomes the gateway's public id (URLs are left alone)."""
    if isinstance(value, dict):
        return {
            key: public_id
            if key in ("id", "task_id", "taskId") and item == kling_id
            else with_public_id(item, kling_id, public_id)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [with_public_id(item, kling_id, public_id) for item in value]
    return value
