from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.artifact_error_detail import ArtifactErrorDetail


T = TypeVar("T", bound="ArtifactError")


@_attrs_define
class ArtifactError:
    """The `/v1/tasks` routes' error shape.

    Attributes:
        error (ArtifactErrorDetail):
    """

    error: ArtifactErrorDetail
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        error = self.error.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.artifact_error_detail import ArtifactErrorDetail

        d = dict(src_dict)
        error = ArtifactErrorDetail.from_dict(d.pop("error"))

        artifact_error = cls(
            error=error,
        )

        artifact_error.additional_properties = d
        return artifact_error

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
