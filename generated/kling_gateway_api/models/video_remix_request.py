from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_mode import VideoMode
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.kling_options import KlingOptions


T = TypeVar("T", bound="VideoRemixRequest")


@_attrs_define
class VideoRemixRequest:
    """A remix's body: a submit's fields, where only `prompt` is required; `model` is
    ignored (the earlier task's model is used).

        Attributes:
            prompt (str): Not only white space.
            model (str | Unset): Ignored; the earlier task's model is used.
            image (str | Unset): An image URL or base64 data; without one the new task is text-to-video.
            mode (VideoMode | Unset): `std` (faster, cheaper) or `pro` (higher quality).
            duration (int | Unset): Seconds, an integer.
            metadata (KlingOptions | Unset): Kling-only fields, as a current gateway (built since 2026-01-30) passes them to
                Kling:
                it merges this object into Kling's request and reads them from nowhere else. The same
                rules as the top-level fields; other keys are allowed and passed on where the gateway
                knows them.
    """

    prompt: str
    model: str | Unset = UNSET
    image: str | Unset = UNSET
    mode: VideoMode | Unset = UNSET
    duration: int | Unset = UNSET
    metadata: KlingOptions | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        model = self.model

        image = self.image

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        duration = self.duration

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prompt": prompt,
            }
        )
        if model is not UNSET:
            field_dict["model"] = model
        if image is not UNSET:
            field_dict["image"] = image
        if mode is not UNSET:
            field_dict["mode"] = mode
        if duration is not UNSET:
            field_dict["duration"] = duration
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kling_options import KlingOptions

        d = dict(src_dict)
        prompt = d.pop("prompt")

        model = d.pop("model", UNSET)

        image = d.pop("image", UNSET)

        _mode = d.pop("mode", UNSET)
        mode: VideoMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = VideoMode(_mode)

        duration = d.pop("duration", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: KlingOptions | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = KlingOptions.from_dict(_metadata)

        video_remix_request = cls(
            prompt=prompt,
            model=model,
            image=image,
            mode=mode,
            duration=duration,
            metadata=metadata,
        )

        video_remix_request.additional_properties = d
        return video_remix_request

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
