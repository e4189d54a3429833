"""Typed exceptions for every way a call can go wrong.

Each gateway answer that is not a success becomes one of the `APIStatusError` subclasses,
carrying the HTTP status, the gateway's code and message and the request id. Messages are
built from the answer only: no request headers, so never a token.

    KlingError
    ├── ConfigurationError          the client cannot be built (also a ValueError)
    ├── InvalidRequestError         submit fields or wait arguments refused before sending
    ├── InvalidTaskIdError          a task id that could change the request path
    ├── APIConnectionError          no answer: connect failed, connection dropped
    │   └── APITimeoutError         no answer in time (per read, or in total)
    ├── APIError                    the gateway answered, not with what was asked for
    │   ├── MalformedResponseError  not JSON (an HTML page: wrong base URL), mis-shaped,
    │   │                           about another task, or larger than max_response_bytes
    │   └── APIStatusError          an error answer, in either of the gateway's shapes
    │       ├── BadRequestError     400
    │       │   └── TaskNotFoundError   400 task_not_exist (unknown, or another user's)
    │       ├── AuthenticationError 401 (wrong, disabled, expired or used-up token)
    │       ├── PermissionDeniedError   403 (banned, a channel named, a model-limited token)
    │       ├── NotFoundError       404 (not a route: wrong base URL)
    │       ├── RateLimitError      429
    │       └── ServerError         5xx
    ├── TaskFailedError             wait saw FAILURE
    ├── WaitTimeoutError            wait passed its deadline (also a TimeoutError)
    └── DownloadError               a video could not be downloaded whole

    KeyboardInterrupt
    └── TaskInterrupted             Ctrl-C in generate() after its submit: names the task

Unlike openai-python, where `APIConnectionError` is an `APIError`, here `APIError` means
the gateway answered (every one has a `status_code`), and no answer is its own branch:
`except openai.APIError` ports as `except KlingError` (or `(APIError, APIConnectionError)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from ._task_model import Task


class KlingError(Exception):
    """Base of every exception this library raises.

    Every one survives pickle (wait_many returns them as values, and users send those
    across processes and task queues) with all its fields, except `response`: an
    httpx.Response does not travel, and arrives as None.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own pickling calls cls(*args), which keyword-only fields break: rebuild
        # from the message and the instance's fields instead.
        state = (
            {**vars(self), "response": None} if "response" in vars(self) else vars(self)
        )
        return (_rebuild, (type(self), self.args, state))


def _rebuild(
    cls: type[KlingError], args: tuple[Any, ...], state: dict[str, Any]
) -> KlingError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    vars(error).update(state)
    return error


class ConfigurationError(KlingError, ValueError):
    """The client cannot be built: no base URL, no token, a bad option."""


class InvalidRequestError(KlingError, ValueError):
    """Submit fields that cannot form a request (missing field, unknown enum value)."""


class InvalidTaskIdError(KlingError, ValueError):
    """A task id that could change the request path (`../x`, `a/b`, `?`, `#`, empty)."""


class APIConnectionError(KlingError):
    """No answer: the connection failed or dropped (after the retries allowed).

    `request_sent` is False when the request never reached the server (a failed connect), so
    that even a submit can be retried safely.
    """

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool = True,
        url: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.request_sent = request_sent
        self.url = url
        self.attempts = attempts


class APITimeoutError(APIConnectionError):
    """No answer within the configured timeout (after the retries allowed)."""


class APIError(KlingError):
    """The gateway answered, but not with what was asked for."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        request_id: str | None = None,
        response: httpx.Response | None = None,
        hint: str | None = None,
        gateway_message: str | None = None,
    ) -> None:
        self.message = message
        # What the answer means and what to do, in English (also in `message`); and the
        # gateway's own text, in its language, without it.
        self.hint = hint
        self.gateway_message = message if gateway_message is None else gateway_message
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.response = response
        super().__init__(message)

    def __str__(self) -> str:
        parts = [f"HTTP {self.status_code}"]
        if self.code:
            parts.append(f"code {self.code}")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return f"{self.message} ({', '.join(parts)})"


class MalformedResponseError(APIError):
    """The answer is not JSON, or not of the documented shape."""


class APIStatusError(APIError):
    """An error answer in one of the gateway's two documented shapes (or an unknown status).

    `message` is the gateway's, without the `(request id: ...)` it appends: the request id is
    `request_id`, and the text shows it once."""


class BadRequestError(APIStatusError):
    """400: the request was refused (invalid field, content rejected by Kling, ...)."""


class AuthenticationError(APIStatusError):
    """401: missing, unknown, disabled or expired token, or one whose quota is used up (a
    current gateway says the same for all of these)."""


class PermissionDeniedError(APIStatusError):
    """403: the user is banned, or the token may not use this model or channel.

    `model` is the model a model-limited token may not use; "" when the gateway named none,
    which it does for a task id the token cannot see; None for other refusals.
    """

    def __init__(
        self, message: str, *, model: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.model = model


class NotFoundError(APIStatusError):
    """404: no such route on this gateway (wrong base URL?)."""


class TaskNotFoundError(BadRequestError, NotFoundError):
    """Unknown task id, or a task of another user: 400 `task_not_exist` (generations A and
    B), or 404 `task_not_found` (generation C's Kling routes). Both a BadRequestError and a
    NotFoundError, so that either `except` catches it on every generation. `task_id` is the
    task asked for."""

    def __init__(
        self, message: str, *, task_id: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.task_id = task_id


class RateLimitError(APIStatusError):
    """429: slow down; `retry_after` is the server's requested delay in seconds, if it sent one."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the gateway or Kling failed."""


class TaskFailedError(KlingError):
    """The task ended in FAILURE; `reason` is the gateway's fail reason."""

    def __init__(self, task: Task, reason: str) -> None:
        self.task = task
        self.task_id = task.task_id
        self.reason = reason
        super().__init__(f"task {task.task_id} failed: {reason or 'no reason given'}")


class WaitTimeoutError(KlingError, TimeoutError):
    """The task was not final before the deadline of `wait`; `task` is the last state seen."""

    def __init__(self, task_id: str, deadline: float, task: Task | None) -> None:
        self.task_id = task_id
        self.deadline = deadline
        self.task = task
        last = (
            f", last status {task.status} {task.progress}" if task is not None else ""
        )
        # The task goes on at the gateway (and is billed): say how to pick it up again.
        super().__init__(
            f"task {task_id} not final after {deadline:g} s{last}; it goes on at the "
            "gateway: wait for it again by its id"
        )


class DownloadError(KlingError):
    """A video could not be downloaded completely; no partial file was left behind."""


class TaskInterrupted(KeyboardInterrupt):
    """Ctrl-C during `generate()` once its task was submitted: the task is paid for and goes
    on at the gateway; `task_id` picks it up again (`wait`, `download`).

    A KeyboardInterrupt, not a KlingError: an interrupt must still stop the program, and
    pass through `except Exception`; `except KeyboardInterrupt` catches it as ever."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        super().__init__(
            f"interrupted: task {task_id} goes on at the gateway; pick it up with "
            f"wait({task_id!r}) or `kling wait {task_id}`"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.task_id,))
