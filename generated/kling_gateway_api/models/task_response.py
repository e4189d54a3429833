from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.task import Task


T = TypeVar("T", bound="TaskResponse")


@_attrs_define
class TaskResponse:
    """The envelope of a successful task query.

    Attributes:
        code (Literal['success']): Always `success` on a 200 answer.
        message (str): Always present, empty on success.
        data (Task): A task as the gateway stores it. Both generations send `task_id` to `data` (the first
            nine fields); generation B adds the database fields from `id` on. Further fields may appear.
    """

    code: Literal["success"]
    message: str
    data: Task
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.task import Task

        d = dict(src_dict)
        code = cast(Literal["success"], d.pop("code"))
        if code != "success":
            raise ValueError(f"code must match const 'success', got '{code}'")

        message = d.pop("message")

        data = Task.from_dict(d.pop("data"))

        task_response = cls(
            code=code,
            message=message,
            data=data,
        )

        task_response.additional_properties = d
        return task_response

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
