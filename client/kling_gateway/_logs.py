"""Logging: the `kling_gateway` logger, switched on by KLING_LOG=info|debug (as OPENAI_LOG
does for openai-python) or `kling -v` / `-vv`.

INFO tells of retries; DEBUG adds one record per request: method, route and task, status,
request id, elapsed time and attempt. Records never carry the token: they are built from
the route and the answer only.
"""

from __future__ import annotations

import logging
import os

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
