from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.kling_task_status import KlingTaskStatus
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.kling_task_info import KlingTaskInfo
    from ..models.kling_task_result import KlingTaskResult


T = TypeVar("T", bound="NativeTask")


@_attrs_define
class NativeTask:
    """Kling's view of the task as generation C shows it; `task_id` is the gateway's id.

    Attributes:
        task_id (str): The gateway's public id (`task_` + 32 letters and digits), never Kling's.
        task_status (KlingTaskStatus | str): Kling's status. Known values are listed in `KlingTaskStatus`; any other
            string is passed through.
        task_status_msg (str | Unset): The failure reason, when Kling gives one.
        task_info (KlingTaskInfo | Unset):
        task_result (KlingTaskResult | Unset): Present once Kling has a result.
        final_unit_deduction (str | Unset): Units charged, as text.
        created_at (int | Unset): When Kling created the task, Unix milliseconds (Kling's clock, not the gateway's).
        updated_at (int | Unset): When Kling last changed the task, Unix milliseconds (not when the gateway last
            polled).
    """

    task_id: str
    task_status: KlingTaskStatus | str
    task_status_msg: str | Unset = UNSET
    task_info: KlingTaskInfo | Unset = UNSET
    task_result: KlingTaskResult | Unset = UNSET
    final_unit_deduction: str | Unset = UNSET
    created_at: int | Unset = UNSET
    updated_at: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        task_status: str
        if isinstance(self.task_status, KlingTaskStatus):
            task_status = self.task_status.value
        else:
            task_status = self.task_status

        task_status_msg = self.task_status_msg

        task_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_info, Unset):
            task_info = self.task_info.to_dict()

        task_result: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_result, Unset):
            task_result = self.task_result.to_dict()

        final_unit_deduction = self.final_unit_deduction

        created_at = self.created_at

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task_id": task_id,
                "task_status": task_status,
            }
        )
        if task_status_msg is not UNSET:
            field_dict["task_status_msg"] = task_status_msg
        if task_info is not UNSET:
            field_dict["task_info"] = task_info
        if task_result is not UNSET:
            field_dict["task_result"] = task_result
        if final_unit_deduction is not UNSET:
            field_dict["final_unit_deduction"] = final_unit_deduction
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kling_task_info import KlingTaskInfo
        from ..models.kling_task_result import KlingTaskResult

        d = dict(src_dict)
        task_id = d.pop("task_id")

        def _parse_task_status(data: object) -> KlingTaskStatus | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                task_status_type_0 = KlingTaskStatus(data)

                return task_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KlingTaskStatus | str, data)

        task_status = _parse_task_status(d.pop("task_status"))

        task_status_msg = d.pop("task_status_msg", UNSET)

        _task_info = d.pop("task_info", UNSET)
        task_info: KlingTaskInfo | Unset
        if isinstance(_task_info, Unset):
            task_info = UNSET
        else:
            task_info = KlingTaskInfo.from_dict(_task_info)

        _task_result = d.pop("task_result", UNSET)
        task_result: KlingTaskResult | Unset
        if isinstance(_task_result, Unset):
            task_result = UNSET
        else:
            task_result = KlingTaskResult.from_dict(_task_result)

        final_unit_deduction = d.pop("final_unit_deduction", UNSET)

        created_at = d.pop("created_at", UNSET)

        updated_at = d.pop("updated_at", UNSET)

        native_task = cls(
            task_id=task_id,
            task_status=task_status,
            task_status_msg=task_status_msg,
            task_info=task_info,
            task_result=task_result,
            final_unit_deduction=final_unit_deduction,
            created_at=created_at,
            updated_at=updated_at,
        )

        native_task.additional_properties = d
        return native_task

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
