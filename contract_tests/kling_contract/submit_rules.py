"""The submit schemas as a gateway of one generation enforces them.

openapi.yaml describes the body that works on every generation. A gateway does not validate a
submit against it: it reads some fields and ignores the rest, and Go's JSON decoder takes
`null` for any field. Expecting it to reject malformed values in a field it never reads would
fail a faithful gateway, so the contract run judges negative data against these rules:

* both generations: `null` is accepted in every field but `model` and `prompt` (the only
  ones whose absence is refused), and a missing or empty `image` (the task becomes
  text-to-video);
* A (built before 2026-01-30) reads `model_name` or `model` and never reads the caller's
  `metadata` (its converter nests the whole body one level down);
* C (1.0 release candidates, the Kling plugin) forwards the whole body to Kling as A did,
  names only the plugin's three models, and its image2video route always asks Kling for
  image-to-video (an image is needed, a prompt is not);
* B (since 2026-01-30) reads the model from `model` only, ignores top-level Kling-only fields (they reach
  Kling only from `metadata`), reads `duration` leniently (any JSON value; numbers outside
  0..3600 are refused), and ignores a `metadata` that is not an object.

The unified routes' bodies (`VideoSubmitRequest`, and the form fields `VideoSubmitForm`) are
read the generation B way by both generations (no converter touches them). A form carries only
text: whatever value a case puts in a field arrives as its text, so only `model` is judged
there.

Positive data is generated from the same rules, so it stays within what both generations take,
and names only models the gateway has a channel for (any other gets 503 `model_not_found`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from kling_common.generation import PLUGIN_MODELS, Generation

REQUESTS = ("ImageToVideoRequest", "TextToVideoRequest")
NESTED = (
    "KlingOptions",
    "CameraControl",
    "CameraControlConfig",
    "DynamicMask",
    "TrajectoryPoint",
)
ALWAYS_REFUSED_WHEN_NULL = frozenset({"model", "prompt"})
ANY_VALUE: dict[str, Any] = {}


# The unified routes' bodies: read without a converter, the same in every generation.
UNIFIED_REQUESTS = ("VideoSubmitRequest", "VideoRemixRequest")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _metadata_as_read() -> dict[str, Any]:
    """`metadata` where a gateway reads Kling's fields from it: typed when it is an object,
    ignored otherwise."""
    return {
        "anyOf": [
            {"$ref": "#/components/schemas/KlingOptions"},
            {"not": {"type": "object"}},
        ]
    }


def enforced_spec(
    spec: dict[str, Any], generation: Generation, models: Sequence[str]
) -> dict[str, Any]:
    """A copy of the spec whose submit schemas say what this generation refuses, and whose
    model fields name only `models`."""
    served = {"enum": list(models)}
    # Generation C's plugin serves its own three models only, whatever the channels list.
    native_served = {"enum": [m for m in models if m in PLUGIN_MODELS]}
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    kling_only = set(schemas["KlingOptions"]["properties"])
    for name in (*REQUESTS, *UNIFIED_REQUESTS, *NESTED):
        properties = schemas[name]["properties"]
        for field, schema in properties.items():
            if field not in ALWAYS_REFUSED_WHEN_NULL:
                properties[field] = _nullable(schema)
    for name in REQUESTS:
        properties = schemas[name]["properties"]
        if "image" in properties:
            # A missing or empty image is taken: the task silently becomes text-to-video.
            properties["image"] = {"type": ["string", "null"]}
            schemas[name]["required"].remove("image")
        if generation is not Generation.B:
            # A's converter nests the body, and C's plugin forwards it whole: the Kling
            # fields at the top level reach Kling, which judges them; metadata it ignores.
            properties["metadata"] = ANY_VALUE
            # Either model field names the model: neither is required on its own.
            schemas[name]["required"] = [
                f for f in schemas[name]["required"] if f != "model"
            ]
            # An empty or null model field is fine next to the other one; another type is
            # not (the Kling adaptor takes both from the body, and fails on a non-string).
            properties["model"] = properties["model_name"] = {
                "type": ["string", "null"]
            }
            # The first non-empty of model_name and model names the model, which a
            # channel must serve.
            unnamed = {"enum": ["", None]}
            named = served if generation is Generation.A else native_served
            schemas[name]["anyOf"] = [
                {"properties": {"model_name": named}, "required": ["model_name"]},
                {"properties": {"model_name": unnamed, "model": named}, "required": ["model"]},
                {"not": {"required": ["model_name"]}, "properties": {"model": named}, "required": ["model"]},
            ]  # fmt: skip
            if generation is Generation.C and "image" in properties:
                _native_image_to_video(schemas[name])
        else:
            for field in kling_only | {"model_name", "duration"}:
                if field in properties:
                    properties[field] = ANY_VALUE
            properties["model"] = served
            properties["metadata"] = _metadata_as_read()
    _unified(schemas, served, generation)
    return spec


def _native_image_to_video(request: dict[str, Any]) -> None:
    """Generation C's image2video route always asks Kling for image-to-video: Kling needs
    an image (or an end frame) and no prompt, where the older generations needed a prompt
    and made a text task without an image."""
    properties = request["properties"]
    request["required"] = [f for f in request["required"] if f != "prompt"]
    # The plugin drops a prompt or image that JavaScript reads as false (`if (!body.prompt)
    # delete body.prompt`): false, 0 and "" are as good as absent; an object or a list is not.
    dropped = [{"type": ["string", "null"]}, {"const": False}, {"const": 0}]
    properties["prompt"] = {"anyOf": dropped}
    properties["image"] = {"anyOf": dropped}
    given = {"type": "string", "minLength": 1}
    request["allOf"] = [
        {"anyOf": request.pop("anyOf")},
        {
            "anyOf": [
                {"properties": {"image": given}, "required": ["image"]},
                {"properties": {"image_tail": given}, "required": ["image_tail"]},
            ]
        },
    ]


def _unified(
    schemas: dict[str, Any], served: dict[str, Any], generation: Generation
) -> None:
    """The unified routes' bodies, as every generation reads them."""
    request = schemas["VideoSubmitRequest"]["properties"]
    request["model"] = served
    request["image"] = {"type": ["string", "null"]}
    # Go reads a null item of a []string as "".
    request["images"] = _nullable(
        {"type": "array", "items": {"type": ["string", "null"]}}
    )
    # An integer, a string that parses as one, or anything else read as the default.
    request["duration"] = ANY_VALUE
    request["metadata"] = _metadata_as_read()
    # A remix's body is read as a submit's, but its model is ignored (the earlier task's is
    # used), and its duration is an integer on every generation that makes the task (A
    # decodes nothing else; 0 and null read as the default; more than 3600 is refused since
    # the billing guard of generation B).
    remix = schemas["VideoRemixRequest"]["properties"]
    remix["model"] = ANY_VALUE
    remix["image"] = request["image"]
    remix["metadata"] = _metadata_as_read()
    remix["duration"] = {"type": ["integer", "null"]}
    if generation is not Generation.A:
        remix["duration"]["maximum"] = 3600
    form = schemas["VideoSubmitForm"]["properties"]
    for field in form:
        form[field] = ANY_VALUE
    form["model"] = served
