from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_status import TaskStatus
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

T = TypeVar("T", bound="TaskSummary")


@_attrs_define
class TaskSummary:
    """`GET /v1/tasks/{task_id}` (generation C): the gateway's own view of a task, whatever
    its platform. Times are Unix seconds, 0 until reached. On SUCCESS a legacy URL in
    `fail_reason` is blanked. The same shape was reported from `GET /v1/videos/{id}` of an
    OpenAI task on rc.30 (new-api #7194).

        Attributes:
            task_id (str):
            status (str | TaskStatus): The gateway's status (`TaskStatus`); any other string is passed through.
            platform (str | Unset): `kling` for plugin-era Kling tasks; a channel type as text (`50`) for older ones.
            progress (str | Unset): `0%` to `100%`.
            fail_reason (str | Unset): Why the task failed: Kling's reason or the gateway's own (`poll failed: ...`,
                `upstream task not found (HTTP 404)`, the 24 h sweep).
            created_at (int | Unset): Unix seconds.
            finished_at (int | Unset): Unix seconds, 0 until final.
    """

    task_id: str
    status: str | TaskStatus
    platform: str | Unset = UNSET
    progress: str | Unset = UNSET
    fail_reason: str | Unset = UNSET
    created_at: int | Unset = UNSET
    finished_at: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        status: str
        if isinstance(self.status, TaskStatus):
            status = self.status.value
        else:
            status = self.status

        platform = self.platform

        progress = self.progress

        fail_reason = self.fail_reason

        created_at = self.created_at

        finished_at = self.finished_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task_id": task_id,
                "status": status,
            }
        )
        if platform is not UNSET:
            field_dict["platform"] = platform
        if progress is not UNSET:
            field_dict["progress"] = progress
        if fail_reason is not UNSET:
            field_dict["fail_reason"] = fail_reason
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        task_id = d.pop("task_id")

        def _parse_status(data: object) -> str | TaskStatus:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = TaskStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | TaskStatus, data)

        status = _parse_status(d.pop("status"))

        platform = d.pop("platform", UNSET)

        progress = d.pop("progress", UNSET)

        fail_reason = d.pop("fail_reason", UNSET)

        created_at = d.pop("created_at", UNSET)

        finished_at = d.pop("finished_at", UNSET)

        task_summary = cls(
            task_id=task_id,
            status=status,
            platform=platform,
            progress=progress,
            fail_reason=fail_reason,
            created_at=created_at,
            finished_at=finished_at,
        )

        task_summary.additional_properties = d
        return task_summary

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
