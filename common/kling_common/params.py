"""Kling's checks of a create request, as its documentation states them ("Image to Video",
"Text to Video"): the first failed rule is the answer, 1200 for a body that is not a JSON
object and 1201 for a field that is wrong, and content refused for safety is 1301.

The gateway emulator runs the same checks on the request it forwards, so that the stand-in and
the emulator's modelled Kling refuse the same requests.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from typing import Any

import attrs

from .wire import DEFAULT_MODEL, MODELS

MAX_PROMPT = 2500
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_DYNAMIC_MASKS = 6
TRAJECTORY_POINTS = (2, 77)
MODES = frozenset({"std", "pro"})
DURATIONS = frozenset({"5", "10"})
ASPECT_RATIOS = frozenset({"16:9", "9:16", "1:1"})
CAMERA_TYPES = frozenset(
    {"simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"}
)
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
STRING_FIELDS = (
    "model_name", "model", "prompt", "negative_prompt", "image", "image_tail", "mode",
    "duration", "aspect_ratio", "static_mask", "callback_url", "external_task_id",
)  # fmt: skip
# What a task id may be: Kling's own are digits; an external id is the caller's.
MAX_EXTERNAL_ID = 64
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # png, jpg/jpeg
# A prompt containing this is refused for content safety (1301); the stand-in's
# `unsafe_marker` can change it.
UNSAFE_MARKER = "[unsafe]"
# A prompt containing this makes a task that Kling accepts and then fails.
FAIL_MARKER = "[fail]"


@attrs.frozen
class Refusal:
    code: int
    message: str


def _invalid(message: str) -> Refusal:
    return Refusal(1201, message)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _image_refusal(name: str, value: str) -> Refusal | None:
    """A URL, or raw Base64 of a jpg or png of at most 10 MB."""
    if value.startswith(("http://", "https://")):
        return None
    if value.startswith("data:"):
        return _invalid(f"{name}: send raw Base64, without a data: prefix")
    if len(value) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        return _invalid(f"{name} is larger than 10 MB")
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return _invalid(f"{name} is neither a URL nor Base64")
    if not decoded.startswith(IMAGE_MAGIC):
        return _invalid(f"{name} must be a jpg or png image")
    return None


def _one_of(value: Any, allowed: frozenset[str]) -> bool:
    """Whether a JSON value is one of the allowed strings (an object or a list never is)."""
    return isinstance(value, str) and value in allowed


def _camera_refusal(camera: Any) -> Refusal | None:
    if not isinstance(camera, dict) or not _one_of(camera.get("type"), CAMERA_TYPES):
        return _invalid("camera_control.type is invalid")
    config = camera.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict) or any(
        config.get(a) is not None and not _is_number(config[a]) for a in CAMERA_AXES
    ):
        return _invalid("camera_control.config is invalid")
    values = [config[a] for a in CAMERA_AXES if config.get(a) is not None]
    if any(not -10 <= v <= 10 for v in values):
        return _invalid("camera_control.config values must be within [-10, 10]")
    if camera["type"] == "simple" and sum(1 for v in values if v != 0) > 1:
        return _invalid("camera_control simple: at most one config value may be set")
    return None


def _is_coordinate(value: Any) -> bool:
    """A trajectory point's x or y: a whole number of pixels, as a 64-bit integer."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and -(2**63) <= value < 2**63
    )


def _mask_is_complete(mask: Any) -> bool:
    if not isinstance(mask, dict) or not isinstance(mask.get("mask"), str):
        return False
    points = mask.get("trajectories")
    low, high = TRAJECTORY_POINTS
    return (
        bool(mask["mask"])
        and isinstance(points, list)
        and low <= len(points) <= high
        and all(
            isinstance(p, dict) and all(_is_coordinate(p.get(k)) for k in "xy")
            for p in points
        )
    )


def refusal_of(
    body: Any,
    action: str,
    unsafe_marker: str = UNSAFE_MARKER,
    models: Collection[str] | None = MODELS,
) -> Refusal | None:
    """Why Kling refuses this create request of `action` ("generate" for image-to-video,
    "textGenerate"), or None when it takes it. `null` counts as absent; `models=None`
    takes any model name."""
    if not isinstance(body, dict):
        return Refusal(
            1200, "Invalid request parameters: the body is not a JSON object"
        )
    fields = {k: v for k, v in body.items() if v is not None}
    for name in STRING_FIELDS:
        if name in fields and not isinstance(fields[name], str):
            return _invalid(f"{name} must be a string")
    model = fields.get("model_name") or DEFAULT_MODEL
    if models is not None and model not in models:
        return _invalid(f"model_name {model!r} is not supported")
    prompt = fields.get("prompt", "")
    if len(prompt) > MAX_PROMPT or len(fields.get("negative_prompt", "")) > MAX_PROMPT:
        return _invalid(
            f"prompt and negative_prompt are at most {MAX_PROMPT} characters"
        )
    if action == "textGenerate" and not prompt.strip():
        return _invalid("prompt is required")
    if "cfg_scale" in fields and not (
        _is_number(fields["cfg_scale"]) and 0 <= fields["cfg_scale"] <= 1
    ):
        return _invalid("cfg_scale must be within [0, 1]")
    if not _one_of(fields.get("mode", "std"), MODES):
        return _invalid("mode is invalid")
    if not _one_of(fields.get("duration", "5"), DURATIONS):
        return _invalid("duration is invalid")
    if not _one_of(fields.get("aspect_ratio", "16:9"), ASPECT_RATIOS):
        return _invalid("aspect_ratio is invalid")
    if len(fields.get("external_task_id", "")) > MAX_EXTERNAL_ID:
        return _invalid(f"external_task_id is at most {MAX_EXTERNAL_ID} characters")
    camera = fields.get("camera_control")
    if camera is not None and (refused := _camera_refusal(camera)) is not None:
        return refused
    masks = fields.get("dynamic_masks", [])
    if (
        not isinstance(masks, list)
        or len(masks) > MAX_DYNAMIC_MASKS
        or not all(_mask_is_complete(m) for m in masks)
    ):
        return _invalid(
            "dynamic_masks: at most 6 masks, each a mask and 2 to 77 points {x, y}"
        )
    if action == "generate":
        if not (fields.get("image") or fields.get("image_tail")):
            return _invalid("image or image_tail is required")
        for name in ("image", "image_tail"):
            if fields.get(name) and (refused := _image_refusal(name, fields[name])):
                return refused
        groups = [
            bool(fields.get("image_tail")),
            bool(fields.get("static_mask") or masks),
            camera is not None,
        ]
        if sum(groups) > 1:
            return _invalid(
                "image_tail, the motion brush and camera_control cannot be combined"
            )
    if unsafe_marker and unsafe_marker in prompt:
        return Refusal(1301, "Trigger the content security policy of the platform")
    return None
