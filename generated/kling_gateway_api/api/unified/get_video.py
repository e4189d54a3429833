from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.gateway_error import GatewayError
from ...models.task_error import TaskError
from ...models.video import Video
from ...types import Response


def _get_kwargs(
    task_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/videos/{task_id}".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GatewayError | TaskError | Video | None:
    if response.status_code == 200:
        response_200 = Video.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = TaskError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = GatewayError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = GatewayError.from_dict(response.json())

        return response_403

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[GatewayError | TaskError | Video]:
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
) -> Response[GatewayError | TaskError | Video]:
    """Query a task as an OpenAI video object

     The task converted to OpenAI's video object by the Kling adaptor, with its quirks: no
    `task_id`, `model` always `""`, `created_at` and `completed_at` in Kling's
    **milliseconds**, `completed_at` present while still running (it is Kling's
    `updated_at`), and `status` `unknown` until the gateway's first refresh pass reached
    the task (OpenAI's own SDK takes that for final: it is not). Errors as on the Kling
    query routes: 400 `task_not_exist` for an unknown or foreign id.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | GatewayError | TaskError | TaskError | Video]
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
) -> GatewayError | TaskError | Video | None:
    """Query a task as an OpenAI video object

     The task converted to OpenAI's video object by the Kling adaptor, with its quirks: no
    `task_id`, `model` always `""`, `created_at` and `completed_at` in Kling's
    **milliseconds**, `completed_at` present while still running (it is Kling's
    `updated_at`), and `status` `unknown` until the gateway's first refresh pass reached
    the task (OpenAI's own SDK takes that for final: it is not). Errors as on the Kling
    query routes: 400 `task_not_exist` for an unknown or foreign id.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | GatewayError | TaskError | TaskError | Video
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[GatewayError | TaskError | Video]:
    """Query a task as an OpenAI video object

     The task converted to OpenAI's video object by the Kling adaptor, with its quirks: no
    `task_id`, `model` always `""`, `created_at` and `completed_at` in Kling's
    **milliseconds**, `completed_at` present while still running (it is Kling's
    `updated_at`), and `status` `unknown` until the gateway's first refresh pass reached
    the task (OpenAI's own SDK takes that for final: it is not). Errors as on the Kling
    query routes: 400 `task_not_exist` for an unknown or foreign id.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | GatewayError | TaskError | TaskError | Video]
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
) -> GatewayError | TaskError | Video | None:
    """Query a task as an OpenAI video object

     The task converted to OpenAI's video object by the Kling adaptor, with its quirks: no
    `task_id`, `model` always `""`, `created_at` and `completed_at` in Kling's
    **milliseconds**, `completed_at` present while still running (it is Kling's
    `updated_at`), and `status` `unknown` until the gateway's first refresh pass reached
    the task (OpenAI's own SDK takes that for final: it is not). Errors as on the Kling
    query routes: 400 `task_not_exist` for an unknown or foreign id.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | GatewayError | TaskError | TaskError | Video
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
        )
    ).parsed
