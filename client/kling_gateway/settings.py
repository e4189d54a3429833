"""Where a client's base URL, token and limits come from: arguments first, then environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import httpx

from . import errors
from .policies import RetryPolicy, WaitPolicy

ENV_BASE_URL = "KLING_BASE_URL"
ENV_TOKEN = "KLING_API_TOKEN"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_CONNECTIONS = 20
USER_AGENT = "kling-gateway-python"
Route = Literal["image2video", "text2video"]


@attrs.frozen
class Settings:
    base_url: str
    token: str = attrs.field(repr=False)
    timeout: httpx.Timeout = DEFAULT_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    wait: WaitPolicy = attrs.field(factory=WaitPolicy)
    headers: Mapping[str, str] = attrs.field(factory=dict)

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
    ) -> Settings:
        env = os.environ if env is None else env
        base_url = (base_url or env.get(ENV_BASE_URL, "")).strip().rstrip("/")
        token = (token or env.get(ENV_TOKEN, "")).strip()
        if not base_url:
            raise errors.ConfigurationError(
                f"no gateway URL: pass base_url= or set {ENV_BASE_URL}"
            )
        if not base_url.startswith(("http://", "https://")):
            raise errors.ConfigurationError(
                "the gateway URL must start with http:// or https://"
            )
        if not token:
            raise errors.ConfigurationError(
                f"no API token: pass token= or set {ENV_TOKEN}"
            )
        if not all("!" <= char <= "~" for char in token):
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
        if isinstance(timeout, int | float):
            timeout = httpx.Timeout(float(timeout), connect=min(float(timeout), 10.0))
        return cls(
            base_url=base_url,
            token=token,
            timeout=timeout or DEFAULT_TIMEOUT,
            max_connections=max_connections or DEFAULT_MAX_CONNECTIONS,
            retry=retry or RetryPolicy(),
            wait=wait or WaitPolicy(),
            headers=dict(headers or {}),
        )

    def httpx_args(self) -> dict[str, Any]:
        """Arguments for the pooled httpx client that talks to the gateway."""
        return {
            "base_url": self.base_url,
            "headers": {
                "User-Agent": USER_AGENT,
                **self.headers,
                "Authorization": f"Bearer {self.token}",
            },
            "timeout": self.timeout,
            "limits": httpx.Limits(
                max_connections=self.max_connections,
                max_keepalive_connections=self.max_connections,
            ),
        }

    def wait_policy(self, timeout: float | None, interval: float | None) -> WaitPolicy:
        policy = self.wait
        if timeout is not None:
            policy = attrs.evolve(policy, timeout=timeout)
        if interval is not None:
            policy = attrs.evolve(policy, interval=interval)
        return policy
