"""The gateway generations: one type for the emulator, the contract suite, the client's
tools and their tests."""

from __future__ import annotations

from enum import StrEnum


class Generation(StrEnum):
    """The three shapes in which live gateways answer the Kling routes (see openapi.yaml)."""

    # Up to upstream 8aa025f6e (2026-01-28): Kling's id as task_id, no database fields.
    A = "A"
    # Upstream since 2026-02: gateway ids and database fields.
    B = "B"
    # new-api 1.0 release candidates (rc.30 on, 2026-09): the official Kling task plugin
    # answers Kling's own envelope with the gateway's id, and /v1/tasks serves the tasks.
    C = "C"


# The models generation C's Kling plugin declares (meta.models of plugins/tasks/kling 1.0.0):
# its Kling routes refuse every other name with 400, before any channel is chosen.
PLUGIN_MODELS = ("kling-v1", "kling-v1-6", "kling-v2-master")
