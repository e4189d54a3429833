"""Where a streamed video goes: a file (complete and size-checked, or not at all), a binary
file the caller opened, or memory; each with the same checks and a progress callback."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import httpx

from kling_common.redaction import redact_access
from kling_gateway_api.models import Task

from . import errors
from ._response import checked_task_id
from ._tasks import status_of, video_urls

if TYPE_CHECKING:
    from ._flows import DownloadProgress, Fetch
from ._transport import shared_tls_context


def video_url(task: Task, index: int) -> str:
    urls = video_urls(task)
    if not urls:
        raise errors.DownloadError(
            f"task {task.task_id} has no video (status {status_of(task)})"
        )
    if not 0 <= index < len(urls):
        raise errors.DownloadError(
            f"task {task.task_id} has {len(urls)} video(s), not #{index}"
        )
    url = urls[index]
    if urlsplit(url).scheme not in ("http", "https"):
        raise errors.DownloadError(f"video URL of task {task.task_id} is not http(s)")
    return url


def destination_for(
    task: Task, destination: str | os.PathLike[str], index: int
) -> Path:
    """A file path; a folder (existing, or written with a trailing slash) gets
    `<task_id>[-<index>].mp4` inside it. The name never leaves the folder: the task id must
    be a gateway task id (no `/`, `..` or absolute path, whatever a gateway answered)."""
    path = Path(destination)
    if path.is_dir() or os.fspath(destination).endswith(("/", os.sep)):
        try:
            name = checked_task_id(task.task_id)
        except errors.InvalidTaskIdError:
            raise errors.DownloadError(
                "the task's id cannot name a file safely; pass a file path instead"
            ) from None
        suffix = f"-{index}" if index else ""
        path = path / f"{name}{suffix}.mp4"
        if path.resolve().parent != Path(destination).resolve():
            raise errors.DownloadError("the video's file name would leave the folder")
    return path


class _Sink:
    """The checks every download makes, wherever the bytes go: an answer of 200, at most
    `max_bytes`, a body neither empty nor shorter or longer than announced. A subclass keeps
    the bytes, and on failure leaves nothing of them behind."""

    def __init__(
        self,
        max_bytes: int | None = None,
        source: str = "video server",
        on_progress: DownloadProgress | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.source = source
        self.on_progress = on_progress
        self.expected: int | None = None
        self.written = 0
        self.received = 0

    def __enter__(self) -> Self:
        return self

    def start(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            raise errors.DownloadError(
                f"{self.source} answered HTTP {response.status_code}"
            )
        length = response.headers.get("Content-Length")
        self.expected = int(length) if length and length.isdigit() else None
        if self.max_bytes is not None and (self.expected or 0) > self.max_bytes:
            raise errors.DownloadError(
                f"video is {self.expected} bytes, more than max_bytes={self.max_bytes}"
            )

    def write(self, chunk: bytes) -> None:
        """A decoded chunk; `received` counts what arrived on the wire (Content-Length is
        the encoded size when the server compresses the video)."""
        self.written += len(chunk)
        if self.max_bytes is not None and self.written > self.max_bytes:
            raise errors.DownloadError(
                f"video is larger than max_bytes={self.max_bytes}"
            )
        self._keep(chunk)
        if self.on_progress is not None:
            self.on_progress(self.written, self.expected)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        problem = None
        if exc is None and self.expected is not None and self.received != self.expected:
            problem = f"video ended after {self.received} of {self.expected} bytes"
        elif exc is None and self.written == 0:
            problem = "video server sent an empty body"
        if exc is not None or problem is not None:
            self._discard()
            if problem is not None:
                raise errors.DownloadError(problem)
            return
        self._finish()

    def result(self) -> object:
        raise NotImplementedError

    def _keep(self, chunk: bytes) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        pass


class PartialFile(_Sink):
    """A temporary file beside the destination, renamed into place only once complete: on
    any failure the temporary file is removed and the destination is left untouched."""

    def __init__(self, destination: Path, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.destination = destination

    def __enter__(self) -> Self:
        self._path = (
            self.destination.parent
            / f".{self.destination.name}.{uuid.uuid4().hex}.part"
        )
        try:
            self.destination.parent.mkdir(parents=True, exist_ok=True)
            # Opened with "x" (not mkstemp) so that the file gets the usual umask
            # permissions.
            self._file = self._path.open("xb")
        except OSError as exc:
            raise errors.DownloadError(
                f"cannot write the video to {str(self.destination)!r}: "
                f"{exc.strerror or exc}"
            ) from None
        return self

    def _keep(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def _discard(self) -> None:
        self._file.close()
        self._path.unlink(missing_ok=True)

    def _finish(self) -> None:
        self._file.close()
        os.replace(self._path, self.destination)

    def result(self) -> Path:
        return self.destination


class OpenFile(_Sink):
    """A binary file the caller opened: written from where it stands. On failure a seekable
    file is cut back to where it stood; a pipe or socket keeps what was written."""

    def __init__(self, file: IO[bytes], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file = file
        self._start: int | None = None

    def __enter__(self) -> Self:
        mode = getattr(self.file, "mode", None)  # a BytesIO has none
        if isinstance(mode, str) and "b" not in mode:
            raise errors.DownloadError(
                "the file is open in text mode: open it with 'wb'"
            )
        try:
            self._start = self.file.tell() if self.file.seekable() else None
        except (OSError, ValueError, AttributeError):
            self._start = None
        return self

    def _keep(self, chunk: bytes) -> None:
        self.file.write(chunk)

    def _discard(self) -> None:
        if self._start is not None:
            self.file.seek(self._start)
            self.file.truncate()

    def result(self) -> int:
        return self.written


class InMemory(_Sink):
    """The video as bytes (bounded by max_bytes like any download)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chunks: list[bytes] = []

    def _keep(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    def _discard(self) -> None:
        self._chunks.clear()

    def result(self) -> bytes:
        return b"".join(self._chunks)


def sink_for(fetch: Fetch) -> _Sink:
    """Where a fetch's bytes go, with its bounds and progress callback."""
    args = (fetch.max_bytes, fetch.source, fetch.on_progress)
    if isinstance(fetch.destination, Path):
        return PartialFile(fetch.destination, *args)
    if fetch.destination is None:
        return InMemory(*args)
    return OpenFile(fetch.destination, *args)


def download_failure(exc: httpx.HTTPError, fetch: Fetch) -> errors.DownloadError:
    """The error of a failed download. A URL that is a credential (an artifact's access
    value) is cut from the message, should the HTTP library have named it."""
    text = str(exc)
    if fetch.secret:
        text = redact_access(text.replace(fetch.url, "<artifact URL>"))
    return errors.DownloadError(f"video download failed: {type(exc).__name__}: {text}")


def download_client_args(timeout: httpx.Timeout) -> dict[str, Any]:
    # No Authorization header: video URLs usually live on a CDN, which must never see the token.
    return {
        "timeout": timeout,
        "follow_redirects": True,
        "verify": shared_tls_context(),
    }
