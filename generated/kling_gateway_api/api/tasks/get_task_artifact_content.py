from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.artifact_error import ArtifactError
from ...models.gateway_error import GatewayError
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    task_id: str,
    key: str,
    *,
    access: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["access"] = access

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tasks/{task_id}/artifacts/{key}/content".format(
            task_id=quote(str(task_id), safe=""),
            key=quote(str(key), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ArtifactError | File | GatewayError | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 206:
        response_206 = File(payload=BytesIO(response.content))

        return response_206

    if response.status_code == 401:
        response_401 = GatewayError.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ArtifactError.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ArtifactError.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = ArtifactError.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ArtifactError | File | GatewayError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    task_id: str,
    key: str,
    *,
    client: AuthenticatedClient,
    access: str | Unset = UNSET,
) -> Response[ArtifactError | File | GatewayError]:
    """One result file of a task, proxied by the gateway (generation C)

     The file itself, with the token or with the `access` capability of its `content_url`
    (no token then). The gateway proxies Kling's URL, passing `Range`, `If-Range`,
    `If-None-Match` and `If-Modified-Since`, and answers Kling's status (206 for a range)
    with its `Content-Type`, `Content-Length`, `Content-Range`, `Accept-Ranges`, `ETag` and
    `Last-Modified`, and `Cache-Control: private, no-store`. With `access`, every failure is
    the neutral 404 (a wrong or altered access value included); too many wrong ones from one
    address: 429 `artifact_access_limited` with `Retry-After: 60`. With a token, a task that
    has not succeeded: 409 `artifact_not_ready`.

    Args:
        task_id (str):
        key (str):
        access (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArtifactError | File | GatewayError]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        key=key,
        access=access,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: str,
    key: str,
    *,
    client: AuthenticatedClient,
    access: str | Unset = UNSET,
) -> ArtifactError | File | GatewayError | None:
    """One result file of a task, proxied by the gateway (generation C)

     The file itself, with the token or with the `access` capability of its `content_url`
    (no token then). The gateway proxies Kling's URL, passing `Range`, `If-Range`,
    `If-None-Match` and `If-Modified-Since`, and answers Kling's status (206 for a range)
    with its `Content-Type`, `Content-Length`, `Content-Range`, `Accept-Ranges`, `ETag` and
    `Last-Modified`, and `Cache-Control: private, no-store`. With `access`, every failure is
    the neutral 404 (a wrong or altered access value included); too many wrong ones from one
    address: 429 `artifact_access_limited` with `Retry-After: 60`. With a token, a task that
    has not succeeded: 409 `artifact_not_ready`.

    Args:
        task_id (str):
        key (str):
        access (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArtifactError | File | GatewayError
    """

    return sync_detailed(
        task_id=task_id,
        key=key,
        client=client,
        access=access,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    key: str,
    *,
    client: AuthenticatedClient,
    access: str | Unset = UNSET,
) -> Response[ArtifactError | File | GatewayError]:
    """One result file of a task, proxied by the gateway (generation C)

     The file itself, with the token or with the `access` capability of its `content_url`
    (no token then). The gateway proxies Kling's URL, passing `Range`, `If-Range`,
    `If-None-Match` and `If-Modified-Since`, and answers Kling's status (206 for a range)
    with its `Content-Type`, `Content-Length`, `Content-Range`, `Accept-Ranges`, `ETag` and
    `Last-Modified`, and `Cache-Control: private, no-store`. With `access`, every failure is
    the neutral 404 (a wrong or altered access value included); too many wrong ones from one
    address: 429 `artifact_access_limited` with `Retry-After: 60`. With a token, a task that
    has not succeeded: 409 `artifact_not_ready`.

    Args:
        task_id (str):
        key (str):
        access (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArtifactError | File | GatewayError]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        key=key,
        access=access,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: str,
    key: str,
    *,
    client: AuthenticatedClient,
    access: str | Unset = UNSET,
) -> ArtifactError | File | GatewayError | None:
    """One result file of a task, proxied by the gateway (generation C)

     The file itself, with the token or with the `access` capability of its `content_url`
    (no token then). The gateway proxies Kling's URL, passing `Range`, `If-Range`,
    `If-None-Match` and `If-Modified-Since`, and answers Kling's status (206 for a range)
    with its `Content-Type`, `Content-Length`, `Content-Range`, `Accept-Ranges`, `ETag` and
    `Last-Modified`, and `Cache-Control: private, no-store`. With `access`, every failure is
    the neutral 404 (a wrong or altered access value included); too many wrong ones from one
    address: 429 `artifact_access_limited` with `Retry-After: 60`. With a token, a task that
    has not succeeded: 409 `artifact_not_ready`.

    Args:
        task_id (str):
        key (str):
        access (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArtifactError | File | GatewayError
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            key=key,
            client=client,
            access=access,
        )
    ).parsed
