"""`Task` as the client answers it: the generated model, whose fields the gateway did not
send read `None` (as openai-python's models do), not the generator's `UNSET`.

The generated model keeps its sentinel underneath: its `to_dict`, `from_dict` and parsers
tell an absent field from one sent, and `raw()` hands that model over. Only the task's own
fields read None; nested models (Kling's payload in `data`) are the generated ones.
"""

from __future__ import annotations

from typing import Any, Generic, Self, TypeVar, overload

import attrs

from kling_gateway_api.models import Task as GeneratedTask
from kling_gateway_api.models import TaskProperties
from kling_gateway_api.types import UNSET, Unset

T = TypeVar("T")
_FIELDS = attrs.fields(GeneratedTask)


class _SentOrNone(Generic[T]):
    """A field of the generated model read as None where it is UNSET. Writing None stores
    UNSET (no field of a task is nullable), so that `attrs.evolve`, pickle and copies,
    which read the fields and write them back, keep an absent field absent."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = GeneratedTask.__dict__[name]  # the attrs slot underneath

    @overload
    def __get__(self, task: None, owner: type) -> Self: ...

    @overload
    def __get__(self, task: object, owner: type) -> T | None: ...

    def __get__(self, task: object, owner: type) -> T | None | Self:
        if task is None:
            return self
        value = self._slot.__get__(task, owner)
        return None if isinstance(value, Unset) else value

    def __set__(self, task: object, value: T | None | Unset) -> None:
        self._slot.__set__(task, UNSET if value is None else value)


# mypy sees each as a change of the generated field's type, which it is: `X | None` for
# `X | Unset`.
class Task(GeneratedTask):
    __doc__ = GeneratedTask.__doc__
    __slots__ = ()

    action = _SentOrNone[str]()  # type: ignore[assignment]
    fail_reason = _SentOrNone[str]()  # type: ignore[assignment]
    submit_time = _SentOrNone[int]()  # type: ignore[assignment]
    start_time = _SentOrNone[int]()  # type: ignore[assignment]
    finish_time = _SentOrNone[int]()  # type: ignore[assignment]
    id = _SentOrNone[int]()  # type: ignore[assignment]
    created_at = _SentOrNone[int]()  # type: ignore[assignment]
    updated_at = _SentOrNone[int]()  # type: ignore[assignment]
    platform = _SentOrNone[str]()  # type: ignore[assignment]
    user_id = _SentOrNone[int]()  # type: ignore[assignment]
    group = _SentOrNone[str]()  # type: ignore[assignment]
    channel_id = _SentOrNone[int]()  # type: ignore[assignment]
    quota = _SentOrNone[int]()  # type: ignore[assignment]
    result_url = _SentOrNone[str]()  # type: ignore[assignment]
    properties = _SentOrNone[TaskProperties]()  # type: ignore[assignment]
    username = _SentOrNone[str]()  # type: ignore[assignment]

    @classmethod
    def of(cls, task: GeneratedTask) -> Task:
        """The client's view of a generated task (the same fields, the same values)."""
        if isinstance(task, cls):
            return task
        made = cls(**_init_args(task))
        made.additional_properties = dict(task.additional_properties)
        return made

    def raw(self) -> GeneratedTask:
        """The generated model, with UNSET for every field the gateway did not send."""
        made = GeneratedTask(**_init_args(self))
        made.additional_properties = dict(self.additional_properties)
        return made

    def to_dict(self) -> dict[str, Any]:
        return self.raw().to_dict()

    def __repr__(self) -> str:
        return repr(self.raw())


def _init_args(task: GeneratedTask) -> dict[str, Any]:
    """The generated model's constructor arguments for `task`'s fields, UNSET kept."""
    return {
        str(f.alias): GeneratedTask.__dict__[f.name].__get__(task, GeneratedTask)
        for f in _FIELDS
        if f.init
    }
