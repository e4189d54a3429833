from enum import StrEnum


class VideoStatus(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    QUEUED = "queued"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return str(self.value)
