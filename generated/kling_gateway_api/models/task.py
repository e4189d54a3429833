from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_status import TaskStatus
from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.kling_response import KlingResponse
    from ..models.task_properties import TaskProperties


T = TypeVar("T", bound="Task")


@_attrs_define
class Task:
    """A task as the gateway stores it. Both generations send `task_id` to `data` (the first
    nine fields); generation B adds the database fields from `id` on. Further fields may appear.

        Attributes:
            task_id (str): The Kling task id (generation A, a numeric string) or the gateway's id (generation B, `task_` +
                32 letters and digits).
            status (str | TaskStatus): The gateway's status. Known values are listed in `TaskStatus`; any other string is
                passed through.
            progress (str): Percentage as text, `0%` to `100%` (`0%`, `10%`, `20%`, `30%`, `100%` in practice); may be empty
                for an unknown status.
            data (KlingResponse | None): Kling's last raw answer for this task; null only if the gateway never stored one.
            action (str | Unset): `generate` for image-to-video, `textGenerate` for text-to-video; other values may appear.
            fail_reason (str | Unset): Empty while running; the reason on `FAILURE`. On `SUCCESS` generation A holds the
                video URL here (a quirk); generation B leaves it empty and sets `result_url`.
            submit_time (int | Unset): Unix seconds; 0 until reached.
            start_time (int | Unset): Unix seconds; 0 until reached, and may stay 0 when Kling went straight from submitted
                to succeed.
            finish_time (int | Unset): Unix seconds; 0 until the task is final.
            id (int | Unset): Database row id (generation B).
            created_at (int | Unset): Unix seconds (generation B).
            updated_at (int | Unset): Unix seconds (generation B).
            platform (str | Unset): The channel type as a string; Kling is `50` (generation B).
            user_id (int | Unset): The owning user (generation B).
            group (str | Unset): The user's group; may be empty (generation B).
            channel_id (int | Unset): The channel that serves the task (generation B).
            quota (int | Unset): Quota charged (generation B).
            result_url (str | Unset): Absent while running; the video URL on `SUCCESS`. Quirk: the failure text on `FAILURE`
                (generation B).
            properties (TaskProperties | Unset): What the task was created from (generation B).
            username (str | Unset): Practically never sent (generation B).
    """

    task_id: str
    status: str | TaskStatus
    progress: str
    data: KlingResponse | None
    action: str | Unset = UNSET
    fail_reason: str | Unset = UNSET
    submit_time: int | Unset = UNSET
    start_time: int | Unset = UNSET
    finish_time: int | Unset = UNSET
    id: int | Unset = UNSET
    created_at: int | Unset = UNSET
    updated_at: int | Unset = UNSET
    platform: str | Unset = UNSET
    user_id: int | Unset = UNSET
    group: str | Unset = UNSET
    channel_id: int | Unset = UNSET
    quota: int | Unset = UNSET
    result_url: str | Unset = UNSET
    properties: TaskProperties | Unset = UNSET
    username: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        from ..models.kling_response import KlingResponse

        task_id = self.task_id

        status: str
        if isinstance(self.status, TaskStatus):
            status = self.status.value
        else:
            status = self.status

        progress = self.progress

        data: dict[str, Any] | None
        if isinstance(self.data, KlingResponse):
            data = self.data.to_dict()
        else:
            data = self.data

        action = self.action

        fail_reason = self.fail_reason

        submit_time = self.submit_time

        start_time = self.start_time

        finish_time = self.finish_time

        id = self.id

        created_at = self.created_at

        updated_at = self.updated_at

        platform = self.platform

        user_id = self.user_id

        group = self.group

        channel_id = self.channel_id

        quota = self.quota

        result_url = self.result_url

        properties: dict[str, Any] | Unset = UNSET
        if not isinstance(self.properties, Unset):
            properties = self.properties.to_dict()

        username = self.username

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task_id": task_id,
                "status": status,
                "progress": progress,
                "data": data,
            }
        )
        if action is not UNSET:
            field_dict["action"] = action
        if fail_reason is not UNSET:
            field_dict["fail_reason"] = fail_reason
        if submit_time is not UNSET:
            field_dict["submit_time"] = submit_time
        if start_time is not UNSET:
            field_dict["start_time"] = start_time
        if finish_time is not UNSET:
            field_dict["finish_time"] = finish_time
        if id is not UNSET:
            field_dict["id"] = id
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if platform is not UNSET:
            field_dict["platform"] = platform
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if group is not UNSET:
            field_dict["group"] = group
        if channel_id is not UNSET:
            field_dict["channel_id"] = channel_id
        if quota is not UNSET:
            field_dict["quota"] = quota
        if result_url is not UNSET:
            field_dict["result_url"] = result_url
        if properties is not UNSET:
            field_dict["properties"] = properties
        if username is not UNSET:
            field_dict["username"] = username

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kling_response import KlingResponse
        from ..models.task_properties import TaskProperties

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

        progress = d.pop("progress")

        def _parse_data(data: object) -> KlingResponse | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = KlingResponse.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KlingResponse | None, data)

        data = _parse_data(d.pop("data"))

        action = d.pop("action", UNSET)

        fail_reason = d.pop("fail_reason", UNSET)

        submit_time = d.pop("submit_time", UNSET)

        start_time = d.pop("start_time", UNSET)

        finish_time = d.pop("finish_time", UNSET)

        id = d.pop("id", UNSET)

        created_at = d.pop("created_at", UNSET)

        updated_at = d.pop("updated_at", UNSET)

        platform = d.pop("platform", UNSET)

        user_id = d.pop("user_id", UNSET)

        group = d.pop("group", UNSET)

        channel_id = d.pop("channel_id", UNSET)

        quota = d.pop("quota", UNSET)

        result_url = d.pop("result_url", UNSET)

        _properties = d.pop("properties", UNSET)
        properties: TaskProperties | Unset
        if isinstance(_properties, Unset):
            properties = UNSET
        else:
            properties = TaskProperties.from_dict(_properties)

        username = d.pop("username", UNSET)

        task = cls(
            task_id=task_id,
            status=status,
            progress=progress,
            data=data,
            action=action,
            fail_reason=fail_reason,
            submit_time=submit_time,
            start_time=start_time,
            finish_time=finish_time,
            id=id,
            created_at=created_at,
            updated_at=updated_at,
            platform=platform,
            user_id=user_id,
            group=group,
            channel_id=channel_id,
            quota=quota,
            result_url=result_url,
            properties=properties,
            username=username,
        )

        task.additional_properties = d
        return task

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
