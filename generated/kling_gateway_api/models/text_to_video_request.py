from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.text_to_video_request_aspect_ratio import TextToVideoRequestAspectRatio
from ..models.video_duration import VideoDuration
from ..models.video_mode import VideoMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.camera_control import CameraControl


T = TypeVar("T", bound="TextToVideoRequest")


@_attrs_define
class TextToVideoRequest:
    """Kling's text-to-video fields.

    Attributes:
        model_name (str):
        prompt (str):
        negative_prompt (str | Unset):
        cfg_scale (float | Unset):  Default: 0.5.
        mode (VideoMode | Unset): `std` (faster, cheaper) or `pro` (higher quality).
        duration (VideoDuration | Unset): Seconds, as a string. A number makes the gateway answer 500
            `build_request_failed`.
        aspect_ratio (TextToVideoRequestAspectRatio | Unset):
        camera_control (CameraControl | Unset):
        callback_url (str | Unset):
        external_task_id (str | Unset):
    """

    model_name: str
    prompt: str
    negative_prompt: str | Unset = UNSET
    cfg_scale: float | Unset = 0.5
    mode: VideoMode | Unset = UNSET
    duration: VideoDuration | Unset = UNSET
    aspect_ratio: TextToVideoRequestAspectRatio | Unset = UNSET
    camera_control: CameraControl | Unset = UNSET
    callback_url: str | Unset = UNSET
    external_task_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model_name = self.model_name

        prompt = self.prompt

        negative_prompt = self.negative_prompt

        cfg_scale = self.cfg_scale

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        duration: str | Unset = UNSET
        if not isinstance(self.duration, Unset):
            duration = self.duration.value

        aspect_ratio: str | Unset = UNSET
        if not isinstance(self.aspect_ratio, Unset):
            aspect_ratio = self.aspect_ratio.value

        camera_control: dict[str, Any] | Unset = UNSET
        if not isinstance(self.camera_control, Unset):
            camera_control = self.camera_control.to_dict()

        callback_url = self.callback_url

        external_task_id = self.external_task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model_name": model_name,
                "prompt": prompt,
            }
        )
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if mode is not UNSET:
            field_dict["mode"] = mode
        if duration is not UNSET:
            field_dict["duration"] = duration
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if camera_control is not UNSET:
            field_dict["camera_control"] = camera_control
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.camera_control import CameraControl

        d = dict(src_dict)
        model_name = d.pop("model_name")

        prompt = d.pop("prompt")

        negative_prompt = d.pop("negative_prompt", UNSET)

        cfg_scale = d.pop("cfg_scale", UNSET)

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

        _aspect_ratio = d.pop("aspect_ratio", UNSET)
        aspect_ratio: TextToVideoRequestAspectRatio | Unset
        if isinstance(_aspect_ratio, Unset):
            aspect_ratio = UNSET
        else:
            aspect_ratio = TextToVideoRequestAspectRatio(_aspect_ratio)

        _camera_control = d.pop("camera_control", UNSET)
        camera_control: CameraControl | Unset
        if isinstance(_camera_control, Unset):
            camera_control = UNSET
        else:
            camera_control = CameraControl.from_dict(_camera_control)

        callback_url = d.pop("callback_url", UNSET)

        external_task_id = d.pop("external_task_id", UNSET)

        text_to_video_request = cls(
            model_name=model_name,
            prompt=prompt,
            negative_prompt=negative_prompt,
            cfg_scale=cfg_scale,
            mode=mode,
            duration=duration,
            aspect_ratio=aspect_ratio,
            camera_control=camera_control,
            callback_url=callback_url,
            external_task_id=external_task_id,
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
