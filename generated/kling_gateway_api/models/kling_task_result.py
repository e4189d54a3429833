from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.kling_image import KlingImage
    from ..models.kling_video import KlingVideo


T = TypeVar("T", bound="KlingTaskResult")


@_attrs_define
class KlingTaskResult:
    """Present once Kling has a result.

    Attributes:
        videos (list[KlingVideo] | Unset):
        images (list[KlingImage] | Unset):
    """

    videos: list[KlingVideo] | Unset = UNSET
    images: list[KlingImage] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        videos: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.videos, Unset):
            videos = []
            for videos_item_data in self.videos:
                videos_item = videos_item_data.to_dict()
                videos.append(videos_item)

        images: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.images, Unset):
            images = []
            for images_item_data in self.images:
                images_item = images_item_data.to_dict()
                images.append(images_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if videos is not UNSET:
            field_dict["videos"] = videos
        if images is not UNSET:
            field_dict["images"] = images

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kling_image import KlingImage
        from ..models.kling_video import KlingVideo

        d = dict(src_dict)
        _videos = d.pop("videos", UNSET)
        videos: list[KlingVideo] | Unset = UNSET
        if _videos is not UNSET:
            videos = []
            for videos_item_data in _videos:
                videos_item = KlingVideo.from_dict(videos_item_data)

                videos.append(videos_item)

        _images = d.pop("images", UNSET)
        images: list[KlingImage] | Unset = UNSET
        if _images is not UNSET:
            images = []
            for images_item_data in _images:
                images_item = KlingImage.from_dict(images_item_data)

                images.append(images_item)

        kling_task_result = cls(
            videos=videos,
            images=images,
        )

        kling_task_result.additional_properties = d
        return kling_task_result

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
