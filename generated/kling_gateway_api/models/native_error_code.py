from enum import StrEnum


class NativeErrorCode(StrEnum):
    AUTHENTICATION_ERROR = "authentication_error"
    INVALID_REQUEST = "invalid_request"
    PERMISSION_DENIED = "permission_denied"
    RATE_LIMIT_EXCEEDED = "rate_limit_exceeded"
    REQUEST_CONFLICT = "request_conflict"
    SERVER_ERROR = "server_error"
    TASK_NOT_FOUND = "task_not_found"

    def __str__(self) -> str:
        return str(self.value)
