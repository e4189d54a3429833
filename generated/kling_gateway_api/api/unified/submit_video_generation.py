from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.gateway_error import GatewayError
from ...models.submitted_task import SubmittedTask
from ...models.task_error import TaskError
from ...models.video_submit_request import VideoSubmitRequest
from ...types import Response


def _get_kwargs(
    *,
    body: VideoSubmitRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/video/generations",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GatewayError | TaskError | SubmittedTask | None:
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
) -> Response[GatewayError | TaskError | SubmittedTask]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: VideoSubmitRequest,
) -> Response[GatewayError | TaskError | SubmittedTask]:
    """Submit a Kling task on the unified video route

     The gateway's unified submit: the same Kling channel, adaptor, billing and answer as the
    Kling submit routes, but the body is read as the gateway's own task request (no
    conversion): `model` and `prompt`, then `image` (or the first of `images`), `mode`,
    `duration` (an integer, or a string that parses as one), `size` (mapped to Kling's
    `aspect_ratio`) at the top level, and every Kling-only field inside `metadata` (an
    object, or a JSON string holding one). Without `image` the task is text-to-video. Form
    (`application/x-www-form-urlencoded`) and multipart bodies are read too. Costs money on
    a real gateway. A task created here is read on every family's query route.

    Args:
        body (VideoSubmitRequest): The unified routes' submit body: the gateway's own task
            request, read without the Kling
            routes' conversion. Kling-only fields (`negative_prompt`, `cfg_scale`, `image_tail`,
            masks, `camera_control`, `callback_url`, `external_task_id`, `aspect_ratio`,
            `model_name`) go inside `metadata`; at the top level they are ignored. Converter
            defaults: `mode` std, `duration` 5, `cfg_scale` 0.5, `aspect_ratio` from `size`
            (1:1 unless `size` is a known 16:9 or 9:16 size).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | TaskError | SubmittedTask]
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
    body: VideoSubmitRequest,
) -> GatewayError | TaskError | SubmittedTask | None:
    """Submit a Kling task on the unified video route

     The gateway's unified submit: the same Kling channel, adaptor, billing and answer as the
    Kling submit routes, but the body is read as the gateway's own task request (no
    conversion): `model` and `prompt`, then `image` (or the first of `images`), `mode`,
    `duration` (an integer, or a string that parses as one), `size` (mapped to Kling's
    `aspect_ratio`) at the top level, and every Kling-only field inside `metadata` (an
    object, or a JSON string holding one). Without `image` the task is text-to-video. Form
    (`application/x-www-form-urlencoded`) and multipart bodies are read too. Costs money on
    a real gateway. A task created here is read on every family's query route.

    Args:
        body (VideoSubmitRequest): The unified routes' submit body: the gateway's own task
            request, read without the Kling
            routes' conversion. Kling-only fields (`negative_prompt`, `cfg_scale`, `image_tail`,
            masks, `camera_control`, `callback_url`, `external_task_id`, `aspect_ratio`,
            `model_name`) go inside `metadata`; at the top level they are ignored. Converter
            defaults: `mode` std, `duration` 5, `cfg_scale` 0.5, `aspect_ratio` from `size`
            (1:1 unless `size` is a known 16:9 or 9:16 size).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | TaskError | SubmittedTask
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: VideoSubmitRequest,
) -> Response[GatewayError | TaskError | SubmittedTask]:
    """Submit a Kling task on the unified video route

     The gateway's unified submit: the same Kling channel, adaptor, billing and answer as the
    Kling submit routes, but the body is read as the gateway's own task request (no
    conversion): `model` and `prompt`, then `image` (or the first of `images`), `mode`,
    `duration` (an integer, or a string that parses as one), `size` (mapped to Kling's
    `aspect_ratio`) at the top level, and every Kling-only field inside `metadata` (an
    object, or a JSON string holding one). Without `image` the task is text-to-video. Form
    (`application/x-www-form-urlencoded`) and multipart bodies are read too. Costs money on
    a real gateway. A task created here is read on every family's query route.

    Args:
        body (VideoSubmitRequest): The unified routes' submit body: the gateway's own task
            request, read without the Kling
            routes' conversion. Kling-only fields (`negative_prompt`, `cfg_scale`, `image_tail`,
            masks, `camera_control`, `callback_url`, `external_task_id`, `aspect_ratio`,
            `model_name`) go inside `metadata`; at the top level they are ignored. Converter
            defaults: `mode` std, `duration` 5, `cfg_scale` 0.5, `aspect_ratio` from `size`
            (1:1 unless `size` is a known 16:9 or 9:16 size).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | TaskError | SubmittedTask]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: VideoSubmitRequest,
) -> GatewayError | TaskError | SubmittedTask | None:
    """Submit a Kling task on the unified video route

     The gateway's unified submit: the same Kling channel, adaptor, billing and answer as the
    Kling submit routes, but the body is read as the gateway's own task request (no
    conversion): `model` and `prompt`, then `image` (or the first of `images`), `mode`,
    `duration` (an integer, or a string that parses as one), `size` (mapped to Kling's
    `aspect_ratio`) at the top level, and every Kling-only field inside `metadata` (an
    object, or a JSON string holding one). Without `image` the task is text-to-video. Form
    (`application/x-www-form-urlencoded`) and multipart bodies are read too. Costs money on
    a real gateway. A task created here is read on every family's query route.

    Args:
        body (VideoSubmitRequest): The unified routes' submit body: the gateway's own task
            request, read without the Kling
            routes' conversion. Kling-only fields (`negative_prompt`, `cfg_scale`, `image_tail`,
            masks, `camera_control`, `callback_url`, `external_task_id`, `aspect_ratio`,
            `model_name`) go inside `metadata`; at the top level they are ignored. Converter
            defaults: `mode` std, `duration` 5, `cfg_scale` 0.5, `aspect_ratio` from `size`
            (1:1 unless `size` is a known 16:9 or 9:16 size).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | TaskError | SubmittedTask
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
