from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.artifact_error import ArtifactError
from ...models.artifact_list import ArtifactList
from ...models.gateway_error import GatewayError
from ...types import Response


def _get_kwargs(
    task_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tasks/{task_id}/artifacts".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ArtifactError | ArtifactList | GatewayError | None:
    if response.status_code == 200:
        response_200 = ArtifactList.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = GatewayError.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ArtifactError.from_dict(response.json())

        return response_404

    if response.status_code == 500:
        response_500 = ArtifactError.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ArtifactError.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ArtifactError | ArtifactList | GatewayError]:
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
) -> Response[ArtifactError | ArtifactList | GatewayError]:
    """The result files of a task (generation C)

     New in generation C: the task's result files, each with a `content_url` that serves it
    without a token. The list is empty until the task succeeded; a Kling task lists `video`
    once Kling's answer names a video URL. Answers carry `Cache-Control: private,
    no-store`. **The `access` value in a `content_url` is a credential that never expires**
    (an HMAC of the task id and the key): treat it as a secret.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArtifactError | ArtifactList | GatewayError]
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
) -> ArtifactError | ArtifactList | GatewayError | None:
    """The result files of a task (generation C)

     New in generation C: the task's result files, each with a `content_url` that serves it
    without a token. The list is empty until the task succeeded; a Kling task lists `video`
    once Kling's answer names a video URL. Answers carry `Cache-Control: private,
    no-store`. **The `access` value in a `content_url` is a credential that never expires**
    (an HMAC of the task id and the key): treat it as a secret.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArtifactError | ArtifactList | GatewayError
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ArtifactError | ArtifactList | GatewayError]:
    """The result files of a task (generation C)

     New in generation C: the task's result files, each with a `content_url` that serves it
    without a token. The list is empty until the task succeeded; a Kling task lists `video`
    once Kling's answer names a video URL. Answers carry `Cache-Control: private,
    no-store`. **The `access` value in a `content_url` is a credential that never expires**
    (an HMAC of the task id and the key): treat it as a secret.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArtifactError | ArtifactList | GatewayError]
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
) -> ArtifactError | ArtifactList | GatewayError | None:
    """The result files of a task (generation C)

     New in generation C: the task's result files, each with a `content_url` that serves it
    without a token. The list is empty until the task succeeded; a Kling task lists `video`
    once Kling's answer names a video URL. Answers carry `Cache-Control: private,
    no-store`. **The `access` value in a `content_url` is a credential that never expires**
    (an HMAC of the task id and the key): treat it as a secret.

    Args:
        task_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArtifactError | ArtifactList | GatewayError
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
        )
    ).parsed
