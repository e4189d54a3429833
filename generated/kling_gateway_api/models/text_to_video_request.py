from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.aspect_ratio import AspectRatio
from ..models.video_duration import VideoDuration
from ..models.video_mode import VideoMode
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.camera_control import CameraControl
    from ..models.kling_options import KlingOptions


T = TypeVar("T", bound="TextToVideoRequest")


@_attrs_define
class TextToVideoRequest:
    """A text-to-video submit, with the same wire format as `ImageToVideoRequest`.

    Attributes:
        model (str): A Kling model such as `kling-v1-6`. The only model field a current gateway reads.
        prompt (str): At most 2500 characters, and not only white space (the gateway answers 400 `invalid_request`).
        model_name (str | Unset): Read by gateways built before 2026-01-30; send the same value as `model`.
        mode (VideoMode | Unset): `std` (faster, cheaper) or `pro` (higher quality).
        duration (VideoDuration | Unset): Seconds, as a string. A current gateway also takes a number, but one built
            before
            2026-01-30 answers 500 `build_request_failed` to it: send a string.
        negative_prompt (str | Unset):
        cfg_scale (float | Unset):  Default: 0.5.
        aspect_ratio (AspectRatio | Unset):
        camera_control (CameraControl | Unset):
        callback_url (str | Unset):
        external_task_id (str | Unset):
        metadata (KlingOptions | Unset): Kling-only fields, as a current gateway (built since 2026-01-30) passes them to
            Kling:
            it merges this object into Kling's request and reads them from nowhere else. The same
            rules as the top-level fields; other keys are allowed and passed on where the gateway
            knows them.
    """

    model: str
    prompt: str
    model_name: str | Unset = UNSET
    mode: VideoMode | Unset = UNSET
    duration: VideoDuration | Unset = UNSET
    negative_prompt: str | Unset = UNSET
    cfg_scale: float | Unset = 0.5
    aspect_ratio: AspectRatio | Unset = UNSET
    camera_control: CameraControl | Unset = UNSET
    callback_url: str | Unset = UNSET
    external_task_id: str | Unset = UNSET
    metadata: KlingOptions | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        prompt = self.prompt

        model_name = self.model_name

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        duration: str | Unset = UNSET
        if not isinstance(self.duration, Unset):
            duration = self.duration.value

        negative_prompt = self.negative_prompt

        cfg_scale = self.cfg_scale

        aspect_ratio: str | Unset = UNSET
        if not isinstance(self.aspect_ratio, Unset):
            aspect_ratio = self.aspect_ratio.value

        camera_control: dict[str, Any] | Unset = UNSET
        if not isinstance(self.camera_control, Unset):
            camera_control = self.camera_control.to_dict()

        callback_url = self.callback_url

        external_task_id = self.external_task_id

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
        if model_name is not UNSET:
            field_dict["model_name"] = model_name
        if mode is not UNSET:
            field_dict["mode"] = mode
        if duration is not UNSET:
            field_dict["duration"] = duration
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if camera_control is not UNSET:
            field_dict["camera_control"] = camera_control
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.camera_control import CameraControl
        from ..models.kling_options import KlingOptions

        d = dict(src_dict)
        model = d.pop("model")

        prompt = d.pop("prompt")

        model_name = d.pop("model_name", UNSET)

        _mode = d.pop("mode", UNSET)
        mode: VideoMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = VideoMode(_mode)

        _duration = d.pop("duration", UNSET)
        duration: VideoDuration | Unset
        if isinstance(_duration, Unset):
            duration = UNSET
        else:
            duration = VideoDuration(_duration)

        negative_prompt = d.pop("negative_prompt", UNSET)

        cfg_scale = d.pop("cfg_scale", UNSET)

        _aspect_ratio = d.pop("aspect_ratio", UNSET)
        aspect_ratio: AspectRatio | Unset
        if isinstance(_aspect_ratio, Unset):
            aspect_ratio = UNSET
        else:
            aspect_ratio = AspectRatio(_aspect_ratio)

        _camera_control = d.pop("camera_control", UNSET)
        camera_control: CameraControl | Unset
        if isinstance(_camera_control, Unset):
            camera_control = UNSET
        else:
            camera_control = CameraControl.from_dict(_camera_control)

        callback_url = d.pop("callback_url", UNSET)

        external_task_id = d.pop("external_task_id", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: KlingOptions | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = KlingOptions.from_dict(_metadata)

        text_to_video_request = cls(
            model=model,
            prompt=prompt,
            model_name=model_name,
            mode=mode,
            duration=duration,
            negative_prompt=negative_prompt,
            cfg_scale=cfg_scale,
            aspect_ratio=aspect_ratio,
            camera_control=camera_control,
            callback_url=callback_url,
            external_task_id=external_task_id,
            metadata=metadata,
        )

        text_to_video_request.additional_properties = d
        return text_to_video_request

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
