from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.gateway_error import GatewayError
from ...models.submitted_task import SubmittedTask
from ...models.task_error import TaskError
from ...models.video_remix_request import VideoRemixRequest
from ...types import Response


def _get_kwargs(
    video_id: str,
    *,
    body: VideoRemixRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/videos/{video_id}/remix".format(
            video_id=quote(str(video_id), safe=""),
        ),
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
    video_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: VideoRemixRequest,
) -> Response[GatewayError | TaskError | SubmittedTask]:
    """A new task from an earlier one (OpenAI's remix)

     A new generation on the earlier task's channel and model (Kling has no remix of its
    own): the body is read as a submit's, but its `model` is the earlier task's. An unknown
    or foreign `video_id` answers 400 `task_not_exist` (message `task_origin_not_exist`).
    Checked on gateways built from source: from upstream 8aa025f6e (2026-01-28) a remix of
    an existing task is a new task (200; without an image a text-to-video one, billed as
    if 4 seconds long); from e2c7aa7 (2026-08-15) it panics in the origin-task lookup and
    answers **500** `new_api_panic`, whatever the body: treat the route as not working
    for Kling tasks.

    Args:
        video_id (str):
        body (VideoRemixRequest): A remix's body: a submit's fields, where only `prompt` is
            required; `model` is
            ignored (the earlier task's model is used).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | TaskError | SubmittedTask]
    """

    kwargs = _get_kwargs(
        video_id=video_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    video_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: VideoRemixRequest,
) -> GatewayError | TaskError | SubmittedTask | None:
    """A new task from an earlier one (OpenAI's remix)

     A new generation on the earlier task's channel and model (Kling has no remix of its
    own): the body is read as a submit's, but its `model` is the earlier task's. An unknown
    or foreign `video_id` answers 400 `task_not_exist` (message `task_origin_not_exist`).
    Checked on gateways built from source: from upstream 8aa025f6e (2026-01-28) a remix of
    an existing task is a new task (200; without an image a text-to-video one, billed as
    if 4 seconds long); from e2c7aa7 (2026-08-15) it panics in the origin-task lookup and
    answers **500** `new_api_panic`, whatever the body: treat the route as not working
    for Kling tasks.

    Args:
        video_id (str):
        body (VideoRemixRequest): A remix's body: a submit's fields, where only `prompt` is
            required; `model` is
            ignored (the earlier task's model is used).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | TaskError | SubmittedTask
    """

    return sync_detailed(
        video_id=video_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    video_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: VideoRemixRequest,
) -> Response[GatewayError | TaskError | SubmittedTask]:
    """A new task from an earlier one (OpenAI's remix)

     A new generation on the earlier task's channel and model (Kling has no remix of its
    own): the body is read as a submit's, but its `model` is the earlier task's. An unknown
    or foreign `video_id` answers 400 `task_not_exist` (message `task_origin_not_exist`).
    Checked on gateways built from source: from upstream 8aa025f6e (2026-01-28) a remix of
    an existing task is a new task (200; without an image a text-to-video one, billed as
    if 4 seconds long); from e2c7aa7 (2026-08-15) it panics in the origin-task lookup and
    answers **500** `new_api_panic`, whatever the body: treat the route as not working
    for Kling tasks.

    Args:
        video_id (str):
        body (VideoRemixRequest): A remix's body: a submit's fields, where only `prompt` is
            required; `model` is
            ignored (the earlier task's model is used).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | TaskError | SubmittedTask]
    """

    kwargs = _get_kwargs(
        video_id=video_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    video_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: VideoRemixRequest,
) -> GatewayError | TaskError | SubmittedTask | None:
    """A new task from an earlier one (OpenAI's remix)

     A new generation on the earlier task's channel and model (Kling has no remix of its
    own): the body is read as a submit's, but its `model` is the earlier task's. An unknown
    or foreign `video_id` answers 400 `task_not_exist` (message `task_origin_not_exist`).
    Checked on gateways built from source: from upstream 8aa025f6e (2026-01-28) a remix of
    an existing task is a new task (200; without an image a text-to-video one, billed as
    if 4 seconds long); from e2c7aa7 (2026-08-15) it panics in the origin-task lookup and
    answers **500** `new_api_panic`, whatever the body: treat the route as not working
    for Kling tasks.

    Args:
        video_id (str):
        body (VideoRemixRequest): A remix's body: a submit's fields, where only `prompt` is
            required; `model` is
            ignored (the earlier task's model is used).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | TaskError | SubmittedTask
    """

    return (
        await asyncio_detailed(
            video_id=video_id,
            client=client,
            body=body,
        )
    ).parsed
