"""The submit body as it must be written so that every gateway generation reads all of it.

A gateway built before 2026-01-30 reads `model_name` (or `model`) and Kling's fields at the
top level. One built since reads the model from `model` only, the common fields from the top
level, and Kling-only fields only from inside `metadata`: anything else is silently dropped,
and the caller pays for a video made without it. So the client sends `model` and
`model_name`, the common fields at the top level, and every Kling-only field in both places,
merged with the caller's own `metadata`.

Which fields are Kling-only is the spec's `KlingOptions` schema, read from the generated model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kling_gateway_api.models import KlingOptions

from . import errors

# Every property `KlingOptions` documents (additional_properties is the generator's bag).
KLING_ONLY_FIELDS = tuple(
    field.name
    for field in attrs.fields(KlingOptions)
    if field.name != "additional_properties"
)


def _model_of(fields: Mapping[str, Any]) -> str:
    model, model_name = fields.get("model"), fields.get("model_name")
    if model is not None and model_name is not None and model != model_name:
        raise errors.InvalidRequestError(
            f"model {model!r} and model_name {model_name!r} differ: pass one of them"
        )
    chosen = model if model is not None else model_name
    if not isinstance(chosen, str) or not chosen:
        raise errors.InvalidRequestError(
            "a submit needs a model, e.g. model='kling-v1-6'"
        )
    return chosen


def _metadata_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    given = fields.get("metadata")
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise errors.InvalidRequestError(
            f"metadata must be a mapping, not {type(given).__name__}"
        )
    return dict(given)


def _with_kling_fields(
    fields: Mapping[str, Any], metadata: dict[str, Any]
) -> dict[str, Any]:
    """The caller's metadata with every Kling-only top-level field added, never overwritten."""
    merged = dict(metadata)
    for name in KLING_ONLY_FIELDS:
        if fields.get(name) is None:
            continue
        if name in merged and merged[name] != fields[name]:
            raise errors.InvalidRequestError(
                f"{name} is given twice with different values (top level and metadata)"
            )
        merged[name] = fields[name]
    return merged


def submit_body(fields: Mapping[str, Any], *, needs_image: bool) -> dict[str, Any]:
    """The JSON object to send for these submit fields, on every gateway generation.

    `needs_image` is the image-to-video route: without a non-empty `image` the gateway would
    create, and bill, a text-to-video task instead, so such a body is refused here. On the
    text-to-video route an `image` would turn the task into an image-to-video one.
    """
    image = fields.get("image")
    if needs_image and (not isinstance(image, str) or not image):
        raise errors.InvalidRequestError(
            "image-to-video needs an image (URL or raw Base64): without one the gateway "
            "creates and bills a text-to-video task"
        )
    if not needs_image and image is not None:
        raise errors.InvalidRequestError(
            "text-to-video takes no image: with one the gateway creates an image-to-video "
            "task (submit on the image2video route instead)"
        )
    model = _model_of(fields)
    body = {k: v for k, v in fields.items() if v is not None}
    body["model"] = body["model_name"] = model
    metadata = _with_kling_fields(fields, _metadata_of(fields))
    if metadata:
        body["metadata"] = metadata
    return body


# The top-level fields a unified route reads for Kling (VideoSubmitRequest); every Kling-only
# field is read from `metadata` alone there, so that is where they go.
UNIFIED_TOP_LEVEL = ("prompt", "image", "mode", "duration")


def unified_submit_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object to send to `/v1/video/generations` or `/v1/videos`: the gateway's own
    task request, which no converter touches. An image makes an image-to-video task, none a
    text-to-video one. `duration` goes as the integer the route reads (Kling's routes take
    its text, "5")."""
    model = _model_of(fields)
    body: dict[str, Any] = {"model": model}
    for name in UNIFIED_TOP_LEVEL:
        if fields.get(name) is not None:
            body[name] = fields[name]
    duration = body.get("duration")
    if isinstance(duration, str):
        if not duration.strip().isdigit():
            # The route would silently make a 5 s video of anything else.
            raise errors.InvalidRequestError(
                f"duration {duration!r} is not a whole number of seconds"
            )
        body["duration"] = int(duration)
    metadata = _with_kling_fields(fields, _metadata_of(fields))
    if metadata:
        body["metadata"] = metadata
    return body
