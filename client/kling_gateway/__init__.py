"""A dependable client for the Kling task routes of new-api style gateways.

Built on the generated `kling_gateway_api` package: results are its attrs models.
"""

import importlib.metadata as _metadata

from kling_gateway_api.models import SubmittedTask, TaskStatus
from kling_gateway_api.types import UNSET, Unset

from ._batch import JobResult, JobState
from ._client import (
    AsyncKlingClient,
    AsyncRawResponses,
    KlingClient,
    RawResponses,
)
from ._journal import (
    JobsChangedError,
    JournalError,
    JournalInUseError,
    JournalVersionError,
)
from ._logs import setup_logging as _setup_logging
from ._pacing import IntervalSchedule, RefreshSchedule
from ._policies import ProgressCallback, RetryPolicy, WaitPolicy
from ._response import APIResponse, Generated, Submitted
from ._routes import Route
from ._submit_fields import SubmitFields
from ._task_model import Task
from ._tasks import (
    fail_reason_of,
    is_final,
    is_success,
    progress_of,
    status_of,
    video_urls,
    videos_of,
)
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    DownloadError,
    InvalidRequestError,
    InvalidTaskIdError,
    KlingError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    TaskInterrupted,
    TaskNotFoundError,
    WaitTimeoutError,
)

try:
    __version__ = _metadata.version("kling-gateway")
except (
    _metadata.PackageNotFoundError
):  # imported from a source tree that was never installed
    __version__ = "0+unknown"

_setup_logging()  # KLING_LOG=info|debug

__all__ = [
    "UNSET",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "AsyncKlingClient",
    "AsyncRawResponses",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "DownloadError",
    "Generated",
    "IntervalSchedule",
    "InvalidRequestError",
    "InvalidTaskIdError",
    "JobResult",
    "JobState",
    "JobsChangedError",
    "JournalError",
    "JournalInUseError",
    "JournalVersionError",
    "KlingClient",
    "KlingError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProgressCallback",
    "RateLimitError",
    "RawResponses",
    "RefreshSchedule",
    "RetryPolicy",
    "Route",
    "ServerError",
    "SubmitFields",
    "Submitted",
    "SubmittedTask",
    "Task",
    "TaskFailedError",
    "TaskInterrupted",
    "TaskNotFoundError",
    "TaskStatus",
    "Unset",
    "WaitPolicy",
    "WaitTimeoutError",
    "fail_reason_of",
    "is_final",
    "is_success",
    "progress_of",
    "status_of",
    "video_urls",
    "videos_of",
]
