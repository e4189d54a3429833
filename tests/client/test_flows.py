"""The client's core without I/O: its flows driven by scripted answers on a fake clock.

What the clients do in time (retry pauses, deadlines, many waits side by side) is decided
here, so it is tested here, exactly and instantly; the clients only carry the actions out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

import kling_gateway as kg
from kling_gateway._core import ClientCore
from kling_gateway._flows import (
    Failure,
    Fetch,
    Flow,
    Gather,
    Send,
    Sleep,
    in_turn,
    settled,
)
from kling_gateway._settings import Settings
from kling_gateway._transport import ResponseTooLarge

Answer = Callable[[Send, float], httpx.Response | Failure]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def core(clock: FakeClock, **settings: Any) -> ClientCore:
    defaults: dict[str, Any] = {
        "timeout": None,
        "max_connections": None,
        "retry": kg.RetryPolicy(jitter=0.0),
        "wait": None,
    }
    return ClientCore(
        Settings.resolve("http://gw.test", "sk-flows", **{**defaults, **settings}),
        clock=clock,
    )


def response(send: Send, status: int, body: Any, **headers: str) -> httpx.Response:
    request = httpx.Request(send.method, "http://gw.test" + send.url)
    return httpx.Response(status, json=body, headers=headers, request=request)


def rate_limited(send: Send, retry_after: str) -> httpx.Response:
    body = {"error": {"message": "slow down", "type": "rate_limit"}}
    return response(send, 429, body, **{"Retry-After": retry_after})


def task_body(task_id: str, status: str) -> dict[str, Any]:
    return {
        "code": "success",
        "message": "",
        "data": {
            "task_id": task_id,
            "status": status,
            "progress": "50%",
            "data": None,
        },
    }


def drive(flow: Flow[Any], answer: Answer, clock: FakeClock) -> tuple[Any, list[Any]]:
    """Run a flow as a client would, on the fake clock: (its result, the actions seen).
    A Gather runs its flows in turn, as the blocking client does."""
    seen: list[Any] = []
    outcome: object = None
    while True:
        try:
            action = flow.send(outcome)
        except StopIteration as stop:
            return stop.value, seen
        seen.append(action)
        if isinstance(action, Sleep):
            clock.now += action.seconds
            outcome = None
        elif isinstance(action, Send):
            outcome = answer(action, clock.now)
        elif isinstance(action, Fetch):
            outcome = action.destination  # as if the video had been saved there
        else:
            assert isinstance(action, Gather), action
            outcome, inner = drive(in_turn(action.flows, clock), answer, clock)
            seen += inner


def always(status: str) -> Answer:
    def answer(send: Send, now: float) -> httpx.Response:
        return response(send, 200, task_body(send.url.rsplit("/", 1)[1], status))

    return answer


def test_a_get_is_one_send_built_from_the_spec_with_the_calls_own_options() -> None:
    clock = FakeClock()
    result, seen = drive(
        core(clock).get(
            "abc", route="text2video", timeout=2.5, extra_headers={"X-Trace": "t1"}
        ),
        always("SUCCESS"),
        clock,
    )
    assert [type(a) for a in seen] == [Send]
    send = seen[0]
    assert (send.method, send.url) == ("GET", "/kling/v1/videos/text2video/abc")
    assert send.headers == {"X-Trace": "t1"}
    assert send.timeout == httpx.Timeout(2.5, connect=2.5)
    assert result.parsed.task_id == "abc" and result.retries_taken == 0


def test_retry_after_is_slept_exactly_then_the_answer_counts_its_retries() -> None:
    clock = FakeClock()
    answers = iter([429, 429, 200])

    def answer(send: Send, now: float) -> httpx.Response:
        if next(answers) == 429:
            return rate_limited(send, "7")
        return response(send, 200, task_body("abc", "SUCCESS"))

    result, seen = drive(core(clock).get("abc"), answer, clock)
    assert [a.seconds for a in seen if isinstance(a, Sleep)] == [7.0, 7.0]
    assert clock.now == 1014.0 and result.retries_taken == 2


def test_a_retry_after_beyond_the_bound_is_raised_without_sleeping() -> None:
    clock = FakeClock()

    def answer(send: Send, now: float) -> httpx.Response:
        return rate_limited(send, "61")

    flow = core(clock).get("abc")
    with pytest.raises(kg.RateLimitError) as caught:
        drive(flow, answer, clock)
    assert caught.value.retry_after == 61.0 and clock.now == 1000.0


def test_backoff_doubles_from_the_initial_delay_up_to_the_retry_budget() -> None:
    clock = FakeClock()
    seen_sends: list[float] = []

    def answer(send: Send, now: float) -> Failure:
        seen_sends.append(now)
        return Failure(httpx.ReadTimeout("slow"))

    retry = kg.RetryPolicy(max_retries=3, initial_delay=0.5, jitter=0.0)
    with pytest.raises(kg.APITimeoutError) as caught:
        drive(core(clock, retry=retry).get("abc"), answer, clock)
    assert [t - 1000.0 for t in seen_sends] == [0.0, 0.5, 1.5, 3.5]
    assert caught.value.request_sent is True


def test_spent_retries_say_in_one_line_what_failed_where_and_after_how_many() -> None:
    clock = FakeClock()
    retry = kg.RetryPolicy(max_retries=2, initial_delay=0.5, jitter=0.0)

    def refused(send: Send, now: float) -> Failure:
        return Failure(httpx.ConnectError("[Errno 111] Connection refused"))

    with pytest.raises(kg.APIConnectionError) as caught:
        drive(core(clock, retry=retry).get("task_abc"), refused, clock)
    error = caught.value
    url = "http://gw.test/kling/v1/videos/image2video/task_abc"
    assert str(error) == (
        f"GET {url}: could not connect (ConnectError: [Errno 111] Connection refused), "
        "after 3 attempts in 1.5 s; check the base URL and that the gateway is up"
    )
    assert (error.url, error.attempts, error.request_sent) == (url, 3, False)
    assert isinstance(error.__cause__, httpx.ConnectError)

    def slow(send: Send, now: float) -> Failure:
        return Failure(httpx.ReadTimeout("timed out"))

    with pytest.raises(kg.APITimeoutError) as timed_out:
        drive(core(clock, retry=retry).get("task_abc", timeout=7), slow, clock)
    assert str(timed_out.value) == (
        f"GET {url}: no answer within the read timeout of 7 s (ReadTimeout: timed out), "
        "after 3 attempts in 1.5 s; pass a longer timeout= or try again later"
    )
    assert "\n" not in str(timed_out.value)


def test_an_error_answer_names_its_request_id_once() -> None:
    clock = FakeClock()

    def invalid_token(send: Send, now: float) -> httpx.Response:
        body = {
            "error": {
                "message": "Invalid token (request id: 2026R1)",
                "type": "new_api_error",
            }
        }
        return response(send, 401, body, **{"X-Oneapi-Request-Id": "2026R1"})

    with pytest.raises(kg.AuthenticationError) as caught:
        drive(core(clock).get("task_abc"), invalid_token, clock)
    error = caught.value
    assert str(error).count("2026R1") == 1 and error.request_id == "2026R1"
    assert error.message.startswith("Invalid token (the token is wrong")
    assert "KLING_API_TOKEN" in str(error)


def test_a_submit_that_may_have_reached_kling_is_not_sent_twice() -> None:
    clock = FakeClock()
    sends: list[Send] = []

    def answer(send: Send, now: float) -> Failure:
        sends.append(send)
        return Failure(httpx.ReadTimeout("slow"))

    flow = core(clock).submit(model="kling-v1", image="https://e.com/i.png", prompt="p")
    with pytest.raises(kg.APITimeoutError):
        drive(flow, answer, clock)
    assert len(sends) == 1 and sends[0].method == "POST"
    sends.clear()
    named = core(clock).submit(
        model="kling-v1",
        image="https://e.com/i.png",
        prompt="p",
        external_task_id="mine-1",
    )
    with pytest.raises(kg.APITimeoutError):
        drive(named, answer, clock)
    assert len(sends) == 4, "a submit naming its task is safe to retry"


def test_an_unreadable_body_is_malformed_with_the_status_that_came() -> None:
    clock = FakeClock()

    def answer(send: Send, now: float) -> Failure:
        return Failure(ResponseTooLarge(10), response(send, 200, {}))

    with pytest.raises(kg.MalformedResponseError) as caught:
        drive(core(clock).get("abc"), answer, clock)
    assert caught.value.status_code == 200 and "max_response_bytes=10" in str(
        caught.value
    )


def test_a_wait_gives_up_at_its_deadline_and_never_sleeps_past_it() -> None:
    clock = FakeClock()
    flow = core(clock).wait("abc", deadline=1.0, interval=0.3)
    with pytest.raises(kg.WaitTimeoutError) as caught:
        drive(flow, always("IN_PROGRESS"), clock)
    assert clock.now == pytest.approx(1001.0)
    assert caught.value.task is not None and caught.value.task.status == "IN_PROGRESS"


def test_waits_in_turn_are_side_by_side_and_a_backoff_holds_up_no_other() -> None:
    """Task a answers 503 twice (2 s and 4 s of backoff), then SUCCESS; task b turns final
    at 1003. Waited for together, each ends exactly when it would alone."""

    def run(task_ids: list[str]) -> tuple[dict[str, float], float]:
        clock = FakeClock()
        finished: dict[str, float] = {}
        a_answers = iter([503, 503, 200])

        def answer(send: Send, now: float) -> httpx.Response:
            task_id = send.url.rsplit("/", 1)[1]
            if task_id == "a" and next(a_answers) == 503:
                return response(send, 503, {"error": {"message": "busy"}})
            status = "SUCCESS" if task_id == "a" or now >= 1003.0 else "QUEUED"
            if status == "SUCCESS":
                finished.setdefault(task_id, now)
            return response(send, 200, task_body(task_id, status))

        retry = kg.RetryPolicy(max_retries=3, initial_delay=2.0, jitter=0.0)
        flow = core(clock, retry=retry).wait_many(task_ids, interval=1.0)
        results, _ = drive(flow, answer, clock)
        assert [r.task_id for r in results] == task_ids
        return finished, clock.now

    alone_a, took_a = run(["a"])
    alone_b, took_b = run(["b"])
    together, took = run(["a", "b"])
    assert alone_a == {"a": 1006.0} and alone_b["b"] >= 1003.0
    assert together == {**alone_a, **alone_b}
    assert took == max(took_a, took_b), "the waits overlapped"


def test_a_wait_many_keeps_each_failure_as_its_value_and_in_order() -> None:
    clock = FakeClock()

    def answer(send: Send, now: float) -> httpx.Response:
        task_id = send.url.rsplit("/", 1)[1]
        if task_id == "gone":
            body = {"code": "task_not_exist", "message": "task_not_exist", "data": None}
            return response(send, 400, body)
        return response(send, 200, task_body(task_id, "SUCCESS"))

    flow = core(clock).wait_many(["ok", "gone", "../x", "ok2"])
    results, _ = drive(flow, answer, clock)
    assert [type(r).__name__ for r in results] == [
        "Task",
        "TaskNotFoundError",
        "InvalidTaskIdError",
        "Task",
    ]


def test_settled_turns_only_the_librarys_errors_into_values() -> None:
    def failing() -> Flow[int]:
        raise kg.InvalidRequestError("no")
        yield Sleep(0)

    def crashing() -> Flow[int]:
        raise RuntimeError("a bug is never a result")
        yield Sleep(0)

    clock = FakeClock()
    value, _ = drive(settled(failing()), always("SUCCESS"), clock)
    assert isinstance(value, kg.InvalidRequestError)
    with pytest.raises(RuntimeError):
        drive(settled(crashing()), always("SUCCESS"), clock)


def test_a_download_asks_for_the_task_then_fetches_its_video_without_gateway_headers(
    tmp_path: Any,
) -> None:
    clock = FakeClock()

    def answer(send: Send, now: float) -> httpx.Response:
        body = task_body("abc", "SUCCESS")
        body["data"]["result_url"] = "https://cdn.example/v.mp4"
        return response(send, 200, body)

    saved, seen = drive(
        core(clock).download(
            "abc", f"{tmp_path}/", extra_headers={"X-Secret-Route": "1"}
        ),
        answer,
        clock,
    )
    fetch = seen[-1]
    assert isinstance(fetch, Fetch) and fetch.url == "https://cdn.example/v.mp4"
    assert fetch.destination == tmp_path / "abc.mp4" and saved == fetch.destination
    assert fetch.headers == {}, "the video's host never sees gateway headers"


def test_a_404_names_the_base_url_unless_it_is_the_task_routes_unknown_task() -> None:
    clock = FakeClock()

    def answer_with(message: str) -> Answer:
        def answer(send: Send, now: float) -> httpx.Response:
            body = {"error": {"message": message, "type": "invalid_request_error"}}
            return response(send, 404, body)

        return answer

    with pytest.raises(kg.TaskNotFoundError) as unknown:
        drive(
            core(clock).get("task_abc", route="tasks"),
            answer_with("Task not found"),
            clock,
        )
    assert "base URL" not in str(unknown.value)
    with pytest.raises(kg.NotFoundError) as no_route:
        drive(core(clock).get("task_abc"), answer_with("Invalid URL (GET /x)"), clock)
    assert not isinstance(no_route.value, kg.TaskNotFoundError)
    assert "is the base URL right?" in str(no_route.value)
