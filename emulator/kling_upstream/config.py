"""What a stand-in is configured with."""

from __future__ import annotations

import attrs

from kling_common.auth import LEEWAY, KeyPair
from kling_common.params import UNSAFE_MARKER
from kling_common.wire import KlingLifecycle

# Kling's account, rate and server faults, which the stand-in can answer on demand.
FAULT_CODES = (1100, 1101, 1102, 1103, 1302, 1303, 1304, 5000, 5001, 5002)
# Kling's keys are 32 characters; so are these.
DEFAULT_KEYS = (
    KeyPair("standinaccesskey0000000000000000", "standinsecretkey0000000000000000"),
)


def _check_rates(instance: object, attribute: object, rates: dict[int, float]) -> None:
    for code, rate in rates.items():
        if code not in FAULT_CODES:
            known = ", ".join(map(str, FAULT_CODES))
            raise ValueError(f"unknown fault code {code}; known: {known}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate for {code} must be within 0..1, got {rate}")


def _check_keys(instance: object, attribute: object, keys: tuple[KeyPair, ...]) -> None:
    if not keys:
        raise ValueError("a stand-in needs at least one access/secret key pair")
    if len({k.access_key for k in keys}) != len(keys):
        raise ValueError("each access key may be configured once")


@attrs.frozen
class Faults:
    """Kling's error answers on demand: `rates` maps a code to the share of authenticated
    requests (0..1) that get it. A request can ask for one with the `X-Kling-Fault: CODE`
    header, and a submit with `[kling:CODE]` in its prompt (a gateway forwards the prompt,
    not the header)."""

    rates: dict[int, float] = attrs.field(factory=dict, validator=_check_rates)
    seed: int = 0


@attrs.frozen
class UpstreamConfig:
    keys: tuple[KeyPair, ...] = attrs.field(default=DEFAULT_KEYS, validator=_check_keys)
    lifecycle: KlingLifecycle = attrs.field(factory=KlingLifecycle)
    # Share of accepted tasks that end failed; a prompt with "[fail]" always does.
    failure_rate: float = attrs.field(
        default=0.0, validator=[attrs.validators.ge(0), attrs.validators.le(1)]
    )
    # A prompt containing this is refused for content safety (1301); "" switches it off.
    unsafe_marker: str = UNSAFE_MARKER
    faults: Faults = Faults()
    leeway: float = LEEWAY
    max_tasks: int = attrs.field(default=10_000, validator=attrs.validators.ge(1))
    # Room for a 10 MB image in Base64 and the rest of a request.
    max_body_bytes: int = 16 * 1024 * 1024
    # Where video URLs point; None: the address the request came to.
    public_url: str | None = None
    callback_timeout: float = 5.0

    @property
    def secrets(self) -> dict[str, str]:
        return {k.access_key: k.secret_key for k in self.keys}
