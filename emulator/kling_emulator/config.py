"""What an emulator instance is configured with."""

from __future__ import annotations

from enum import StrEnum

import attrs


class Generation(StrEnum):
    """The two shapes of the task object that live gateways send (see openapi.yaml)."""

    A = "A"  # older deployments: Kling's id as task_id, no database fields
    B = "B"  # upstream since 2026-02: gateway ids, database fields, OpenAI-shaped submit answer


FAULT_KINDS = ("429", "502", "503", "504", "drop", "malformed", "truncated")


@attrs.frozen
class Faults:
    """Injected failures, off by default.

    `rates` maps a fault kind to the share of requests (0..1) that get it; `latency` is added
    to every answer. A single request can also ask for faults with the `X-Emulator-Fault`
    header (for example `X-Emulator-Fault: 429` or `latency=0.2,503`).
    """

    latency: float = 0.0
    rates: dict[str, float] = attrs.field(factory=dict)
    retry_after: int = 1
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        for kind, rate in self.rates.items():
            if kind not in FAULT_KINDS:
                raise ValueError(
                    f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}"
                )
            if not 0.0 <= rate <= 1.0:
                raise ValueError(
                    f"fault rate for {kind!r} must be within 0..1, got {rate}"
                )


@attrs.frozen
class Lifecycle:
    """How long a task spends in each phase, in seconds.

    The real gateway polls Kling every 15 s, so by default a task reads NOT_START for 15 s,
    SUBMITTED for 15 s and IN_PROGRESS for a minute. `scaled(total)` keeps the proportions.
    """

    not_start: float = 15.0
    submitted: float = 15.0
    in_progress: float = 60.0

    @property
    def total(self) -> float:
        return self.not_start + self.submitted + self.in_progress

    @classmethod
    def scaled(cls, total: float) -> Lifecycle:
        base = cls()
        factor = total / base.total
        return cls(
            base.not_start * factor, base.submitted * factor, base.in_progress * factor
        )


@attrs.frozen
class EmulatorConfig:
    # token -> user id. Tokens are compared without the customary `sk-` prefix, as the gateway does.
    tokens: dict[str, int] = attrs.field(
        factory=lambda: {"sk-emulator-user-1": 1, "sk-emulator-user-2": 2}
    )
    banned_tokens: frozenset[str] = frozenset()
    generation: Generation = Generation.B
    lifecycle: Lifecycle = Lifecycle()
    # Share of submitted tasks that end in FAILURE; a prompt containing "[fail]" always fails.
    failure_rate: float = 0.0
    max_tasks: int = 10_000
    max_body_bytes: int = 20 * 1024 * 1024
    faults: Faults = Faults()
    seed_tasks: bool = True
