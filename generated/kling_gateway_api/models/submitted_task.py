from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset
from ..types import short_repr as _short_repr

if TYPE_CHECKING:
    from ..models.kling_task import KlingTask


T = TypeVar("T", bound="SubmittedTask")


@_attrs_define
class SubmittedTask:
    """The answer to a submit. A generation C gateway (the Kling task plugin) answers Kling's
    create answer with its own id in `data.task_id` and no top-level id. A gateway built
    since 2025-10-11 answers in the OpenAI video
    shape (`id`, `object`, `model`, `status`, `progress`, `created_at`; `status` is
    `queued` in generation B and empty in generation A, as the gateways built from e2c7aa7
    and 8aa025f6e answer); an older one with Kling's create answer (`code`, `message`,
    `request_id`, `data`). Both carry `task_id`, the id to poll,
    but the gateway's source marks it as kept for old clients and due to be removed: where
    it is absent, poll by `id`. One of the two is always present.

        Attributes:
            task_id (str | Unset): The id to query the task by (due to be removed upstream; see `id`).
            id (str | Unset): The id to query the task by, in the OpenAI video shape: the gateway's `task_…` id
                (since 2026-02-10) or Kling's numeric id (2025-10-11 to 2026-02-10).
            object_ (str | Unset):
            model (str | Unset):
            status (str | Unset): `queued` right after submitting.
            progress (int | Unset):
            created_at (int | Unset): Unix seconds.
            code (int | Unset):
            message (str | Unset):
            request_id (str | Unset):
            data (KlingTask | Unset): Kling's view of the task.
    """

    task_id: str | Unset = UNSET
    id: str | Unset = UNSET
    object_: str | Unset = UNSET
    model: str | Unset = UNSET
    status: str | Unset = UNSET
    progress: int | Unset = UNSET
    created_at: int | Unset = UNSET
    code: int | Unset = UNSET
    message: str | Unset = UNSET
    request_id: str | Unset = UNSET
    data: KlingTask | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        id = self.id

        object_ = self.object_

        model = self.model

        status = self.status

        progress = self.progress

        created_at = self.created_at

        code = self.code

        message = self.message

        request_id = self.request_id

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if task_id is not UNSET:
            field_dict["task_id"] = task_id
        if id is not UNSET:
            field_dict["id"] = id
        if object_ is not UNSET:
            field_dict["object"] = object_
        if model is not UNSET:
            field_dict["model"] = model
        if status is not UNSET:
            field_dict["status"] = status
        if progress is not UNSET:
            field_dict["progress"] = progress
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if code is not UNSET:
            field_dict["code"] = code
        if message is not UNSET:
            field_dict["message"] = message
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kling_task import KlingTask

        d = dict(src_dict)
        task_id = d.pop("task_id", UNSET)

        id = d.pop("id", UNSET)

        object_ = d.pop("object", UNSET)

        model = d.pop("model", UNSET)

        status = d.pop("status", UNSET)

        progress = d.pop("progress", UNSET)

        created_at = d.pop("created_at", UNSET)

        code = d.pop("code", UNSET)

        message = d.pop("message", UNSET)

        request_id = d.pop("request_id", UNSET)

        _data = d.pop("data", UNSET)
        data: KlingTask | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = KlingTask.from_dict(_data)

        submitted_task = cls(
            task_id=task_id,
            id=id,
            object_=object_,
            model=model,
            status=status,
            progress=progress,
            created_at=created_at,
            code=code,
            message=message,
            request_id=request_id,
            data=data,
        )

        submitted_task.additional_properties = d
        return submitted_task

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
