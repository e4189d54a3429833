"""Writing a streamed video to disk: complete and size-checked, or not at all."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import httpx

from kling_common.redaction import redact_access
from kling_gateway_api.models import Task

from . import errors
from ._response import checked_task_id
from ._tasks import status_of, video_urls

if TYPE_CHECKING:
    from ._flows import Fetch
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


class PartialFile:
    """A temporary file beside the destination, renamed into place only once complete.

    On any exception, or when fewer or more bytes arrive than the server announced, the
    temporary file is removed and the destination is left untouched.
    """

    def __init__(
        self,
        destination: Path,
        max_bytes: int | None = None,
        source: str = "video server",
    ) -> None:
        self.destination = destination
        self.max_bytes = max_bytes
        self.source = source
        self.expected: int | None = None
        self.written = 0
        self.received = 0

    def __enter__(self) -> Self:
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        # Opened with "x" (not mkstemp) so that the file gets the usual umask permissions.
        self._path = (
            self.destination.parent
            / f".{self.destination.name}.{uuid.uuid4().hex}.part"
        )
        self._file = self._path.open("xb")
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
        self._file.write(chunk)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()
        if exc is None and self.expected is not None and self.received != self.expected:
            self._path.unlink(missing_ok=True)
            raise errors.DownloadError(
                f"video ended after {self.received} of {self.expected} bytes"
            )
        if exc is None and self.written == 0:
            self._path.unlink(missing_ok=True)
            raise errors.DownloadError("video server sent an empty body")
        if exc is not None:
            self._path.unlink(missing_ok=True)
            return
        os.replace(self._path, self.destination)


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
