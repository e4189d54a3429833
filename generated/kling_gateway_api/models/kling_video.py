from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

T = TypeVar("T", bound="KlingVideo")


@_attrs_define
class KlingVideo:
    """A generated video. URLs expire 30 days after generation.

    Attributes:
        id (str | Unset):
        url (str | Unset): 视频下载/播放地址 — download or playback URL.
        watermark_url (str | Unset):
        duration (str | Unset): Seconds, as text (e.g. `5.1`).
    """

    id: str | Unset = UNSET
    url: str | Unset = UNSET
    watermark_url: str | Unset = UNSET
    duration: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        url = self.url

        watermark_url = self.watermark_url

        duration = self.duration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if url is not UNSET:
            field_dict["url"] = url
        if watermark_url is not UNSET:
            field_dict["watermark_url"] = watermark_url
        if duration is not UNSET:
            field_dict["duration"] = duration

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        url = d.pop("url", UNSET)

        watermark_url = d.pop("watermark_url", UNSET)

        duration = d.pop("duration", UNSET)

        kling_video = cls(
            id=id,
            url=url,
            watermark_url=watermark_url,
            duration=duration,
        )

        kling_video.additional_properties = d
        return kling_video

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
