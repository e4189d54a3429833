"""The gateway generations: one type for the emulator, the contract suite and their tests
(a module of its own, so that any module can import it without a cycle)."""

from __future__ import annotations

from enum import StrEnum


class Generation(StrEnum):
    """The two shapes of the task object that live gateways send (see openapi.yaml)."""

    # Up to upstream 8aa025f6e (2026-01-28): Kling's id as task_id, no database fields.
    A = "A"
    # Upstream since 2026-02: gateway ids and database fields.
    B = "B"
