from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.artifact_error import ArtifactError
from ...models.content_error import ContentError
from ...models.gateway_error import GatewayError
from ...models.task_summary import TaskSummary
from ...types import Response


def _get_kwargs(
    task_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tasks/{task_id}".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ArtifactError | ContentError | GatewayError | TaskSummary | None:
    if response.status_code == 200:
        response_200 = TaskSummary.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = GatewayError.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ContentError.from_dict(response.json())

        return response_404

    if response.status_code == 500:
        response_500 = ArtifactError.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ArtifactError | ContentError | GatewayError | TaskSummary]:
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
) -> Response[ArtifactError | ContentError | GatewayError | TaskSummary]:
    """The gateway's own view of a task (generation C)

     New in generation C (new-api 1.0 release candidates): the caller's task in the gateway's
    own terms, for any platform: its status and progress as the gateway stores them, the
    reason it failed (also when the gateway failed it itself, which the Kling routes cannot
    show), and its times in seconds. Only the caller's own tasks; an unknown or another
    user's id answers 404. Older gateways do not serve this path (their JSON 404 for what
    is not a route).

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArtifactError | ContentError | GatewayError | TaskSummary]
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
) -> ArtifactError | ContentError | GatewayError | TaskSummary | None:
    """The gateway's own view of a task (generation C)

     New in generation C (new-api 1.0 release candidates): the caller's task in the gateway's
    own terms, for any platform: its status and progress as the gateway stores them, the
    reason it failed (also when the gateway failed it itself, which the Kling routes cannot
    show), and its times in seconds. Only the caller's own tasks; an unknown or another
    user's id answers 404. Older gateways do not serve this path (their JSON 404 for what
    is not a route).

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArtifactError | ContentError | GatewayError | TaskSummary
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ArtifactError | ContentError | GatewayError | TaskSummary]:
    """The gateway's own view of a task (generation C)

     New in generation C (new-api 1.0 release candidates): the caller's task in the gateway's
    own terms, for any platform: its status and progress as the gateway stores them, the
    reason it failed (also when the gateway failed it itself, which the Kling routes cannot
    show), and its times in seconds. Only the caller's own tasks; an unknown or another
    user's id answers 404. Older gateways do not serve this path (their JSON 404 for what
    is not a route).

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArtifactError | ContentError | GatewayError | TaskSummary]
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
) -> ArtifactError | ContentError | GatewayError | TaskSummary | None:
    """The gateway's own view of a task (generation C)

     New in generation C (new-api 1.0 release candidates): the caller's task in the gateway's
    own terms, for any platform: its status and progress as the gateway stores them, the
    reason it failed (also when the gateway failed it itself, which the Kling routes cannot
    show), and its times in seconds. Only the caller's own tasks; an unknown or another
    user's id answers 404. Older gateways do not serve this path (their JSON 404 for what
    is not a route).

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArtifactError | ContentError | GatewayError | TaskSummary
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
        )
    ).parsed
