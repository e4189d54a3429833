from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import short_repr as _short_repr

T = TypeVar("T", bound="TrajectoryPoint")


@_attrs_define
class TrajectoryPoint:
    """A point of a motion-brush trajectory. The gateway decodes both into a Go `int` (64
    bits): a larger number fails the submit with 500 `build_request_failed` ("cannot
    unmarshal number ... of type int"), inside `metadata` on current gateways and at the
    top level on older ones; generation C forwards it to Kling as sent.

        Attributes:
            x (int):
            y (int):
    """

    x: int
    y: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        x = self.x

        y = self.y

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "x": x,
                "y": y,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        x = d.pop("x")

        y = d.pop("y")

        trajectory_point = cls(
            x=x,
            y=y,
        )

        trajectory_point.additional_properties = d
        return trajectory_point

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
