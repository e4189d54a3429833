"""Credentials that must never reach output, logs, exceptions or reports, wherever they
travel in text: generation C's artifact access values (a capability that never expires,
carried in a content URL's `access=` query)."""

from __future__ import annotations

import re

REPLACEMENT = "[Filtered]"
_ACCESS = re.compile(r"(\baccess=)[^&\s\"'<>]+")


def redact_access(text: str) -> str:
    """`text` with every `access=` value replaced."""
    return _ACCESS.sub(rf"\g<1>{REPLACEMENT}", text)
