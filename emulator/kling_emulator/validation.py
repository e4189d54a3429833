"""A submit, read layer by layer as each gateway generation and then Kling read it.

The routing layer (E1 shape) parses the body and finds the model; the task layer (E2 shape)
checks the prompt and builds Kling's request; Kling then checks values and answers HTTP 400
with its own code, which the gateway passes on as `fail_to_fetch_task` with Kling's body as the
message.

Which body the task layer reads depends on the generation (see openapi.yaml and the gateway's
`middleware/kling_adapter.go`, `common/gin.go`):

* A (built before 2026-01-30): the converter's body `{"model", "prompt", "metadata": <the
  original body>}`, so `model_name` or `model` names the model and every Kling field at the top
  level reaches Kling.
* B (since): the original body. The model comes from `model` only, the common fields from the
  top level, and Kling-only fields only from inside `metadata`.

Either way the Kling request starts from the adaptor's defaults and `metadata` is merged into
it (Go's json.Unmarshal into the adaptor's struct: keys it does not know are dropped, `null`
leaves a field as it was, a value of the wrong JSON type fails the build with 500).
"""

from __future__ import annotations

import json
import re
from email import policy as email_policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

import attrs

from kling_common import params as kling_params
from kling_common import wire
from kling_common.generation import Generation

MAX_DURATION_SECONDS = 3600  # the gateway's billing guard since 2026-07-07
CAMERA_AXES = kling_params.CAMERA_AXES
# The Kling adaptor's request struct: only these keys ever reach Kling (`sound`,
# `watermark_info` and anything else are dropped by the gateway).
KLING_STRING_FIELDS = (
    "prompt", "image", "image_tail", "negative_prompt", "mode", "duration", "aspect_ratio",
    "model_name", "model", "static_mask", "callback_url", "external_task_id",
)  # fmt: skip
KLING_FIELDS = (*KLING_STRING_FIELDS, "cfg_scale", "dynamic_masks", "camera_control")
# Generation B's TaskSubmitReq: the top-level fields whose JSON type is checked.
TASK_STRING_FIELDS = (
    "prompt", "model", "mode", "image", "size", "seconds", "input_reference",
)  # fmt: skip
SIZE_TO_ASPECT_RATIO = {
    "1024x1024": "1:1",
    "512x512": "1:1",
    "1280x720": "16:9",
    "1920x1080": "16:9",
    "720x1280": "9:16",
    "1080x1920": "9:16",
}
# Go's unicode.IsSpace, which strings.TrimSpace uses (Python's str.isspace differs: it also
# counts U+001C..U+001F).
_GO_SPACES = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

_GO_INT = re.compile(r"[+-]?[0-9]+")

MODEL_REQUIRED = "Model name not specified, model name cannot be empty"
INVALID_JSON = "Invalid request: Invalid request: invalid JSON request body"


@attrs.frozen
class Refusal:
    """Why a submit is refused, in the layer that refuses it."""

    status: int
    layer: str  # "routing" (E1 shape) or "task" (E2 shape)
    code: str
    message: str


@attrs.frozen
class Submission:
    """An accepted submit: the task to create and what was forwarded to Kling."""

    action: str  # "generate" (image-to-video) or "textGenerate"
    model: str
    prompt: str
    kling_request: dict[str, Any]

    @property
    def external_task_id(self) -> str:
        return str(self.kling_request.get("external_task_id") or "")


def go_trim_space(text: str) -> str:
    return text.strip(_GO_SPACES)


# The Kling adaptor's request struct, as Go's decoder names it in errors (checked against
# the gateway built from source).
KLING_STRUCT = "requestPayload"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def form_fields(raw: bytes, content_type: str) -> dict[str, str]:
    """A form body's fields, the first value of each, as gin's form binding reads them
    (common/gin.go UnmarshalBodyReusable): every value a string, files ignored."""
    if content_type.lower().startswith(FORM_TYPES[0]):
        text = raw.decode("utf-8", errors="replace")
        return dict(reversed(parse_qsl(text, keep_blank_values=True)))
    message = BytesParser(policy=email_policy.HTTP).parsebytes(
        b"Content-Type: "
        + content_type.encode("latin-1", errors="replace")
        + b"\r\n\r\n"
        + raw
    )
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if (
            not isinstance(name, str)
            or part.get_filename() is not None
            or name in fields
        ):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            fields[name] = payload.decode("utf-8", errors="replace")
    return fields


def parse_body(
    raw: bytes, content_type: str, generation: Generation = Generation.B
) -> Any | Refusal:
    """The routing layer's reading of the body: a JSON value (or, since the request-body
    cache of generation B, a form's fields), or its 400."""
    if generation is not Generation.A and content_type.lower().startswith(FORM_TYPES):
        return form_fields(raw, content_type)
    if not content_type.lower().startswith("application/json"):
        # The gateway skips bodies of other types: it then finds no model.
        return Refusal(400, "routing", "", MODEL_REQUIRED)
    try:
        return _without_lone_surrogates(json.loads(raw))
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: a body nested deeper than Python goes (Go's parser stops at
        # 10,000 levels and refuses it too).
        return Refusal(400, "routing", "", INVALID_JSON)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """Go's decoder turns an unpaired `\\ud800` into U+FFFD; kept as is, it would make every
    later answer that carries it fail to encode."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            _without_lone_surrogates(k): _without_lone_surrogates(v)
            for k, v in value.items()
        }
    return value


def model_of(body: Any, generation: Generation) -> Any:
    """The model as the routing layer reads it ("" when there is none)."""
    if not isinstance(body, dict):
        return ""
    if generation is Generation.A:
        for key in ("model_name", "model"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
        return ""
    model = body.get("model")
    return "" if model is None else model


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _cannot_unmarshal(value: Any, field: str, go_type: str, struct: str = "") -> str:
    return f"json: cannot unmarshal {_go_type(value)} into Go struct field {struct}.{field} of type {go_type}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Go's int on the gateway's 64-bit builds: a JSON number outside it does not decode.
GO_INT = range(-(2**63), 2**63)


def _is_go_int(value: Any) -> bool:
    return _is_int(value) and value in GO_INT


def _mask_type_error(mask: Any) -> bool:
    if mask is None:
        return False
    if not isinstance(mask, dict) or not isinstance(mask.get("mask", ""), str | None):
        return True
    points = mask.get("trajectories")
    if points is None:
        return False
    return not isinstance(points, list) or not all(
        p is None
        or (
            isinstance(p, dict)
            and all(p.get(k) is None or _is_go_int(p[k]) for k in "xy")
        )
        for p in points
    )


def _kling_type_error(fields: dict[str, Any]) -> str | None:
    """Go's complaint when these fields do not fit the Kling adaptor's struct."""
    for name in KLING_STRING_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            return _cannot_unmarshal(value, name, "string", KLING_STRUCT)
    value = fields.get("cfg_scale")
    if value is not None and not _is_number(value):
        return _cannot_unmarshal(value, "cfg_scale", "float64", KLING_STRUCT)
    camera = fields.get("camera_control")
    if camera is not None:
        config = camera.get("config") if isinstance(camera, dict) else None
        if (
            not isinstance(camera, dict)
            or not isinstance(camera.get("type", ""), str | None)
            or not (config is None or isinstance(config, dict))
            or (
                isinstance(config, dict)
                and any(
                    config.get(a) is not None and not _is_number(config[a])
                    for a in CAMERA_AXES
                )
            )
        ):
            return _cannot_unmarshal(
                camera, "camera_control", "kling.CameraControl", KLING_STRUCT
            )
    masks = fields.get("dynamic_masks")
    if masks is not None and (
        not isinstance(masks, list) or any(_mask_type_error(m) for m in masks)
    ):
        return _cannot_unmarshal(
            masks, "dynamic_masks", "[]kling.DynamicMask", KLING_STRUCT
        )
    return None


def _merged(into: dict[str, Any], fields: dict[str, Any]) -> None:
    """json.Unmarshal of `fields` into the adaptor's struct: known keys only, null skipped."""
    for name in KLING_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if name == "camera_control":
            value = {k: v for k, v in value.items() if v is not None}
            if isinstance(value.get("config"), dict):
                value["config"] = {
                    a: value["config"][a]
                    for a in CAMERA_AXES
                    if value["config"].get(a) is not None
                }
        into[name] = value


def _duration_of(value: Any) -> int:
    """Generation B's TaskSubmitReq.UnmarshalJSON: a JSON integer, or a string holding one
    (strconv.Atoi); anything else, 5.0 included, reads as 0."""
    number: Any = value
    if isinstance(value, str):
        if not _GO_INT.fullmatch(value):
            return 0  # Python's int() would also take " 5" and "5_0"; Atoi does not
        number = int(value)
    if _is_int(number) and -(2**63) <= number < 2**63:
        return int(number)
    return 0


def _metadata_of(value: Any) -> dict[str, Any]:
    """`metadata` as an object, or a string holding one; anything else is ignored."""
    if isinstance(value, str) and value:
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _task_layer_b(body: dict[str, Any]) -> Refusal | tuple[str, dict[str, Any]]:
    """Generation B: the prompt and the top-level fields Kling's request starts from."""
    for name in TASK_STRING_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            return Refusal(
                400, "task", "invalid_request", _cannot_unmarshal(value, name, "string")
            )
    images = body.get("images")
    if images is not None and not (
        isinstance(images, list) and all(isinstance(i, str | None) for i in images)
    ):
        return Refusal(
            400,
            "task",
            "invalid_request",
            _cannot_unmarshal(images, "images", "[]string"),
        )
    prompt = body.get("prompt") or ""
    if not go_trim_space(prompt):
        return Refusal(400, "task", "invalid_request", "prompt is required")
    seconds = _duration_of(body.get("duration"))
    if seconds == 0 and body.get("seconds"):
        seconds = _duration_of(body["seconds"])
    if not 0 <= seconds <= MAX_DURATION_SECONDS:
        return Refusal(
            400,
            "task",
            "invalid_seconds",
            f"seconds must be between 1 and {MAX_DURATION_SECONDS}",
        )
    start = {
        "prompt": prompt,
        "image": body.get("image") or "",
        "mode": body.get("mode") or "std",
        "duration": str(_duration_of(body.get("duration")) or 5),
        "aspect_ratio": SIZE_TO_ASPECT_RATIO.get(body.get("size") or "", "1:1"),
    }
    return prompt, start


def read_submit(
    body: dict[str, Any],
    model: str,
    generation: Generation,
    check_kling: bool = True,
    converted: bool = True,
    int_duration: bool = False,
) -> Refusal | Submission:
    """The task layer and Kling, for a body whose model the routing layer accepted
    (`check_kling=False`: Kling is a real API, which checks the request itself).
    `converted=False`: a unified route's body, which no Kling converter touched, read as
    the task request it is (the generation B reading, in every generation).
    `int_duration`: a unified body's duration must be a JSON integer (generation A)."""
    if generation is Generation.A and converted:
        # The converter keeps the prompt only when it is a string.
        found = body.get("prompt")
        prompt = found if isinstance(found, str) else ""
        if not go_trim_space(prompt):
            return Refusal(400, "task", "invalid_request", "prompt is required")
        start: dict[str, Any] = {"prompt": prompt, "mode": "std", "duration": "5"}
        overlay = body
    else:
        duration = body.get("duration")
        if int_duration and duration is not None and not _is_int(duration):
            # Before 2026-01-30 the task request's duration was a plain int: anything else
            # fails to decode (checked on the gateway built from 8aa025f6e).
            shown = f"number {duration}" if _is_number(duration) else _go_type(duration)
            return Refusal(
                400,
                "task",
                "invalid_request",
                f"json: cannot unmarshal {shown} into Go struct field .Alias.duration "
                "of type int",
            )
        read = _task_layer_b(body)
        if isinstance(read, Refusal):
            return read
        prompt, start = read
        overlay = _metadata_of(body.get("metadata"))
    type_error = _kling_type_error(overlay)
    if type_error is not None:
        return Refusal(
            500,
            "task",
            "build_request_failed",
            # Both the adaptor and taskcommon.UnmarshalMetadata wrap the error; generation A
            # had only the adaptor's wrap (the gateway built from 8aa025f6e).
            "unmarshal metadata failed: " * (1 if generation is Generation.A else 2)
            + type_error,
        )
    kling_request = {
        **start,
        "model_name": model,
        "model": model,
        "cfg_scale": 0.5,
    }
    _merged(kling_request, overlay)
    # The converter decides from the top-level `image` alone; the adaptor again from the
    # request it built. Either can turn the task into a (billed) text-to-video one.
    no_top_level_image = converted and ("image" not in body or body["image"] == "")
    no_image_sent = not (kling_request.get("image") or kling_request.get("image_tail"))
    action = "textGenerate" if no_top_level_image or no_image_sent else "generate"
    refusal = kling_checks(kling_request, action) if check_kling else None
    if refusal is not None:
        return refusal
    return Submission(action, model, prompt, kling_request)


def kling_checks(request: dict[str, Any], action: str) -> Refusal | None:
    """Kling's own checks of the request the gateway forwarded (the stand-in's rules): a
    refusal comes back as Kling's HTTP 400, which the gateway passes on as
    `fail_to_fetch_task` with Kling's body as the message."""
    # The routing layer let through only models a channel lists (EmulatorConfig.models),
    # and a channel's list is its own: Kling's rules here do not judge the model name. A
    # prompt with the stand-in's unsafe marker is refused as the stand-in refuses it.
    refused = kling_params.refusal_of(request, action, models=None)
    if refused is None:
        return None
    status, body = wire.failure(refused.code, wire.new_request_id(), refused.message)
    # The text Kling (and the stand-in) sends: compact, with its request id a UUID.
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Refusal(status, "task", "fail_to_fetch_task", text)
