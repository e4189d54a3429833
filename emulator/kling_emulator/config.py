"""What an emulator instance is configured with."""

from __future__ import annotations

import secrets

import attrs

from kling_common.families import FAMILIES, Family
from kling_common.generation import Generation
from kling_common.wire import MODELS as KLING_MODELS
from kling_common.wire import KlingLifecycle

from .kling_stage import KlingUpstream

# 429: Kling refused the submit for load (E2); 429-gate: a fork's token concurrency gate
# (E1; upstream has none, so it comes only when asked for);
# 503-no-channel: no channel serves the model (E1 model_not_found); 500-panic: a recovered
# panic (E1 without code).
FAULT_KINDS = (
    "429", "429-gate", "500-panic", "502", "503", "503-no-channel", "504",
    "drop", "malformed", "truncated",
)  # fmt: skip


@attrs.frozen
class Faults:
    """Injected failures, off by default.

    `rates` maps a fault kind to the share of requests (0..1) that get it; `latency` is added
    to every answer. A single request can also ask for faults with the `X-Emulator-Fault`
    header (for example `X-Emulator-Fault: 429` or `latency=0.2,503`).
    """

    latency: float = 0.0
    rates: dict[str, float] = attrs.field(factory=dict)
    # The gateway itself sends no Retry-After; set this to act as a proxy in front that does.
    retry_after: int | None = None
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
    """How long Kling takes with a task, in seconds.

    Kling reports a task `submitted` for `not_start + submitted` seconds, `processing` for
    `in_progress` seconds, then succeeded or failed: 90 s in all by default. `scaled(total)`
    keeps the proportions, and `scale` tells how much faster than real time that runs; the
    gateway's refresh passes (`Refresh`) run on the same clock.
    """

    not_start: float = 15.0
    submitted: float = 15.0
    in_progress: float = 60.0

    @property
    def total(self) -> float:
        return self.not_start + self.submitted + self.in_progress

    @property
    def kling(self) -> KlingLifecycle:
        """The same lifecycle as Kling itself sees it: submitted until the gateway's first
        refresh and the time Kling takes to start, then processing."""
        return KlingLifecycle(self.not_start + self.submitted, self.in_progress)

    @property
    def scale(self) -> float:
        """Seconds here per second of a real-speed lifecycle (0.1 runs ten times faster)."""
        return self.total / Lifecycle().total

    @classmethod
    def scaled(cls, total: float) -> Lifecycle:
        base = cls()
        factor = total / base.total
        return cls(
            base.not_start * factor, base.submitted * factor, base.in_progress * factor
        )


@attrs.frozen
class Refresh:
    """How a gateway refreshes its tasks from Kling, in real-speed seconds.

    Upstream (service/system_task.go, service/task_polling.go) ticks every `period`; on a
    tick a refresh pass starts if the previous one finished at least `period` whole seconds
    earlier (its clock has a resolution of `second`), so a pass that outlasts a second
    pushes the next one to the tick after. A pass walks each channel's unfinished tasks in
    id order, one task every `gap` seconds, channels side by side. Tasks are spread over
    `channels` channels in turn. A task's state, `start_time`, `finish_time` and
    `updated_at` change only when a pass reaches it. `skip_share` puts a due pass off by a
    tick, by chance, as the scheduler's own check does upstream.
    """

    period: float = attrs.field(default=15.0, validator=attrs.validators.gt(0))
    gap: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    second: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))
    channels: int = attrs.field(default=1, validator=attrs.validators.ge(1))
    # The share of due passes put off to the next tick. Upstream also checks, on the tick,
    # that its scheduler last ran a whole `period` of monotonic time before; ticks land on
    # that edge within microseconds, so a pass due on the tick after the last one starts
    # there or one tick later, by chance (measured on new-api e2c7aa7 with one task: 3 of 4
    # gaps 30 s, 1 of 4 15 s). 0 keeps every due pass on its tick.
    skip_share: float = attrs.field(
        default=0.0, validator=[attrs.validators.ge(0), attrs.validators.le(1)]
    )
    seed: int = 0

    def scaled(self, scale: float) -> Refresh:
        return attrs.evolve(
            self,
            period=self.period * scale,
            gap=self.gap * scale,
            second=self.second * scale,
        )


TOKEN_1 = "sk-emulatoruser1"
TOKEN_2 = "sk-emulatoruser2"
EXHAUSTED_TOKEN = "sk-emulatorexhausted"
LIMITED_TOKEN = "sk-emulatorlimited"
# The 403s of an empty purse: a user whose balance is used up (user 3), and a token of
# user 1 whose remaining quota is below a task's price.
BROKE_TOKEN = "sk-emulatorbroke"
LOW_QUOTA_TOKEN = "sk-emulatorlowquota"
# What the gateway answers for them (the user's text as seen on a built gateway, upstream's
# amounts in its own format; the token's as read in the host's quota code).
INSUFFICIENT_USER_QUOTA = "用户额度不足, 剩余额度: ＄0.000000"
TOKEN_QUOTA_TOO_LOW = "令牌额度不足"
LIMITED_MODELS = frozenset({"kling-v1-6"})
UNAVAILABLE_MODEL = "kling-unavailable"  # no channel serves it
GATEWAY_VERSION = {
    "A": "v0.9.0-emulator",
    "B": "v0.10.8-emulator",
    "C": "v1.0.0-rc.41-emulator",
}


def token_key(token: str) -> str:
    """The key a gateway looks a token up by: without `sk-`, up to the first `-`."""
    return token.removeprefix("sk-").split("-")[0]


def _check_tokens(instance: object, attribute: object, tokens: dict[str, int]) -> None:
    for token in tokens:
        if not token_key(token) or token_key(token) != token.removeprefix("sk-"):
            raise ValueError(
                f"an emulator token is sk- and letters or digits, without '-': a gateway "
                f"reads 'sk-key-channel' as key and channel ({token[:6]}...)"
            )


@attrs.frozen
class EmulatorConfig:
    # token -> user id. A gateway strips `sk-` and reads what follows a `-` as a channel, so a
    # token's key never contains `-`.
    tokens: dict[str, int] = attrs.field(
        factory=lambda: {
            TOKEN_1: 1,
            TOKEN_2: 2,
            EXHAUSTED_TOKEN: 1,
            LIMITED_TOKEN: 1,
            BROKE_TOKEN: 3,
            LOW_QUOTA_TOKEN: 1,
        },
        validator=_check_tokens,
    )
    banned_tokens: frozenset[str] = frozenset()
    # Tokens whose quota is used up: 401 on every route, polls included.
    exhausted_tokens: frozenset[str] = frozenset({EXHAUSTED_TOKEN})
    # Tokens whose user's balance is used up: a submit is 403 insufficient_user_quota.
    broke_tokens: frozenset[str] = frozenset({BROKE_TOKEN})
    # Tokens whose remaining quota is below a task's price: a submit is 403
    # pre_consume_token_quota_failed.
    low_quota_tokens: frozenset[str] = frozenset({LOW_QUOTA_TOKEN})
    # Tokens limited to some models: 403 for other models, and for unknown task ids.
    model_limits: dict[str, frozenset[str]] = attrs.field(
        factory=lambda: {LIMITED_TOKEN: LIMITED_MODELS}
    )
    # The models the gateway's Kling channels serve; a submit naming any other answers 503
    # model_not_found, as a gateway answers a model no channel lists.
    models: frozenset[str] = frozenset(KLING_MODELS)
    generation: Generation = Generation.B
    # The route families it serves: a fork, an older build or a gateway with the unified
    # routes switched off serves fewer, and answers the others as not a route. `tasks`
    # only ever on generation C.
    families: frozenset[Family] = frozenset(FAMILIES)
    lifecycle: Lifecycle = Lifecycle()
    # The gateway's refresh passes, run at the lifecycle's scale; None shows every task's
    # state as of the moment it is asked for (a smooth clock, as if refreshed continuously).
    refresh: Refresh | None = Refresh()
    # Share of submitted tasks that end in FAILURE; a prompt containing "[fail]" always fails.
    failure_rate: float = 0.0
    max_tasks: int = 10_000
    max_body_bytes: int = 20 * 1024 * 1024
    faults: Faults = Faults()
    seed_tasks: bool = True
    # Unmatched requests allowed per client address in a sliding window of seconds, as the
    # gateway's GlobalWebRateLimit counts them (120 per 180 s by default); past it, 429 with
    # Retry-After. None: no limit.
    web_rate_limit: tuple[int, int] | None = (120, 180)
    # Generation C's CryptoSecret, which signs artifact access values (HMAC-SHA256): random
    # for each emulator unless given.
    artifact_secret: bytes = attrs.field(
        factory=lambda: secrets.token_bytes(32), repr=False
    )
    # Wrong artifact access values allowed per client address in a sliding window of
    # seconds, before 429 artifact_access_limited (the gateway's own numbers could not be
    # read; the answer's shape and its Retry-After of 60 s could).
    artifact_access_limit: tuple[int, int] = (20, 60)
    # Kling as a real API (the stand-in, or any Kling base URL); None: modelled in-process.
    # A real Kling is polled by refresh passes, so it needs them (no smooth clock).
    kling: KlingUpstream | None = None

    def __attrs_post_init__(self) -> None:
        if self.kling is not None and self.refresh is None:
            raise ValueError(
                "a real Kling stage is polled by refresh passes: no smooth clock"
            )
