from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_duration import VideoDuration
from ..models.video_mode import VideoMode
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.camera_control import CameraControl
    from ..models.dynamic_mask import DynamicMask
    from ..models.kling_options import KlingOptions


T = TypeVar("T", bound="ImageToVideoRequest")


@_attrs_define
class ImageToVideoRequest:
    """An image-to-video submit. `model`, `prompt`, `image`, `duration` and `mode` are read by
    every gateway at the top level. The Kling-only fields reach Kling from the top level on
    gateways built before 2026-01-30, and only from `metadata` on current ones: send them in
    both places (the `kling_gateway` client does).

        Attributes:
            model (str): A Kling model such as `kling-v1-6` (see `KlingModelName`). The only model field a current gateway
                reads.
            image (str): The first frame, an image URL or raw Base64 without a `data:` prefix (jpg/png, at most
                10 MB, sides at least 300 px, aspect 1:2.5 to 2.5:1). Without it the gateway creates
                a text-to-video task.
            prompt (str): At most 2500 characters, and not only white space (the gateway answers 400 `invalid_request`).
            model_name (str | Unset): Kling's own name for `model`, read by gateways built before 2026-01-30; send the same
                value as `model`.
            mode (VideoMode | Unset): `std` (faster, cheaper) or `pro` (higher quality).
            duration (VideoDuration | Unset): Seconds, as a string. A current gateway also takes a number, but one built
                before
                2026-01-30 answers 500 `build_request_failed` to it: send a string.
            image_tail (str | Unset): Optional last frame, with the same rules; empty means none.
            negative_prompt (str | Unset):
            cfg_scale (float | Unset):  Default: 0.5.
            static_mask (str | Unset): Motion brush, the static area (image URL or Base64).
            dynamic_masks (list[DynamicMask] | Unset): Motion brush, at most 6 moving areas.
            camera_control (CameraControl | Unset):
            callback_url (str | Unset):
            external_task_id (str | Unset): The caller's own id for the task; makes a retried submit recognisable.
            sound (Any | Unset): A newer Kling field (`sound`: `on`/`off`; `watermark_info`: `{"enabled": bool}`) that
                the gateway's Kling adaptor has no place for: it accepts any value and drops it, so it
                never reaches Kling through this gateway, in either generation.
            watermark_info (Any | Unset): A newer Kling field (`sound`: `on`/`off`; `watermark_info`: `{"enabled": bool}`)
                that
                the gateway's Kling adaptor has no place for: it accepts any value and drops it, so it
                never reaches Kling through this gateway, in either generation.
            metadata (KlingOptions | Unset): Kling-only fields, as a current gateway (built since 2026-01-30) passes them to
                Kling:
                it merges this object into Kling's request and reads them from nowhere else. The same
                rules as the top-level fields; other keys are allowed and passed on where the gateway
                knows them.
    """

    model: str
    image: str
    prompt: str
    model_name: str | Unset = UNSET
    mode: VideoMode | Unset = UNSET
    duration: VideoDuration | Unset = UNSET
    image_tail: str | Unset = UNSET
    negative_prompt: str | Unset = UNSET
    cfg_scale: float | Unset = 0.5
    static_mask: str | Unset = UNSET
    dynamic_masks: list[DynamicMask] | Unset = UNSET
    camera_control: CameraControl | Unset = UNSET
    callback_url: str | Unset = UNSET
    external_task_id: str | Unset = UNSET
    sound: Any | Unset = UNSET
    watermark_info: Any | Unset = UNSET
    metadata: KlingOptions | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        image = self.image

        prompt = self.prompt

        model_name = self.model_name

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        duration: str | Unset = UNSET
        if not isinstance(self.duration, Unset):
            duration = self.duration.value

        image_tail = self.image_tail

        negative_prompt = self.negative_prompt

        cfg_scale = self.cfg_scale

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

        watermark_info = self.watermark_info

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "image": image,
                "prompt": prompt,
            }
        )
        if model_name is not UNSET:
            field_dict["model_name"] = model_name
        if mode is not UNSET:
            field_dict["mode"] = mode
        if duration is not UNSET:
            field_dict["duration"] = duration
        if image_tail is not UNSET:
            field_dict["image_tail"] = image_tail
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
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
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.camera_control import CameraControl
        from ..models.dynamic_mask import DynamicMask
        from ..models.kling_options import KlingOptions

        d = dict(src_dict)
        model = d.pop("model")

        image = d.pop("image")

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

        image_tail = d.pop("image_tail", UNSET)

        negative_prompt = d.pop("negative_prompt", UNSET)

        cfg_scale = d.pop("cfg_scale", UNSET)

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

        watermark_info = d.pop("watermark_info", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: KlingOptions | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = KlingOptions.from_dict(_metadata)

        image_to_video_request = cls(
            model=model,
            image=image,
            prompt=prompt,
            model_name=model_name,
            mode=mode,
            duration=duration,
            image_tail=image_tail,
            negative_prompt=negative_prompt,
            cfg_scale=cfg_scale,
            static_mask=static_mask,
            dynamic_masks=dynamic_masks,
            camera_control=camera_control,
            callback_url=callback_url,
            external_task_id=external_task_id,
            sound=sound,
            watermark_info=watermark_info,
            metadata=metadata,
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
