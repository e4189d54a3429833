"""`kling-emulator`: run the emulated gateway."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import click

from kling_common.auth import KeyPair
from kling_common.families import FAMILIES, parse_families
from kling_common.generation import Generation
from kling_common.options import finite
from kling_common.serving import serve_forever

from .app import create_app
from .config import (
    FAULT_KINDS,
    EmulatorConfig,
    Faults,
    Lifecycle,
    Refresh,
)
from .kling_stage import KlingUpstream
from .protocol import KEEP_ALIVE_SECONDS, GatewayHttpProtocol


def _pairs(values: tuple[str, ...], what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key or not rest:
            raise click.BadParameter(f"expected {what}, got {value!r}")
        pairs.append((key, rest))
    return pairs


def _state(config: EmulatorConfig, token: str) -> str:
    """What a default token stands for, for the start banner."""
    if token in config.exhausted_tokens:
        return ", quota used up: 401"
    if token in config.model_limits:
        return f", limited to {', '.join(sorted(config.model_limits[token]))}"
    if token in config.broke_tokens:
        return ", balance used up: 403 on submit"
    if token in config.low_quota_tokens:
        return ", too little quota for a task: 403 on submit"
    return ""


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option(
    "--token",
    "tokens",
    multiple=True,
    metavar="TOKEN=USER",
    help="A token and the user id it belongs to (repeatable); no '-' after sk-, as on a real gateway. Default: sk-emulatoruser1=1, sk-emulatoruser2=2, plus sk-emulatorexhausted (quota used up: 401), sk-emulatorlimited (only kling-v1-6: 403) and sk-emulatorlowquota (too little left for a task: 403 on submit) for user 1, and sk-emulatorbroke (user 3, whose balance is used up: 403 on submit).",
)
@click.option(
    "--banned-token", multiple=True, help="A token whose user is banned (403)."
)
@click.option(
    "--broke-token",
    multiple=True,
    help="A token whose user's balance is used up (403 insufficient_user_quota on submit).",
)
@click.option(
    "--low-quota-token",
    multiple=True,
    help="A token with too little quota left for a task (403 pre_consume_token_quota_failed on submit).",
)
@click.option(
    "--generation", type=click.Choice(["A", "B", "C"]), default="B", show_default=True
)
@click.option(
    "--families",
    default=",".join(FAMILIES),
    show_default=True,
    help="Route families to serve; the others answer as not a route (a gateway that "
    "serves only the Kling routes: --families kling).",
)
@click.option(
    "--lifecycle",
    type=click.FloatRange(min=0.001),
    callback=finite,
    default=Lifecycle().total,
    show_default=True,
    help="Seconds from submit to a final status (0.3 for tests, 90 is realistic).",
)
@click.option(
    "--refresh-period",
    type=click.FloatRange(min=0.001),
    callback=finite,
    default=Refresh().period,
    show_default=True,
    help="Seconds between the gateway's refresh passes at real speed (scaled with --lifecycle).",
)
@click.option(
    "--channels",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Kling channels tasks are spread over; a pass refreshes one task per second per channel.",
)
@click.option(
    "--refresh-skip-share",
    type=click.FloatRange(0, 1),
    callback=finite,
    default=0.5,
    show_default=True,
    help="Share of passes due one period after the last that start a tick later, as upstream's scheduler check makes them (0: every 15 s).",
)
@click.option(
    "--smooth-clock",
    is_flag=True,
    help="Show each task's state as of the moment it is asked for, instead of as the last refresh pass wrote it.",
)
@click.option(
    "--failure-rate",
    type=click.FloatRange(0, 1),
    callback=finite,
    default=0.0,
    show_default=True,
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="KIND=RATE",
    help=f"Inject a fault into a share of requests; KIND is one of {', '.join(FAULT_KINDS)}.",
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    callback=finite,
    default=0.0,
    help="Seconds added to every answer.",
)
@click.option(
    "--retry-after",
    type=click.IntRange(min=0),
    default=None,
    help="Send Retry-After with injected 429s, as a proxy in front of a gateway may (the gateway itself never does).",
)
@click.option(
    "--max-tasks", type=click.IntRange(min=1), default=10_000, show_default=True
)
@click.option(
    "--seed/--no-seed",
    "seed_tasks",
    default=True,
    help="Create one task per status for every user.",
)
@click.option(
    "--kling-url",
    help="Forward submits and polls to this Kling API (kling-upstream, or any Kling base URL) instead of modelling Kling in-process.",
)
@click.option(
    "--kling-key",
    envvar="KLING_CHANNEL_KEY",
    help="The Kling channel's key, ACCESS_KEY|SECRET_KEY (or KLING_CHANNEL_KEY, kept out of the process list); needs --kling-url.",
)
@click.option(
    "--ids-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the seeded task ids here as JSON.",
)
def main(
    host: str,
    port: int,
    tokens: tuple[str, ...],
    banned_token: tuple[str, ...],
    broke_token: tuple[str, ...],
    low_quota_token: tuple[str, ...],
    generation: str,
    families: str,
    lifecycle: float,
    refresh_period: float,
    channels: int,
    refresh_skip_share: float,
    smooth_clock: bool,
    failure_rate: float,
    faults: tuple[str, ...],
    latency: float,
    retry_after: int | None,
    max_tasks: int,
    seed_tasks: bool,
    kling_url: str | None,
    kling_key: str | None,
    ids_file: Path | None,
) -> None:
    """An emulated new-api gateway serving the Kling video task routes, in memory."""
    try:
        users = {token: int(user) for token, user in _pairs(tokens, "TOKEN=USER")}
    except ValueError as exc:
        raise click.BadParameter(
            "USER must be a whole number", param_hint="--token"
        ) from exc
    try:
        rates = {kind: float(rate) for kind, rate in _pairs(faults, "KIND=RATE")}
        injected = Faults(latency=latency, rates=rates, retry_after=retry_after)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fault") from exc
    kling = None
    if (kling_url is None) != (kling_key is None):
        raise click.UsageError("--kling-url and --kling-key go together")
    if kling_url is not None and kling_key is not None:
        if smooth_clock:
            raise click.UsageError(
                "a real Kling stage is polled by refresh passes: no --smooth-clock"
            )
        try:
            kling = KlingUpstream(kling_url, KeyPair.parse(kling_key))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--kling-key") from None
    try:
        served = frozenset(parse_families(families))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--families") from None
    config = EmulatorConfig(
        generation=Generation(generation),
        families=served,
        lifecycle=Lifecycle.scaled(lifecycle),
        refresh=None
        if smooth_clock
        else Refresh(
            period=refresh_period, channels=channels, skip_share=refresh_skip_share
        ),
        failure_rate=failure_rate,
        max_tasks=max_tasks,
        seed_tasks=seed_tasks,
        banned_tokens=frozenset(banned_token),
        faults=injected,
        kling=kling,
    )
    # Given on the command line, these replace the default tokens in those states.
    if broke_token:
        config = attrs.evolve(config, broke_tokens=frozenset(broke_token))
    if low_quota_token:
        config = attrs.evolve(config, low_quota_tokens=frozenset(low_quota_token))
    if users:
        try:
            config = attrs.evolve(config, tokens=users)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--token") from exc
    app = create_app(config)
    if users:
        click.echo(f"tokens: {len(users)} given with --token")
    else:
        click.echo(
            "tokens: "
            + ", ".join(
                f"{token} (user {user}{_state(config, token)})"
                for token, user in config.tokens.items()
            )
        )
    seeded = {str(user): ids for user, ids in app.state.gateway.seeded.items()}
    if seeded:
        click.echo("seeded tasks (user -> status -> task id):")
        click.echo(json.dumps(seeded, indent=2))
        if ids_file is not None:
            ids_file.write_text(json.dumps(seeded, indent=2) + "\n")
    click.echo(
        f"generation {generation}, families {','.join(f for f in FAMILIES if f in served)}, "
        f"lifecycle {lifecycle:g}s, "
        + (
            "smooth clock"
            if config.refresh is None
            else f"refresh every {refresh_period * config.lifecycle.scale:g}s over {channels} channel(s)"
        )
        + (f", Kling at {kling_url}" if kling_url else ", Kling modelled")
        + f", users {sorted(set(config.tokens.values()))}"
    )
    serve_forever(
        app,
        host,
        port,
        log_level="info",
        http=GatewayHttpProtocol,
        date_header=False,  # the app sends a precise one, as the gateway does
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


if __name__ == "__main__":
    main()
