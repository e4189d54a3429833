from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.camera_control_type import CameraControlType
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.camera_control_config import CameraControlConfig


T = TypeVar("T", bound="CameraControl")


@_attrs_define
class CameraControl:
    """
    Attributes:
        type_ (CameraControlType):
        config (CameraControlConfig | Unset): For `simple`, exactly one of these is non-zero.
    """

    type_: CameraControlType
    config: CameraControlConfig | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if config is not UNSET:
            field_dict["config"] = config

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.camera_control_config import CameraControlConfig

        d = dict(src_dict)
        type_ = CameraControlType(d.pop("type"))

        _config = d.pop("config", UNSET)
        config: CameraControlConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = CameraControlConfig.from_dict(_config)

        camera_control = cls(
            type_=type_,
            config=config,
        )

        camera_control.additional_properties = d
        return camera_control

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
