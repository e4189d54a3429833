from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_duration import VideoDuration
from ..models.video_mode import VideoMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.camera_control import CameraControl
    from ..models.dynamic_mask import DynamicMask
    from ..models.kling_watermark_info import KlingWatermarkInfo


T = TypeVar("T", bound="ImageToVideoRequest")


@_attrs_define
class ImageToVideoRequest:
    """Kling's image-to-video fields. The gateway forwards the body to Kling.

    Attributes:
        model_name (str): A Kling model such as `kling-v1-6` (see `KlingModelName`).
        image (str): The first frame, an image URL or raw Base64 without a `data:` prefix (jpg/png, at most 10 MB, sides
            at least 300 px, aspect 1:2.5 to 2.5:1).
        prompt (str):
        image_tail (str | Unset): Optional last frame, with the same rules; empty means none.
        negative_prompt (str | Unset):
        cfg_scale (float | Unset):  Default: 0.5.
        mode (VideoMode | Unset): `std` (faster, cheaper) or `pro` (higher quality).
        duration (VideoDuration | Unset): Seconds, as a string. A number makes the gateway answer 500
            `build_request_failed`.
        static_mask (str | Unset): Motion brush, the static area (image URL or Base64).
        dynamic_masks (list[DynamicMask] | Unset): Motion brush, at most 6 moving areas.
        camera_control (CameraControl | Unset):
        callback_url (str | Unset):
        external_task_id (str | Unset): The caller's own id for the task; makes a retried submit recognisable.
        sound (str | Unset): Newer Kling models; some gateways drop it.
        watermark_info (KlingWatermarkInfo | Unset):
    """

    model_name: str
    image: str
    prompt: str
    image_tail: str | Unset = UNSET
    negative_prompt: str | Unset = UNSET
    cfg_scale: float | Unset = 0.5
    mode: VideoMode | Unset = UNSET
    duration: VideoDuration | Unset = UNSET
    static_mask: str | Unset = UNSET
    dynamic_masks: list[DynamicMask] | Unset = UNSET
    camera_control: CameraControl | Unset = UNSET
    callback_url: str | Unset = UNSET
    external_task_id: str | Unset = UNSET
    sound: str | Unset = UNSET
    watermark_info: KlingWatermarkInfo | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model_name = self.model_name

        image = self.image

        prompt = self.prompt

        image_tail = self.image_tail

        negative_prompt = self.negative_prompt

        cfg_scale = self.cfg_scale

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        duration: str | Unset = UNSET
        if not isinstance(self.duration, Unset):
            duration = self.duration.value

        static_mask = self.static_mask

        dynamic_masks: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.dynamic_masks, Unset):
            dynamic_masks = []
            for dynamic_masks_item_data in self.dynamic_masks:
                dynamic_masks_item = dynamic_masks_item_data.to_dict()
                dynamic_masks.append(dynamic_masks_item)

        camera_control: dict[str, Any] | Unset = UNSET
        if not isinstance(self.camera_control, Unset):
            camera_control = self.camera_control.to_dict()

        callback_url = self.callback_url

        external_task_id = self.external_task_id

        sound = self.sound

        watermark_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.watermark_info, Unset):
            watermark_info = self.watermark_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model_name": model_name,
                "image": image,
                "prompt": prompt,
            }
        )
        if image_tail is not UNSET:
            field_dict["image_tail"] = image_tail
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if mode is not UNSET:
            field_dict["mode"] = mode
        if duration is not UNSET:
            field_dict["duration"] = duration
        if static_mask is not UNSET:
            field_dict["static_mask"] = static_mask
        if dynamic_masks is not UNSET:
            field_dict["dynamic_masks"] = dynamic_masks
        if camera_control is not UNSET:
            field_dict["camera_control"] = camera_control
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id
        if sound is not UNSET:
            field_dict["sound"] = sound
        if watermark_info is not UNSET:
            field_dict["watermark_info"] = watermark_info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.camera_control import CameraControl
        from ..models.dynamic_mask import DynamicMask
        from ..models.kling_watermark_info import KlingWatermarkInfo

        d = dict(src_dict)
        model_name = d.pop("model_name")

        image = d.pop("image")

        prompt = d.pop("prompt")

        image_tail = d.pop("image_tail", UNSET)

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

        static_mask = d.pop("static_mask", UNSET)

        _dynamic_masks = d.pop("dynamic_masks", UNSET)
        dynamic_masks: list[DynamicMask] | Unset = UNSET
        if _dynamic_masks is not UNSET:
            dynamic_masks = []
            for dynamic_masks_item_data in _dynamic_masks:
                dynamic_masks_item = DynamicMask.from_dict(dynamic_masks_item_data)

                dynamic_masks.append(dynamic_masks_item)

        _camera_control = d.pop("camera_control", UNSET)
        camera_control: CameraControl | Unset
        if isinstance(_camera_control, Unset):
            camera_control = UNSET
        else:
            camera_control = CameraControl.from_dict(_camera_control)

        callback_url = d.pop("callback_url", UNSET)

        external_task_id = d.pop("external_task_id", UNSET)

        sound = d.pop("sound", UNSET)

        _watermark_info = d.pop("watermark_info", UNSET)
        watermark_info: KlingWatermarkInfo | Unset
        if isinstance(_watermark_info, Unset):
            watermark_info = UNSET
        else:
            watermark_info = KlingWatermarkInfo.from_dict(_watermark_info)

        image_to_video_request = cls(
            model_name=model_name,
            image=image,
            prompt=prompt,
            image_tail=image_tail,
            negative_prompt=negative_prompt,
            cfg_scale=cfg_scale,
            mode=mode,
            duration=duration,
            static_mask=static_mask,
            dynamic_masks=dynamic_masks,
            camera_control=camera_control,
            callback_url=callback_url,
            external_task_id=external_task_id,
            sound=sound,
            watermark_info=watermark_info,
        )

        image_to_video_request.additional_properties = d
        return image_to_video_request

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
