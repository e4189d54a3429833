from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.native_task import NativeTask


T = TypeVar("T", bound="NativeTaskResponse")


@_attrs_define
class NativeTaskResponse:
    """Generation C's answer to a query on the Kling routes: Kling's own envelope, as Kling
    last answered the gateway, with the gateway's id in `data.task_id` (never Kling's).
    No gateway status and no progress: Kling's `task_status` is all there is. A task
    without stored data gets the plugin's fallback `{code: 0, data: {task_id, task_status,
    task_status_msg}}`.

        Attributes:
            code (int): 0 (Kling accepted the call).
            data (NativeTask): Kling's view of the task as generation C shows it; `task_id` is the gateway's id.
            message (str | Unset):
            request_id (str | Unset): Kling's request id (not the gateway's).
    """

    code: int
    data: NativeTask
    message: str | Unset = UNSET
    request_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        data = self.data.to_dict()

        message = self.message

        request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "data": data,
            }
        )
        if message is not UNSET:
            field_dict["message"] = message
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.native_task import NativeTask

        d = dict(src_dict)
        code = d.pop("code")

        data = NativeTask.from_dict(d.pop("data"))

        message = d.pop("message", UNSET)

        request_id = d.pop("request_id", UNSET)

        native_task_response = cls(
            code=code,
            data=data,
            message=message,
            request_id=request_id,
        )

        native_task_response.additional_properties = d
        return native_task_response

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
