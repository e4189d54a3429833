from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

T = TypeVar("T", bound="VideoSubmitForm")


@_attrs_define
class VideoSubmitForm:
    """The submit body as form fields; `metadata` is a JSON string.

    Attributes:
        model (str):
        prompt (str): Not only white space (the gateway answers 400 `invalid_request`).
        image (str | Unset):
        mode (str | Unset):
        size (str | Unset):
        duration (str | Unset): Seconds, as digits; anything else reads as the default 5.
        metadata (str | Unset): A JSON object, as text.
    """

    model: str
    prompt: str
    image: str | Unset = UNSET
    mode: str | Unset = UNSET
    size: str | Unset = UNSET
    duration: str | Unset = UNSET
    metadata: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        prompt = self.prompt

        image = self.image

        mode = self.mode

        size = self.size

        duration = self.duration

        metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "prompt": prompt,
            }
        )
        if image is not UNSET:
            field_dict["image"] = image
        if mode is not UNSET:
            field_dict["mode"] = mode
        if size is not UNSET:
            field_dict["size"] = size
        if duration is not UNSET:
            field_dict["duration"] = duration
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        model = d.pop("model")

        prompt = d.pop("prompt")

        image = d.pop("image", UNSET)

        mode = d.pop("mode", UNSET)

        size = d.pop("size", UNSET)

        duration = d.pop("duration", UNSET)

        metadata = d.pop("metadata", UNSET)

        video_submit_form = cls(
            model=model,
            prompt=prompt,
            image=image,
            mode=mode,
            size=size,
            duration=duration,
            metadata=metadata,
        )

        video_submit_form.additional_properties = d
        return video_submit_form

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
