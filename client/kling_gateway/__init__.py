"""A dependable client for the Kling task routes of new-api style gateways.

Built on the generated `kling_gateway_api` package: results are its attrs models.
"""

from importlib.metadata import PackageNotFoundError, version

from kling_gateway_api.models import SubmittedTask, Task, TaskStatus

from ._logs import setup_logging
from ._response import APIResponse, Submitted
from .async_client import AsyncKlingClient
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
    TaskNotFoundError,
    WaitTimeoutError,
)
from .pacing import IntervalSchedule, RefreshSchedule
from .policies import RetryPolicy, WaitPolicy
from .submit_fields import SubmitFields
from .sync_client import KlingClient
from .tasks import (
    fail_reason_of,
    is_final,
    is_success,
    progress_of,
    status_of,
    video_urls,
    videos_of,
)

try:
    __version__ = version("kling-gateway")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

setup_logging()  # KLING_LOG=info|debug

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "AsyncKlingClient",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "DownloadError",
    "IntervalSchedule",
    "InvalidRequestError",
    "InvalidTaskIdError",
    "KlingClient",
    "KlingError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RefreshSchedule",
    "RetryPolicy",
    "ServerError",
    "SubmitFields",
    "Submitted",
    "SubmittedTask",
    "Task",
    "TaskFailedError",
    "TaskNotFoundError",
    "TaskStatus",
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
