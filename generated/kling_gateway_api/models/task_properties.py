from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

T = TypeVar("T", bound="TaskProperties")


@_attrs_define
class TaskProperties:
    """What the task was created from (generation B).

    Attributes:
        input_ (str): Always present; in practice always empty, since nothing fills it.
        upstream_model_name (str | Unset):
        origin_model_name (str | Unset):
    """

    input_: str
    upstream_model_name: str | Unset = UNSET
    origin_model_name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        input_ = self.input_

        upstream_model_name = self.upstream_model_name

        origin_model_name = self.origin_model_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "input": input_,
            }
        )
        if upstream_model_name is not UNSET:
            field_dict["upstream_model_name"] = upstream_model_name
        if origin_model_name is not UNSET:
            field_dict["origin_model_name"] = origin_model_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        input_ = d.pop("input")

        upstream_model_name = d.pop("upstream_model_name", UNSET)

        origin_model_name = d.pop("origin_model_name", UNSET)

        task_properties = cls(
            input_=input_,
            upstream_model_name=upstream_model_name,
            origin_model_name=origin_model_name,
        )

        task_properties.additional_properties = d
        return task_properties

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
