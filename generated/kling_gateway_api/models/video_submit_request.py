from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_mode import VideoMode
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.kling_options import KlingOptions


T = TypeVar("T", bound="VideoSubmitRequest")


@_attrs_define
class VideoSubmitRequest:
    """The unified routes' submit body: the gateway's own task request, read without the Kling
    routes' conversion. Kling-only fields (`negative_prompt`, `cfg_scale`, `image_tail`,
    masks, `camera_control`, `callback_url`, `external_task_id`, `aspect_ratio`,
    `model_name`) go inside `metadata`; at the top level they are ignored. Converter
    defaults: `mode` std, `duration` 5, `cfg_scale` 0.5, `aspect_ratio` from `size`
    (1:1 unless `size` is a known 16:9 or 9:16 size).

        Attributes:
            model (str): A Kling model such as `kling-v1-6` (see `KlingModelName`), which picks the channel and the price.
            prompt (str): Not only white space (the gateway answers 400 `invalid_request`).
            image (str | Unset): An image URL or base64 data; a non-empty one makes an image-to-video task.
            images (list[str] | Unset): Read by the gateway (`HasImage`); Kling receives only `image`.
            mode (VideoMode | Unset): `std` (faster, cheaper) or `pro` (higher quality).
            size (str | Unset): `1280x720`/`1920x1080` give 16:9, `720x1280`/`1080x1920` 9:16, anything else 1:1.
            duration (int | Unset): Seconds, an integer (a numeric string is read too).
            seconds (str | Unset): OpenAI's length field; read for billing, not sent to Kling.
            input_reference (str | Unset): OpenAI's reference image; read, but not passed to Kling (use `image`).
            metadata (KlingOptions | Unset): Kling-only fields, as a current gateway (built since 2026-01-30) passes them to
                Kling:
                it merges this object into Kling's request and reads them from nowhere else. The same
                rules as the top-level fields; other keys are allowed and passed on where the gateway
                knows them.
    """

    model: str
    prompt: str
    image: str | Unset = UNSET
    images: list[str] | Unset = UNSET
    mode: VideoMode | Unset = UNSET
    size: str | Unset = UNSET
    duration: int | Unset = UNSET
    seconds: str | Unset = UNSET
    input_reference: str | Unset = UNSET
    metadata: KlingOptions | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        prompt = self.prompt

        image = self.image

        images: list[str] | Unset = UNSET
        if not isinstance(self.images, Unset):
            images = self.images

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        size = self.size

        duration = self.duration

        seconds = self.seconds

        input_reference = self.input_reference

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

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
        if images is not UNSET:
            field_dict["images"] = images
        if mode is not UNSET:
            field_dict["mode"] = mode
        if size is not UNSET:
            field_dict["size"] = size
        if duration is not UNSET:
            field_dict["duration"] = duration
        if seconds is not UNSET:
            field_dict["seconds"] = seconds
        if input_reference is not UNSET:
            field_dict["input_reference"] = input_reference
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kling_options import KlingOptions

        d = dict(src_dict)
        model = d.pop("model")

        prompt = d.pop("prompt")

        image = d.pop("image", UNSET)

        images = cast(list[str], d.pop("images", UNSET))

        _mode = d.pop("mode", UNSET)
        mode: VideoMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = VideoMode(_mode)

        size = d.pop("size", UNSET)

        duration = d.pop("duration", UNSET)

        seconds = d.pop("seconds", UNSET)

        input_reference = d.pop("input_reference", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: KlingOptions | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = KlingOptions.from_dict(_metadata)

        video_submit_request = cls(
            model=model,
            prompt=prompt,
            image=image,
            images=images,
            mode=mode,
            size=size,
            duration=duration,
            seconds=seconds,
            input_reference=input_reference,
            metadata=metadata,
        )

        video_submit_request.additional_properties = d
        return video_submit_request

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
