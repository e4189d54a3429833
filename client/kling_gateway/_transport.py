"""Bounds on what one gateway answer may cost: its size and its total time.

httpx reads a whole answer into memory, decompressed, and its timeouts bound each read, not
the request: a 300 MB body, a small gzip bomb, or a body dripped one byte a second would all
get through. These transports wrap httpx's own and hand it a body that is already decoded
(gzip and deflate, the only encodings the client asks for), counted as it arrives, and cut
off past `max_bytes` or past the request's total deadline.
"""

from __future__ import annotations

import ssl
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from functools import cache

import anyio
import httpx

DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate"
_STEP = 64 * 1024  # decompress at most this much per step, whatever the ratio


@cache
def shared_tls_context() -> ssl.SSLContext:
    """The TLS context httpx would build for each new client, built once per process: reading
    the CA bundle took about 60 ms here, more than a request to the gateway. A context is
    made to be shared. SSL_CERT_FILE and SSL_CERT_DIR are read when it is first built; a
    transport of your own (`transport=`) brings its own context."""
    return httpx.create_ssl_context()


class ResponseTooLarge(Exception):
    """An answer passed max_response_bytes (decoded); the client reports it as malformed."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the answer is larger than max_response_bytes={max_bytes}")
        self.max_bytes = max_bytes


class _Decoder:
    """Incremental gzip/deflate decoding that never produces more than it is allowed to."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits) if encoding != "identity" else None
        self._first = True

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if self._zlib is None:
            yield chunk
            return
        data = chunk
        while data:
            try:
                out = self._zlib.decompress(data, _STEP)
            except zlib.error as exc:
                if self.encoding == "deflate" and self._first:
                    # Some servers send raw deflate without the zlib header.
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._first = False
                    continue
                raise httpx.DecodingError(f"{self.encoding}: {exc}") from None
            self._first = False
            data = self._zlib.unconsumed_tail
            if out:
                yield out


class _Limits:
    """Counting and the deadline, shared by the sync and the async stream."""

    def __init__(
        self, response: httpx.Response, max_bytes: int, deadline: float | None
    ) -> None:
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip", "deflate", ""):
            raise httpx.DecodingError(f"unsupported Content-Encoding {encoding!r}")
        self.decoder = _Decoder(encoding or "identity")
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.size = 0

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise httpx.ReadTimeout(
                "the answer did not arrive within the request timeout"
            )

    def decoded(self, chunk: bytes) -> Iterator[bytes]:
        self.check_time()
        for piece in self.decoder.feed(chunk):
            self.size += len(piece)
            if self.size > self.max_bytes:
                raise ResponseTooLarge(self.max_bytes)
            yield piece


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limits: _Limits) -> None:
        self._inner, self._limits = inner, limits

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            yield from self._limits.decoded(chunk)

    def close(self) -> None:
        self._inner.close()


class _AsyncBoundedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, limits: _Limits) -> None:
        self._inner, self._limits = inner, limits

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            for piece in self._limits.decoded(chunk):
                yield piece

    async def aclose(self) -> None:
        await self._inner.aclose()


def _drop_encoding(response: httpx.Response) -> None:
    """The body is handed on decoded: no encoding, and no length that no longer holds."""
    if "content-encoding" in response.headers:
        del response.headers["content-encoding"]
        response.headers.pop("content-length", None)


def _total(request: httpx.Request, default: float | None) -> float | None:
    """The request's read timeout bounds its whole answer: the client's, or a call's own
    `timeout=` (httpx puts the chosen timeout on each request it builds)."""
    timeout = request.extensions.get("timeout")
    if isinstance(timeout, dict) and "read" in timeout:
        read = timeout["read"]
        return read if isinstance(read, int | float) else None
    return default


def _deadline(total: float | None) -> float | None:
    return None if total is None else time.monotonic() + total


class BoundedTransport(httpx.BaseTransport):
    """Wraps a transport (httpx's own by default): each answer decoded, bounded in size,
    and read within `total_timeout` seconds of the request being sent."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        total_timeout: float | None = None,
    ) -> None:
        self._inner, self.max_bytes, self.total_timeout = (
            inner,
            max_bytes,
            total_timeout,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _deadline(_total(request, self.total_timeout))
        response = self._inner.handle_request(request)
        try:
            limits = _Limits(response, self.max_bytes, deadline)
            limits.check_time()
        except BaseException:
            response.close()
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        # Changed in place (a new Response would cost a third of this transport's time).
        _drop_encoding(response)
        response.stream = _BoundedStream(response.stream, limits)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncBoundedTransport(httpx.AsyncBaseTransport):
    """The async twin of BoundedTransport."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        total_timeout: float | None = None,
    ) -> None:
        self._inner, self.max_bytes, self.total_timeout = (
            inner,
            max_bytes,
            total_timeout,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        total = _total(request, self.total_timeout)
        deadline = _deadline(total)
        try:
            # Here the deadline also covers the headers (the sync transport cannot interrupt
            # httpx while it reads them; each read there is bounded by the read timeout).
            with anyio.fail_after(total):
                response = await self._inner.handle_async_request(request)
        except TimeoutError:
            raise httpx.ReadTimeout(
                "the answer did not arrive within the request timeout", request=request
            ) from None
        try:
            limits = _Limits(response, self.max_bytes, deadline)
            limits.check_time()
        except BaseException:
            await response.aclose()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        _drop_encoding(response)
        response.stream = _AsyncBoundedStream(response.stream, limits)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
