from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.content_error import ContentError
from ...models.gateway_error import GatewayError
from ...types import File, Response


def _get_kwargs(
    task_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/videos/{task_id}/content".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ContentError | GatewayError | File | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 400:
        response_400 = ContentError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = GatewayError.from_dict(response.json())

        return response_401

    if response.status_code == 403:

        def _parse_response_403(data: object) -> ContentError | GatewayError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_403_type_0 = GatewayError.from_dict(data)

                return response_403_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_403_type_1 = ContentError.from_dict(data)

            return response_403_type_1

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ContentError.from_dict(response.json())

        return response_404

    if response.status_code == 500:

        def _parse_response_500(data: object) -> ContentError | GatewayError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_500_type_0 = ContentError.from_dict(data)

                return response_500_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_500_type_1 = GatewayError.from_dict(data)

            return response_500_type_1

        response_500 = _parse_response_500(response.json())

        return response_500

    if response.status_code == 502:

        def _parse_response_502(data: object) -> ContentError | GatewayError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_502_type_0 = ContentError.from_dict(data)

                return response_502_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_502_type_1 = GatewayError.from_dict(data)

            return response_502_type_1

        response_502 = _parse_response_502(response.json())

        return response_502

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ContentError | GatewayError | File]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ContentError | GatewayError | File]:
    """The video of a finished task, streamed by the gateway

     The gateway fetches the task's video from Kling's URL (60 s timeout, through its
    private-address guard) and streams it with `Cache-Control: public, max-age=86400`.
    Token checks as elsewhere, but no model checks (no distributor on this route), and a
    dashboard login token is accepted too. Errors of the route itself come in a third
    shape, `ContentError` (no code, no request id): 404 for an unknown or foreign id, 400
    while the task is not `SUCCESS`, 403/500/502 when the video cannot be fetched.
    **A defect of older gateways:** built before upstream 50ec2bac6 (2026-03-06), this
    route looks the task up without its user and serves any task's video to any valid
    token (seen on the gateway built from 8aa025f6e); `kling-contract` with
    `KLING_OTHER_TOKEN` reports it. Those gateways also ran the distributor here, so a
    model-limited token got 403.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContentError | ContentError | GatewayError | File | GatewayError]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ContentError | GatewayError | File | None:
    """The video of a finished task, streamed by the gateway

     The gateway fetches the task's video from Kling's URL (60 s timeout, through its
    private-address guard) and streams it with `Cache-Control: public, max-age=86400`.
    Token checks as elsewhere, but no model checks (no distributor on this route), and a
    dashboard login token is accepted too. Errors of the route itself come in a third
    shape, `ContentError` (no code, no request id): 404 for an unknown or foreign id, 400
    while the task is not `SUCCESS`, 403/500/502 when the video cannot be fetched.
    **A defect of older gateways:** built before upstream 50ec2bac6 (2026-03-06), this
    route looks the task up without its user and serves any task's video to any valid
    token (seen on the gateway built from 8aa025f6e); `kling-contract` with
    `KLING_OTHER_TOKEN` reports it. Those gateways also ran the distributor here, so a
    model-limited token got 403.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContentError | ContentError | GatewayError | File | GatewayError
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ContentError | GatewayError | File]:
    """The video of a finished task, streamed by the gateway

     The gateway fetches the task's video from Kling's URL (60 s timeout, through its
    private-address guard) and streams it with `Cache-Control: public, max-age=86400`.
    Token checks as elsewhere, but no model checks (no distributor on this route), and a
    dashboard login token is accepted too. Errors of the route itself come in a third
    shape, `ContentError` (no code, no request id): 404 for an unknown or foreign id, 400
    while the task is not `SUCCESS`, 403/500/502 when the video cannot be fetched.
    **A defect of older gateways:** built before upstream 50ec2bac6 (2026-03-06), this
    route looks the task up without its user and serves any task's video to any valid
    token (seen on the gateway built from 8aa025f6e); `kling-contract` with
    `KLING_OTHER_TOKEN` reports it. Those gateways also ran the distributor here, so a
    model-limited token got 403.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContentError | ContentError | GatewayError | File | GatewayError]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ContentError | GatewayError | File | None:
    """The video of a finished task, streamed by the gateway

     The gateway fetches the task's video from Kling's URL (60 s timeout, through its
    private-address guard) and streams it with `Cache-Control: public, max-age=86400`.
    Token checks as elsewhere, but no model checks (no distributor on this route), and a
    dashboard login token is accepted too. Errors of the route itself come in a third
    shape, `ContentError` (no code, no request id): 404 for an unknown or foreign id, 400
    while the task is not `SUCCESS`, 403/500/502 when the video cannot be fetched.
    **A defect of older gateways:** built before upstream 50ec2bac6 (2026-03-06), this
    route looks the task up without its user and serves any task's video to any valid
    token (seen on the gateway built from 8aa025f6e); `kling-contract` with
    `KLING_OTHER_TOKEN` reports it. Those gateways also ran the distributor here, so a
    model-limited token got 403.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContentError | ContentError | GatewayError | File | GatewayError
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
        )
    ).parsed
