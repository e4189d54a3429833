"""Contains some shared types for properties"""

from collections.abc import Mapping, MutableMapping
from enum import Enum
from http import HTTPStatus
from typing import IO, BinaryIO, Generic, Literal, TypeVar

from attrs import AttrsInstance, define, fields


class Unset:
    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


def short_repr(model: AttrsInstance) -> str:
    """A model by the fields it has: none that is UNSET, no empty bag of further properties,
    and each value cut to 80 characters (a nested model shows itself the same way)."""
    shown: list[str] = []
    for field in fields(type(model)):
        value = getattr(model, field.name)
        if isinstance(value, Unset) or (
            field.name == "additional_properties" and not value
        ):
            continue
        text = repr(value.value if isinstance(value, Enum) else value)
        shown.append(f"{field.name}={text if len(text) <= 80 else text[:77] + '...'}")
    return f"{type(model).__name__}({', '.join(shown)})"


__all__ = ["UNSET", "File", "FileTypes", "RequestFiles", "Response", "Unset"]
