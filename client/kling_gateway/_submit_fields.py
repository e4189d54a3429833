"""The fields a submit takes, typed: what the spec documents for either submit route.

A test keeps this list equal to the generated request models' fields, so the spec stays the
source. A key that is not here is refused before anything is sent (a typo would otherwise
create, and bill, a task without the field); fields the spec does not list yet go through
`extra_body`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, TypedDict

from . import errors
from ._images import ImageData


class SubmitFields(TypedDict, total=False):
    """Keyword arguments of `submit` (see openapi.yaml's ImageToVideoRequest and
    TextToVideoRequest). `model` or `model_name`, and `prompt`, are required at run time.
    An image is a URL or raw Base64, or local data (a `Path`, `bytes`, an open binary file),
    sent as Base64 once checked (a JPEG or PNG of at most 10 MB)."""

    model: str
    model_name: str
    prompt: str
    image: str | ImageData
    image_tail: str | ImageData
    negative_prompt: str
    cfg_scale: float
    mode: str
    duration: str
    static_mask: str | ImageData
    dynamic_masks: list[Mapping[str, Any]]
    camera_control: Mapping[str, Any]
    aspect_ratio: str
    callback_url: str
    external_task_id: str
    sound: str
    watermark_info: Mapping[str, Any]
    metadata: Mapping[str, Any]


KNOWN_FIELDS = frozenset(SubmitFields.__annotations__)


def checked_fields(fields: Mapping[str, object]) -> None:
    """InvalidRequestError for the first key the spec does not document, with a suggestion."""
    for key in fields:
        if key in KNOWN_FIELDS:
            continue
        close = difflib.get_close_matches(str(key), sorted(KNOWN_FIELDS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise errors.InvalidRequestError(
            f"unknown submit field {key!r}{hint} (fields the spec does not list yet go in "
            "extra_body=)"
        )
