"""Logging: the `kling_gateway` logger, switched on by KLING_LOG=info|debug (as OPENAI_LOG
does for openai-python) or `kling -v` / `-vv`.

INFO tells of retries; DEBUG adds one record per request: method, route and task, status,
request id, elapsed time and attempt. Records never carry the token: they are built from
the route and the answer only.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

LOGGER_NAME = "kling_gateway"
ENV_LOG = "KLING_LOG"
logger = logging.getLogger(LOGGER_NAME)
_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}


def setup_logging(level: str | None = None) -> None:
    """Send the library's records to stderr at `level` (default: KLING_LOG, else nothing)."""
    chosen = _LEVELS.get((level or os.environ.get(ENV_LOG, "")).strip().lower())
    if chosen is None:
        return
    if not any(getattr(h, "_kling", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        handler._kling = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(chosen)


@contextmanager
def request_record(
    what: str, attempt: int, last: Callable[[], httpx.Response | None]
) -> Iterator[None]:
    """One DEBUG record for one request attempt, however it ends."""
    if not logger.isEnabledFor(logging.DEBUG):
        yield
        return
    started = time.perf_counter()
    outcome = "no answer"
    try:
        yield
    except Exception as exc:
        outcome = type(exc).__name__
        raise
    finally:
        response = last()
        if response is not None:
            request_id = response.headers.get("X-Oneapi-Request-Id", "-")
            outcome = f"{response.status_code} (request id {request_id})"
        logger.debug(
            "%s -> %s in %.1f ms, attempt %d",
            what,
            outcome,
            (time.perf_counter() - started) * 1000,
            attempt,
        )
