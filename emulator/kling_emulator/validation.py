"""Submit validation, layer by layer, as the gateway and then Kling do it.

The gateway checks `model_name` (routing layer, E1 shape), then `prompt` (task layer), then
builds Kling's request: a field of the wrong JSON type fails there with 500
`build_request_failed`. Kling then checks values and answers HTTP 400 with its own code, which
the gateway passes on as `fail_to_fetch_task` with Kling's body as the message.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

STRING_FIELDS = (
    "model_name", "image", "image_tail", "prompt", "negative_prompt", "mode", "duration",
    "static_mask", "callback_url", "external_task_id", "sound", "aspect_ratio",
)  # fmt: skip
MAX_PROMPT = 2500
MODES = {"std", "pro"}
DURATIONS = {"5", "10"}
ASPECT_RATIOS = {"16:9", "9:16", "1:1"}
CAMERA_TYPES = {
    "simple",
    "down_back",
    "forward_up",
    "right_turn_forward",
    "left_turn_forward",
}
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")


@attrs.frozen
class Refusal:
    """Why a submit is refused, in the layer that refuses it."""

    status: int
    layer: str  # "routing" (E1 shape) or "task" (E2 shape)
    code: str
    message: str


def _kling_refusal(message: str, kling_code: int = 1201) -> Refusal:
    body = json.dumps(
        {"code": kling_code, "message": message, "request_id": "emulator"}
    )
    return Refusal(400, "task", "fail_to_fetch_task", body)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _mask_has_go_types(mask: Any) -> bool:
    """Present fields have the JSON types Go expects (missing ones are Kling's business)."""
    if not isinstance(mask, dict) or not isinstance(mask.get("mask", ""), str):
        return False
    points = mask.get("trajectories", [])
    return isinstance(points, list) and all(
        isinstance(p, dict) and all(_is_int(p[k]) for k in "xy" if k in p)
        for p in points
    )


def _mask_is_complete(mask: dict[str, Any]) -> bool:
    points = mask.get("trajectories", [])
    return (
        "mask" in mask
        and 2 <= len(points) <= 77
        and all("x" in p and "y" in p for p in points)
    )


def _type_errors(body: dict[str, Any]) -> str | None:
    for name in STRING_FIELDS:
        if name in body and not isinstance(body[name], str):
            return f"json: cannot unmarshal {type(body[name]).__name__} into Go struct field .{name} of type string"
    if "cfg_scale" in body and not _is_number(body["cfg_scale"]):
        return "json: cannot unmarshal into Go struct field .cfg_scale of type float64"
    if "camera_control" in body:
        cc = body["camera_control"]
        if not isinstance(cc, dict) or not isinstance(cc.get("type", ""), str):
            return "json: cannot unmarshal into Go struct field .camera_control"
        config = cc.get("config", {})
        if not isinstance(config, dict) or any(
            not _is_number(config[a]) for a in CAMERA_AXES if a in config
        ):
            return "json: cannot unmarshal into Go struct field .camera_control.config"
    if "dynamic_masks" in body:
        masks = body["dynamic_masks"]
        if not isinstance(masks, list) or not all(_mask_has_go_types(m) for m in masks):
            return "json: cannot unmarshal into Go struct field .dynamic_masks"
    if "watermark_info" in body and not (
        isinstance(body["watermark_info"], dict)
        and isinstance(body["watermark_info"].get("enabled", False), bool)
    ):
        return "json: cannot unmarshal into Go struct field .watermark_info"
    return None


def _kling_checks(body: dict[str, Any], needs_image: bool) -> Refusal | None:
    if (
        len(body["prompt"]) > MAX_PROMPT
        or len(body.get("negative_prompt", "")) > MAX_PROMPT
    ):
        return _kling_refusal("prompt is too long")
    if "cfg_scale" in body and not 0 <= body["cfg_scale"] <= 1:
        return _kling_refusal("cfg_scale must be within [0, 1]")
    if "mode" in body and body["mode"] not in MODES:
        return _kling_refusal("mode is invalid")
    if "duration" in body and body["duration"] not in DURATIONS:
        return _kling_refusal("duration is invalid")
    if "aspect_ratio" in body and body["aspect_ratio"] not in ASPECT_RATIOS:
        return _kling_refusal("aspect_ratio is invalid")
    if needs_image and not body.get("image"):
        return _kling_refusal("image is required")
    if "camera_control" in body:
        cc = body["camera_control"]
        if cc.get("type") not in CAMERA_TYPES:
            return _kling_refusal("camera_control.type is invalid")
        config = cc.get("config", {})
        if any(not -10 <= config[a] <= 10 for a in CAMERA_AXES if a in config):
            return _kling_refusal(
                "camera_control.config values must be within [-10, 10]"
            )
    masks = body.get("dynamic_masks", [])
    if len(masks) > 6 or not all(_mask_is_complete(m) for m in masks):
        return _kling_refusal(
            "dynamic_masks: at most 6 masks, each a mask and 2 to 77 points {x, y}"
        )
    if needs_image:
        groups = [
            bool(body.get("image_tail")),
            bool(body.get("static_mask") or masks),
            "camera_control" in body,
        ]
        if sum(groups) > 1:
            return _kling_refusal(
                "image_tail, the motion brush and camera_control cannot be combined"
            )
    return None


def check_submit(body: Any, *, needs_image: bool) -> Refusal | None:
    """None when the gateway and Kling would accept this body."""
    if not isinstance(body, dict):
        return Refusal(
            400, "task", "invalid_request", "the request body must be a JSON object"
        )
    model = body.get("model_name", body.get("model"))
    if not isinstance(model, str) or not model:
        return Refusal(400, "routing", "", "model_name is required")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        return Refusal(400, "task", "invalid_request", "prompt is required")
    type_error = _type_errors(body)
    if type_error is not None:
        return Refusal(500, "task", "build_request_failed", type_error)
    return _kling_checks(body, needs_image)
