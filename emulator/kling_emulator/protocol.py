"""uvicorn's fast HTTP protocol (httptools), with two things the gateway's Go server does:

* Request heads are limited like net/http's (1 MiB + 4 KiB): past that, 431 and the
  connection is closed, before the head is held in memory.
* Any method token is a request: net/http passes `FOO` to gin, which answers it like every
  other unmatched request. llhttp refuses methods it does not know, so such a request is
  parsed under a stand-in method that nothing routes, and the app sees the method sent.
"""

from __future__ import annotations

import re
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# How long an idle connection stays open. uvicorn's default closes it after 5 s; the
# gateway's Go server sets no idle timeout, and the nginx in front of most gateways keeps
# one for 75 s: a client's connection pool is measured against that.
KEEP_ALIVE_SECONDS = 75
MAX_HEAD_BYTES = (1 << 20) + 4096  # net/http's DefaultMaxHeaderBytes and its slack
# Methods llhttp parses itself; any other token is parsed under the stand-in.
KNOWN_METHODS = frozenset(
    b"GET HEAD POST PUT DELETE CONNECT OPTIONS TRACE PATCH PROPFIND".split()
)
STAND_IN = b"PROPFIND"  # llhttp knows it; the gateway routes nothing to it
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n\r\n"
    b"431 Request Header Fields Too Large"
)


class GatewayHttpProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._in_head = True
        self._sent_method: str | None = None

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            if self._head_bytes == 0:
                data = self._with_known_method(data)
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self.transport.write(_TOO_LARGE)
                self.transport.close()
                return
        super().data_received(data)

    def _with_known_method(self, data: bytes) -> bytes:
        method, space, rest = data.partition(b" ")
        if not space or method in KNOWN_METHODS or not _TOKEN.fullmatch(method):
            return data
        self._sent_method = method.decode("ascii")
        return STAND_IN + b" " + rest

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()
        if self._sent_method is not None:
            # The request cycle has not run yet: it reads the method from this scope.
            self.scope["method"] = self._sent_method
            self._sent_method = None

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0
