"""The one place that reaches into the generated client's endpoint modules.

openapi-python-client gives each operation a module whose public `sync`/`asyncio` do their
own I/O, with no retries, bounds or waiting. The client needs only the two private halves of
each: the request its `_get_kwargs` describes (path, method, body, as the spec says) and the
typed parse of its `_parse_response`. An `Endpoint` holds those two, so that a change in the
generator's private names breaks here, once, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, Generic, Protocol, TypeVar, cast

import attrs
import httpx

from kling_gateway_api import AuthenticatedClient, Client

R_co = TypeVar("R_co", covariant=True)


class Parser(Protocol[R_co]):
    """A generated endpoint module's typed parser."""

    def __call__(
        self, *, client: AuthenticatedClient | Client, response: httpx.Response
    ) -> R_co: ...


@attrs.frozen
class Endpoint(Generic[R_co]):
    """One generated operation: its request builder and its parser."""

    build: Callable[..., dict[str, Any]]
    parse: Parser[R_co]


def endpoint(module: ModuleType) -> Endpoint[object]:
    """The builder and parser of a generated endpoint module."""
    return Endpoint(
        build=cast(Callable[..., dict[str, Any]], module._get_kwargs),
        parse=cast(Parser[object], module._parse_response),
    )
