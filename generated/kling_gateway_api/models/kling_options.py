from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.aspect_ratio import AspectRatio
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.camera_control import CameraControl
    from ..models.dynamic_mask import DynamicMask


T = TypeVar("T", bound="KlingOptions")


@_attrs_define
class KlingOptions:
    """Kling-only fields, as a current gateway (built since 2026-01-30) passes them to Kling:
    it merges this object into Kling's request and reads them from nowhere else. The same
    rules as the top-level fields; other keys are allowed and passed on where the gateway
    knows them.

        Attributes:
            image_tail (str | Unset):
            negative_prompt (str | Unset):
            cfg_scale (float | Unset):
            static_mask (str | Unset):
            dynamic_masks (list[DynamicMask] | Unset):
            camera_control (CameraControl | Unset):
            aspect_ratio (AspectRatio | Unset):
            callback_url (str | Unset):
            external_task_id (str | Unset):
            sound (Any | Unset): A newer Kling field (`sound`: `on`/`off`; `watermark_info`: `{"enabled": bool}`) that
                the gateway's Kling adaptor has no place for: it accepts any value and drops it, so it
                never reaches Kling through this gateway, in either generation.
            watermark_info (Any | Unset): A newer Kling field (`sound`: `on`/`off`; `watermark_info`: `{"enabled": bool}`)
                that
                the gateway's Kling adaptor has no place for: it accepts any value and drops it, so it
                never reaches Kling through this gateway, in either generation.
    """

    image_tail: str | Unset = UNSET
    negative_prompt: str | Unset = UNSET
    cfg_scale: float | Unset = UNSET
    static_mask: str | Unset = UNSET
    dynamic_masks: list[DynamicMask] | Unset = UNSET
    camera_control: CameraControl | Unset = UNSET
    aspect_ratio: AspectRatio | Unset = UNSET
    callback_url: str | Unset = UNSET
    external_task_id: str | Unset = UNSET
    sound: Any | Unset = UNSET
    watermark_info: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
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

        aspect_ratio: str | Unset = UNSET
        if not isinstance(self.aspect_ratio, Unset):
            aspect_ratio = self.aspect_ratio.value

        callback_url = self.callback_url

        external_task_id = self.external_task_id

        sound = self.sound

        watermark_info = self.watermark_info

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
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
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
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

        d = dict(src_dict)
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

        _aspect_ratio = d.pop("aspect_ratio", UNSET)
        aspect_ratio: AspectRatio | Unset
        if isinstance(_aspect_ratio, Unset):
            aspect_ratio = UNSET
        else:
            aspect_ratio = AspectRatio(_aspect_ratio)

        callback_url = d.pop("callback_url", UNSET)

        external_task_id = d.pop("external_task_id", UNSET)

        sound = d.pop("sound", UNSET)

        watermark_info = d.pop("watermark_info", UNSET)

        kling_options = cls(
            image_tail=image_tail,
            negative_prompt=negative_prompt,
            cfg_scale=cfg_scale,
            static_mask=static_mask,
            dynamic_masks=dynamic_masks,
            camera_control=camera_control,
            aspect_ratio=aspect_ratio,
            callback_url=callback_url,
            external_task_id=external_task_id,
            sound=sound,
            watermark_info=watermark_info,
        )

        kling_options.additional_properties = d
        return kling_options

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
