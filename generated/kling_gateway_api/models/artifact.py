from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

T = TypeVar("T", bound="Artifact")


@_attrs_define
class Artifact:
    """One result file. Its `content_url` carries a credential (`access=`) that never expires.

    Attributes:
        key (str):
        type_ (str):
        content_url (str | Unset): The file's URL at the gateway, `?access=` included (a secret).
        legacy_content_url (str | Unset):
    """

    key: str
    type_: str
    content_url: str | Unset = UNSET
    legacy_content_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        type_ = self.type_

        content_url = self.content_url

        legacy_content_url = self.legacy_content_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "type": type_,
            }
        )
        if content_url is not UNSET:
            field_dict["content_url"] = content_url
        if legacy_content_url is not UNSET:
            field_dict["legacy_content_url"] = legacy_content_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key")

        type_ = d.pop("type")

        content_url = d.pop("content_url", UNSET)

        legacy_content_url = d.pop("legacy_content_url", UNSET)

        artifact = cls(
            key=key,
            type_=type_,
            content_url=content_url,
            legacy_content_url=legacy_content_url,
        )

        artifact.additional_properties = d
        return artifact

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
