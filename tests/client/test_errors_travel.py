"""Every exception survives pickle with its fields: wait_many returns them as values, and
users send those across processes and task queues."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest

import kling_gateway as kg
from kling_emulator.server import EmulatorServer

from ..conftest import TOKEN_1
from .test_over_http import client_for, seeded

ANSWER = httpx.Response(429, request=httpx.Request("GET", "http://127.0.0.1/x"))
STATUS_FIELDS = {
    "status_code": 429,
    "code": "rate",
    "request_id": "req-1",
    "response": ANSWER,
}


@pytest.mark.parametrize(
    ("error", "fields"),
    [
        (kg.ConfigurationError("no token"), {}),
        (kg.InvalidTaskIdError("bad id"), {}),
        (kg.APIConnectionError("refused", request_sent=False), {"request_sent": False}),
        (
            kg.APITimeoutError("slow", url="http://gw/x", attempts=4),
            {"request_sent": True, "url": "http://gw/x", "attempts": 4},
        ),
        (
            kg.MalformedResponseError("not JSON", status_code=200, request_id="r"),
            {"status_code": 200, "request_id": "r", "message": "not JSON"},
        ),
        (
            kg.RateLimitError("slow down", retry_after=7.5, **STATUS_FIELDS),
            {
                "retry_after": 7.5,
                "status_code": 429,
                "code": "rate",
                "request_id": "req-1",
            },
        ),
        (
            kg.PermissionDeniedError(
                "model", model="kling-v1", status_code=403, code="c"
            ),
            {"model": "kling-v1", "status_code": 403, "code": "c"},
        ),
        (kg.TaskNotFoundError("gone", status_code=400, code="task_not_exist"), {}),
        (kg.WaitTimeoutError("t1", 3.0, None), {"task_id": "t1", "deadline": 3.0}),
    ],
)
def test_each_exception_survives_pickle_with_its_fields(
    error: kg.KlingError, fields: dict[str, Any]
) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    for name, value in fields.items():
        assert getattr(back, name) == value
    if isinstance(error, kg.APIError) and isinstance(back, kg.APIError):
        assert back.response is None  # an httpx.Response does not travel
        assert (back.message, back.code) == (error.message, error.code)


def test_errors_from_a_real_wait_many_survive_pickle(gateway: EmulatorServer) -> None:
    failed = seeded(gateway, "FAILURE")
    with client_for(gateway, TOKEN_1) as client:
        results = client.wait_many([failed, "no_such_task"], deadline=5)
    task_failed, not_found = pickle.loads(pickle.dumps(results))
    assert isinstance(task_failed, kg.TaskFailedError)
    assert task_failed.task_id == failed and task_failed.task.task_id == failed
    assert task_failed.reason == results[0].reason  # type: ignore[union-attr]
    assert isinstance(not_found, kg.TaskNotFoundError)
    assert (not_found.status_code, not_found.code) == (400, "task_not_exist")
    assert not_found.request_id == results[1].request_id  # type: ignore[union-attr]


def test_no_answer_is_not_an_api_error_unlike_openai() -> None:
    """APIError means the gateway answered, with a status code; a connection error has none.
    Pinned because openai-python's class of the same name is an APIError (errors.py says how
    to port an except clause)."""
    assert not issubclass(kg.APIConnectionError, kg.APIError)
    assert issubclass(kg.APIConnectionError, kg.KlingError)
    assert issubclass(kg.APITimeoutError, kg.APIConnectionError)
