"""Where a client's base URL, token and limits come from: arguments first, then environment."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from . import errors
from ._pacing import IntervalSchedule, RefreshSchedule
from ._policies import RetryPolicy, WaitPolicy
from ._transport import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_RESPONSE_BYTES,
    AsyncBoundedTransport,
    BoundedTransport,
    shared_tls_context,
)

ENV_BASE_URL = "KLING_BASE_URL"
ENV_TOKEN = "KLING_API_TOKEN"
ENV_REFRESH_PERIOD = "KLING_REFRESH_PERIOD"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_CONNECTIONS = 20
# How long an idle pooled connection is kept. httpx's default, 5 s, is shorter than the gap
# between two polls of a task (one per refresh pass: 15 s, 30 or 45 s on a busy gateway), so
# every poll of a long wait opened a new connection (a wait_many of 200 tasks over 20
# connections opened 40). 50 s outlasts the longest pass gap and stays below the idle
# timeouts gateways and proxies commonly keep a connection for (60 s on cloud load
# balancers, 75 s in nginx), so the server does not close a connection the pool would reuse.
KEEPALIVE_EXPIRY = 50.0
USER_AGENT = "kling-gateway-python"
# The spec's bearerAuth x-token-pattern (a test keeps them equal): visible ASCII only.
TOKEN_PATTERN = r"^[!-~]+$"
_TOKEN = re.compile(TOKEN_PATTERN)
# Which of the gateway's route families a call uses: the Kling routes (the task's kind is the
# route), or the unified ones, `/v1/video/generations` (the Kling routes' envelope) and the
# OpenAI-compatible `/v1/videos`, where an image makes an image-to-video task.


@attrs.frozen
class Settings:
    base_url: str
    token: str = attrs.field(repr=False)
    timeout: httpx.Timeout = DEFAULT_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    wait: WaitPolicy = attrs.field(factory=WaitPolicy)
    headers: Mapping[str, str] = attrs.field(factory=dict)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def resolve(
        cls,
        base_url: str | None,
        token: str | None,
        *,
        timeout: float | httpx.Timeout | None,
        max_connections: int | None,
        retry: RetryPolicy | None,
        wait: WaitPolicy | None,
        headers: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        max_response_bytes: int | None = None,
        max_retries: int | None = None,
    ) -> Settings:
        env = os.environ if env is None else env
        if max_retries is not None:
            if (
                not isinstance(max_retries, int)
                or isinstance(max_retries, bool)
                or (max_retries < 0)
            ):
                raise errors.ConfigurationError(
                    f"max_retries must be a whole number of 0 or more, not {max_retries!r}"
                )
            # The shortcut openai-python has: the policy's other timings stay.
            retry = attrs.evolve(retry or RetryPolicy(), max_retries=max_retries)
        base_url = (base_url or env.get(ENV_BASE_URL, "")).strip().rstrip("/")
        token = (token or env.get(ENV_TOKEN, "")).strip()
        missing = [
            f"no gateway URL: pass base_url= or set {ENV_BASE_URL}"
            if not base_url
            else "",
            f"no API token: pass token= or set {ENV_TOKEN}" if not token else "",
        ]
        if not (base_url and token):
            # Everything missing at once: a first run has neither.
            raise errors.ConfigurationError("; ".join(m for m in missing if m))
        if not base_url.startswith(("http://", "https://")):
            raise errors.ConfigurationError(
                "the gateway URL must start with http:// or https://"
            )
        if not _TOKEN.fullmatch(token):
            # httpx would refuse it later with the header's value in the error text; a
            # gateway token is visible ASCII only. The message must not echo the token.
            raise errors.ConfigurationError(
                "the API token contains spaces, control characters or non-ASCII "
                "characters; a gateway token is visible ASCII only"
            )
        try:
            httpx.URL(base_url)
        except httpx.InvalidURL as exc:
            raise errors.ConfigurationError(
                f"the gateway URL {base_url!r} is not a valid URL: {exc}"
            ) from None
        if max_connections is not None and max_connections < 1:
            raise errors.ConfigurationError("max_connections must be at least 1")
        if max_response_bytes is not None and max_response_bytes < 1:
            raise errors.ConfigurationError("max_response_bytes must be at least 1")
        try:
            chosen_timeout = checked_timeout(timeout)
        except errors.InvalidRequestError as exc:
            raise errors.ConfigurationError(str(exc)) from None
        return cls(
            base_url=base_url,
            token=token,
            timeout=chosen_timeout or DEFAULT_TIMEOUT,
            max_connections=max_connections or DEFAULT_MAX_CONNECTIONS,
            retry=retry or RetryPolicy(),
            wait=wait or _wait_policy_from(env),
            headers=dict(headers or {}),
            max_response_bytes=max_response_bytes or DEFAULT_MAX_RESPONSE_BYTES,
        )

    def _limits(self) -> httpx.Limits:
        return httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_connections,
            keepalive_expiry=KEEPALIVE_EXPIRY,
        )

    def _client_args(
        self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport
    ) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "headers": self.gateway_headers(),
            "timeout": self.timeout,
            "transport": transport,
        }

    def gateway_headers(self) -> dict[str, str]:
        """The headers of every request to the gateway (and of none to a video's host)."""
        return {
            "User-Agent": USER_AGENT,
            "Accept-Encoding": ACCEPT_ENCODING,
            **self.headers,
            "Authorization": f"Bearer {self.token}",
        }

    def httpx_args(
        self, transport: httpx.BaseTransport | None = None
    ) -> dict[str, Any]:
        """Arguments for the pooled httpx.Client that talks to the gateway: its transport
        (httpx's own unless one is given) is wrapped so that every answer is bounded in size
        and total time (transport.py)."""
        inner = transport or httpx.HTTPTransport(
            limits=self._limits(), verify=shared_tls_context()
        )
        return self._client_args(
            BoundedTransport(
                inner,
                max_bytes=self.max_response_bytes,
                total_timeout=self.timeout.read,
            )
        )

    def async_httpx_args(
        self, transport: httpx.AsyncBaseTransport | None = None
    ) -> dict[str, Any]:
        """The same for httpx.AsyncClient."""
        inner = transport or httpx.AsyncHTTPTransport(
            limits=self._limits(), verify=shared_tls_context()
        )
        return self._client_args(
            AsyncBoundedTransport(
                inner,
                max_bytes=self.max_response_bytes,
                total_timeout=self.timeout.read,
            )
        )

    def wait_policy(self, deadline: float | None, interval: float | None) -> WaitPolicy:
        """The client's wait policy with a call's own deadline and interval."""
        for name, value in (("deadline", deadline), ("interval", interval)):
            if value is not None and not (
                isinstance(value, int | float) and math.isfinite(value) and value > 0
            ):
                raise errors.InvalidRequestError(
                    f"wait {name} must be a positive number of seconds, not {value!r}"
                )
        policy = self.wait
        if deadline is not None:
            policy = attrs.evolve(policy, deadline=deadline)
        if interval is not None:
            # An explicit interval asks for the interval schedule instead of the refresh one.
            policy = attrs.evolve(policy, schedule=IntervalSchedule(interval=interval))
        return policy


def checked_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout | None:
    """A timeout in seconds (or an httpx.Timeout) as httpx takes it: the read timeout, and a
    connect timeout of at most 10 s. None stays None (the client's, or the default)."""
    if timeout is None or isinstance(timeout, httpx.Timeout):
        return timeout
    if not (
        isinstance(timeout, int | float)
        and not isinstance(timeout, bool)
        and math.isfinite(timeout)
        and timeout > 0
    ):
        raise errors.InvalidRequestError("timeout must be a positive number of seconds")
    return httpx.Timeout(float(timeout), connect=min(float(timeout), 10.0))


def _wait_policy_from(env: Mapping[str, str]) -> WaitPolicy:
    """The default wait policy, in step with a gateway refreshing every
    KLING_REFRESH_PERIOD seconds (15 by default)."""
    text = env.get(ENV_REFRESH_PERIOD, "").strip()
    if not text:
        return WaitPolicy()
    try:
        period = float(text)
    except ValueError:
        period = math.nan
    if not (math.isfinite(period) and period > 0):
        raise errors.ConfigurationError(
            f"{ENV_REFRESH_PERIOD} must be a positive number of seconds, not {text[:20]!r}"
        )
    return WaitPolicy(schedule=RefreshSchedule.for_period(period))
