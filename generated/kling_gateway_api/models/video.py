from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_status import VideoStatus
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.video_error import VideoError
    from ..models.video_metadata import VideoMetadata


T = TypeVar("T", bound="Video")


@_attrs_define
class Video:
    """OpenAI's video object as the gateway converts a Kling task to it. For a Kling task:
    no `task_id`, `model` is `""`, `created_at`/`completed_at` are Kling's milliseconds,
    `seconds` and `metadata.url` only once a video exists, `error` only when Kling failed
    the task. Only `status` is required, so that a gateway that answers the compact shape
    reported for later versions (`task_id`, `status` `SUCCESS`, `progress` `100%`) still
    parses.

        Attributes:
            status (str | VideoStatus): The video status (`VideoStatus`); any other string is passed through.
            id (str | Unset):
            task_id (str | Unset): Absent for Kling tasks; other adaptors and later versions send it.
            object_ (str | Unset):
            model (str | Unset): Always `""` for a Kling task.
            progress (int | str | Unset): 0 to 100 (an integer; the compact shape sends text such as `100%`).
            created_at (int | Unset): When Kling created the task, in Kling's **milliseconds** (the submit answer's
                `created_at` is seconds).
            completed_at (int | Unset): Kling's `updated_at` in milliseconds, present while still running too; absent when
                0.
            expires_at (int | Unset):
            seconds (str | Unset): The video's length in seconds, as text (`5.1`).
            size (str | Unset):
            remixed_from_video_id (str | Unset):
            error (VideoError | Unset):
            metadata (VideoMetadata | Unset):
    """

    status: str | VideoStatus
    id: str | Unset = UNSET
    task_id: str | Unset = UNSET
    object_: str | Unset = UNSET
    model: str | Unset = UNSET
    progress: int | str | Unset = UNSET
    created_at: int | Unset = UNSET
    completed_at: int | Unset = UNSET
    expires_at: int | Unset = UNSET
    seconds: str | Unset = UNSET
    size: str | Unset = UNSET
    remixed_from_video_id: str | Unset = UNSET
    error: VideoError | Unset = UNSET
    metadata: VideoMetadata | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        status: str
        if isinstance(self.status, VideoStatus):
            status = self.status.value
        else:
            status = self.status

        id = self.id

        task_id = self.task_id

        object_ = self.object_

        model = self.model

        progress: int | str | Unset
        if isinstance(self.progress, Unset):
            progress = UNSET
        else:
            progress = self.progress

        created_at = self.created_at

        completed_at = self.completed_at

        expires_at = self.expires_at

        seconds = self.seconds

        size = self.size

        remixed_from_video_id = self.remixed_from_video_id

        error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.error, Unset):
            error = self.error.to_dict()

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if task_id is not UNSET:
            field_dict["task_id"] = task_id
        if object_ is not UNSET:
            field_dict["object"] = object_
        if model is not UNSET:
            field_dict["model"] = model
        if progress is not UNSET:
            field_dict["progress"] = progress
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if seconds is not UNSET:
            field_dict["seconds"] = seconds
        if size is not UNSET:
            field_dict["size"] = size
        if remixed_from_video_id is not UNSET:
            field_dict["remixed_from_video_id"] = remixed_from_video_id
        if error is not UNSET:
            field_dict["error"] = error
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.video_error import VideoError
        from ..models.video_metadata import VideoMetadata

        d = dict(src_dict)

        def _parse_status(data: object) -> str | VideoStatus:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = VideoStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | VideoStatus, data)

        status = _parse_status(d.pop("status"))

        id = d.pop("id", UNSET)

        task_id = d.pop("task_id", UNSET)

        object_ = d.pop("object", UNSET)

        model = d.pop("model", UNSET)

        def _parse_progress(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        progress = _parse_progress(d.pop("progress", UNSET))

        created_at = d.pop("created_at", UNSET)

        completed_at = d.pop("completed_at", UNSET)

        expires_at = d.pop("expires_at", UNSET)

        seconds = d.pop("seconds", UNSET)

        size = d.pop("size", UNSET)

        remixed_from_video_id = d.pop("remixed_from_video_id", UNSET)

        _error = d.pop("error", UNSET)
        error: VideoError | Unset
        if isinstance(_error, Unset):
            error = UNSET
        else:
            error = VideoError.from_dict(_error)

        _metadata = d.pop("metadata", UNSET)
        metadata: VideoMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = VideoMetadata.from_dict(_metadata)

        video = cls(
            status=status,
            id=id,
            task_id=task_id,
            object_=object_,
            model=model,
            progress=progress,
            created_at=created_at,
            completed_at=completed_at,
            expires_at=expires_at,
            seconds=seconds,
            size=size,
            remixed_from_video_id=remixed_from_video_id,
            error=error,
            metadata=metadata,
        )

        video.additional_properties = d
        return video

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
