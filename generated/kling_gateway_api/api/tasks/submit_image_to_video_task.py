from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.gateway_error import GatewayError
from ...models.image_to_video_request import ImageToVideoRequest
from ...models.native_error import NativeError
from ...models.submitted_task import SubmittedTask
from ...models.task_error import TaskError
from ...types import Response


def _get_kwargs(
    *,
    body: ImageToVideoRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/kling/v1/videos/image2video",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GatewayError | TaskError | NativeError | SubmittedTask | None:
    if response.status_code == 200:
        response_200 = SubmittedTask.from_dict(response.json())

        return response_200

    if response.status_code == 400:

        def _parse_response_400(data: object) -> GatewayError | TaskError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = TaskError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_400 = _parse_response_400(response.json())

        return response_400

    if response.status_code == 401:

        def _parse_response_401(data: object) -> GatewayError | TaskError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = TaskError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_401 = _parse_response_401(response.json())

        return response_401

    if response.status_code == 403:

        def _parse_response_403(data: object) -> GatewayError | TaskError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = TaskError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 404:

        def _parse_response_404(data: object) -> GatewayError | TaskError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = TaskError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_404 = _parse_response_404(response.json())

        return response_404

    if response.status_code == 415:
        response_415 = NativeError.from_dict(response.json())

        return response_415

    if response.status_code == 429:

        def _parse_response_429(data: object) -> GatewayError | TaskError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = TaskError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_429 = _parse_response_429(response.json())

        return response_429

    if response.status_code == 500:

        def _parse_response_500(data: object) -> GatewayError | TaskError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = TaskError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_500 = _parse_response_500(response.json())

        return response_500

    if response.status_code == 503:

        def _parse_response_503(data: object) -> GatewayError | TaskError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = TaskError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_503 = _parse_response_503(response.json())

        return response_503

    if response.status_code == 504:

        def _parse_response_504(data: object) -> GatewayError | TaskError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_1 = TaskError.from_dict(data)

            return componentsschemas_error_response_type_1

        response_504 = _parse_response_504(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[GatewayError | TaskError | NativeError | SubmittedTask]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRequest,
) -> Response[GatewayError | TaskError | NativeError | SubmittedTask]:
    """Submit a Kling image-to-video task

     Forwards the request to Kling and answers with the id to poll. Costs the caller money on a
    real gateway. The gateway itself requires a JSON object (`Content-Type: application/json`)
    with a non-empty `model` (older gateways also take `model_name`) and a prompt that is not
    blank; Kling validates the rest (and may still refuse a valid request, for example on
    content safety, with 400). `image` + `image_tail`, the motion-brush masks and
    `camera_control` are mutually exclusive groups.

    Wire format that works on every gateway generation: `model` and `model_name` (the same
    value), `prompt`, `image`, `duration` and `mode` at the top level, and every Kling-only
    field both at the top level (read by gateways built before 2026-01-30) and inside
    `metadata` (the only place a current gateway reads them from). Without a non-empty
    top-level `image` the gateway creates a text-to-video task instead. A GET or any other
    method on this path is not a route: the gateway answers 200 `text/html`.

    Args:
        body (ImageToVideoRequest): An image-to-video submit. `model`, `prompt`, `image`,
            `duration` and `mode` are read by
            every gateway at the top level. The Kling-only fields reach Kling from the top level on
            gateways built before 2026-01-30, and only from `metadata` on current ones: send them in
            both places (the `kling_gateway` client does).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | TaskError | NativeError | SubmittedTask]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRequest,
) -> GatewayError | TaskError | NativeError | SubmittedTask | None:
    """Submit a Kling image-to-video task

     Forwards the request to Kling and answers with the id to poll. Costs the caller money on a
    real gateway. The gateway itself requires a JSON object (`Content-Type: application/json`)
    with a non-empty `model` (older gateways also take `model_name`) and a prompt that is not
    blank; Kling validates the rest (and may still refuse a valid request, for example on
    content safety, with 400). `image` + `image_tail`, the motion-brush masks and
    `camera_control` are mutually exclusive groups.

    Wire format that works on every gateway generation: `model` and `model_name` (the same
    value), `prompt`, `image`, `duration` and `mode` at the top level, and every Kling-only
    field both at the top level (read by gateways built before 2026-01-30) and inside
    `metadata` (the only place a current gateway reads them from). Without a non-empty
    top-level `image` the gateway creates a text-to-video task instead. A GET or any other
    method on this path is not a route: the gateway answers 200 `text/html`.

    Args:
        body (ImageToVideoRequest): An image-to-video submit. `model`, `prompt`, `image`,
            `duration` and `mode` are read by
            every gateway at the top level. The Kling-only fields reach Kling from the top level on
            gateways built before 2026-01-30, and only from `metadata` on current ones: send them in
            both places (the `kling_gateway` client does).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | TaskError | NativeError | SubmittedTask
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRequest,
) -> Response[GatewayError | TaskError | NativeError | SubmittedTask]:
    """Submit a Kling image-to-video task

     Forwards the request to Kling and answers with the id to poll. Costs the caller money on a
    real gateway. The gateway itself requires a JSON object (`Content-Type: application/json`)
    with a non-empty `model` (older gateways also take `model_name`) and a prompt that is not
    blank; Kling validates the rest (and may still refuse a valid request, for example on
    content safety, with 400). `image` + `image_tail`, the motion-brush masks and
    `camera_control` are mutually exclusive groups.

    Wire format that works on every gateway generation: `model` and `model_name` (the same
    value), `prompt`, `image`, `duration` and `mode` at the top level, and every Kling-only
    field both at the top level (read by gateways built before 2026-01-30) and inside
    `metadata` (the only place a current gateway reads them from). Without a non-empty
    top-level `image` the gateway creates a text-to-video task instead. A GET or any other
    method on this path is not a route: the gateway answers 200 `text/html`.

    Args:
        body (ImageToVideoRequest): An image-to-video submit. `model`, `prompt`, `image`,
            `duration` and `mode` are read by
            every gateway at the top level. The Kling-only fields reach Kling from the top level on
            gateways built before 2026-01-30, and only from `metadata` on current ones: send them in
            both places (the `kling_gateway` client does).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | TaskError | NativeError | SubmittedTask]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ImageToVideoRequest,
) -> GatewayError | TaskError | NativeError | SubmittedTask | None:
    """Submit a Kling image-to-video task

     Forwards the request to Kling and answers with the id to poll. Costs the caller money on a
    real gateway. The gateway itself requires a JSON object (`Content-Type: application/json`)
    with a non-empty `model` (older gateways also take `model_name`) and a prompt that is not
    blank; Kling validates the rest (and may still refuse a valid request, for example on
    content safety, with 400). `image` + `image_tail`, the motion-brush masks and
    `camera_control` are mutually exclusive groups.

    Wire format that works on every gateway generation: `model` and `model_name` (the same
    value), `prompt`, `image`, `duration` and `mode` at the top level, and every Kling-only
    field both at the top level (read by gateways built before 2026-01-30) and inside
    `metadata` (the only place a current gateway reads them from). Without a non-empty
    top-level `image` the gateway creates a text-to-video task instead. A GET or any other
    method on this path is not a route: the gateway answers 200 `text/html`.

    Args:
        body (ImageToVideoRequest): An image-to-video submit. `model`, `prompt`, `image`,
            `duration` and `mode` are read by
            every gateway at the top level. The Kling-only fields reach Kling from the top level on
            gateways built before 2026-01-30, and only from `metadata` on current ones: send them in
            both places (the `kling_gateway` client does).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | TaskError | NativeError | SubmittedTask
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
