from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.native_error_code import NativeErrorCode
from ..types import short_repr as _short_repr

T = TypeVar("T", bound="NativeError")


@_attrs_define
class NativeError:
    """Generation C's error shape on the Kling routes, for every error after the token checks:
    the task plugin's `native.error`, `{code, message}`, with no request id (it stays in
    the `X-Oneapi-Request-Id` header) and no `data`. The code comes from the HTTP status
    alone: 400 and other 4xx `invalid_request`, 401 `authentication_error`, 403
    `permission_denied`, 404 `task_not_found`, 409 `request_conflict`, 429
    `rate_limit_exceeded`, 5xx `server_error` (always with the message `Task request
    failed`). Token errors before the plugin keep the `GatewayError` shape.

        Attributes:
            code (NativeErrorCode | str):
            message (str):
    """

    code: NativeErrorCode | str
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return _short_repr(self)

    def to_dict(self) -> dict[str, Any]:
        code: str
        if isinstance(self.code, NativeErrorCode):
            code = self.code.value
        else:
            code = self.code

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_code(data: object) -> NativeErrorCode | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                code_type_0 = NativeErrorCode(data)

                return code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NativeErrorCode | str, data)

        code = _parse_code(d.pop("code"))

        message = d.pop("message")

        native_error = cls(
            code=code,
            message=message,
        )

        native_error.additional_properties = d
        return native_error

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
