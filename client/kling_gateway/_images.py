"""Images given as local data: a `Path`, `bytes` or an open binary file, sent as Kling takes
them, raw Base64 in the JSON body.

Kling takes a JPEG or PNG of at most 10 MB, as a URL or raw Base64 without a `data:` prefix.
What it would refuse is refused here, before anything is sent: a task refused by Kling still
costs a round trip, and a wrong-sized body costs the upload.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from kling_common.params import IMAGE_MAGIC, MAX_IMAGE_BYTES

from . import errors

IMAGE_FIELDS = ("image", "image_tail", "static_mask")
# What a submit's image fields take besides a string (a URL or raw Base64).
ImageData = bytes | bytearray | memoryview | os.PathLike[str] | IO[bytes]

_DATA_URL = re.compile(r"data:image/[\w.+-]+;base64,", re.IGNORECASE)


def with_images_encoded(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields with every image given as data turned into raw Base64."""
    encoded = dict(fields)
    for name in IMAGE_FIELDS:
        value = fields.get(name)
        if value is not None:
            encoded[name] = _encoded(name, value)
    return encoded


def _encoded(name: str, value: object) -> object:
    if isinstance(value, str):
        return _checked_text(name, value)
    if isinstance(value, bytes | bytearray | memoryview):
        data, origin = bytes(value), f"{name} (bytes)"
    elif isinstance(value, os.PathLike):
        data, origin = _read_file(name, Path(value)), f"{name} {os.fspath(value)!r}"
    elif callable(getattr(value, "read", None)):
        data, origin = _read_stream(name, value), f"{name} (an open file)"
    else:
        # Anything else goes on as it is, and the request model refuses it by name.
        return value
    _check_image(origin, data)
    return base64.b64encode(data).decode("ascii")


def _checked_text(name: str, value: str) -> str:
    """A URL or raw Base64 as given; a data URL without its prefix; a file name refused (it
    would reach Kling as a broken image)."""
    prefix = _DATA_URL.match(value)
    if prefix:
        return value[prefix.end() :]
    if "://" in value or _is_base64(value):
        return value
    if len(value) < 4096 and os.path.isfile(value):
        raise errors.InvalidRequestError(
            f"{name} {value!r} is the name of a local file: pass Path({value!r}) to send "
            "its content (a text is sent as a URL or raw Base64)"
        )
    if _looks_like_a_file_name(value):
        raise errors.InvalidRequestError(
            f"{name} file {value!r} does not exist (a URL or raw Base64 is sent as given)"
        )
    shown = value if len(value) <= 60 else value[:57] + "..."
    raise errors.InvalidRequestError(
        f"{name} {shown!r} is neither a URL nor raw Base64, nor a local file: Kling would "
        "refuse it"
    )


# What a file name of an image ends with, as a user types it.
_IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".heic", ".tif", ".tiff"}
)


def _looks_like_a_file_name(text: str) -> bool:
    """A short one-line text with an image's suffix or a path's start (`./`, `../`, `~`,
    `/`), no URL: what a user means as a local file (raw Base64 is longer than a path)."""
    if len(text) > 255 or "\n" in text or "://" in text:
        return False
    return Path(text).suffix.lower() in _IMAGE_SUFFIXES or text.startswith(
        ("./", "../", "~", "/")
    )


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _read_file(name: str, path: Path) -> bytes:
    try:
        size = path.stat().st_size
        _check_size(f"{name} {str(path)!r}", size)
        return path.read_bytes()
    except FileNotFoundError:
        raise errors.InvalidRequestError(
            f"{name} file {str(path)!r} does not exist"
        ) from None
    except OSError as exc:
        raise errors.InvalidRequestError(
            f"{name} {str(path)!r} cannot be read: {exc.strerror or exc}"
        ) from None


def _read_stream(name: str, stream: Any) -> bytes:
    data = stream.read(MAX_IMAGE_BYTES + 1)
    if not isinstance(data, bytes | bytearray):
        raise errors.InvalidRequestError(
            f"{name} is a file opened in text mode: open it with 'rb'"
        )
    _check_size(f"{name} (an open file)", len(data))
    return bytes(data)


def _check_size(origin: str, size: int) -> None:
    if size > MAX_IMAGE_BYTES:
        raise errors.InvalidRequestError(
            f"{origin} is {size / 1024 / 1024:.1f} MB; Kling takes images of at most "
            f"{MAX_IMAGE_BYTES // 1024 // 1024} MB: make it smaller before sending"
        )


def _check_image(origin: str, data: bytes) -> None:
    _check_size(origin, len(data))
    if not data.startswith(IMAGE_MAGIC):
        raise errors.InvalidRequestError(
            f"{origin} is not a PNG or JPEG image, the formats Kling takes"
        )
