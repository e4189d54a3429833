"""`kling-upstream`: serve the Kling stand-in."""

from __future__ import annotations

from pathlib import Path

import click

from kling_common.auth import LEEWAY, KeyPair
from kling_common.options import finite
from kling_common.params import UNSAFE_MARKER
from kling_common.serving import check_loopback, serve_forever
from kling_common.wire import KlingLifecycle

from .app import create_app
from .config import DEFAULT_KEYS, FAULT_CODES, Faults, UpstreamConfig


def _rates(values: tuple[str, ...]) -> dict[int, float]:
    rates = {}
    for value in values:
        code, sep, rate = value.partition("=")
        try:
            if not sep:
                raise ValueError
            rates[int(code)] = float(rate)
        except ValueError:
            raise click.BadParameter(
                f"expected CODE=RATE, got {value!r}", param_hint="--fault"
            ) from None
    return rates


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="127.0.0.1 or ::1."
)
@click.option("--port", default=8090, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--access-key",
    "access_keys",
    multiple=True,
    envvar="KLING_UPSTREAM_ACCESS_KEY",
    help=(
        "An access key (repeatable, each with its --secret-key). Default: "
        f"{DEFAULT_KEYS[0].access_key}, with the public test secret key "
        f"{DEFAULT_KEYS[0].secret_key}."
    ),
)
@click.option(
    "--secret-key",
    "secret_keys",
    multiple=True,
    envvar="KLING_UPSTREAM_SECRET_KEY",
    help="The secret key of the access key in the same place (or KLING_UPSTREAM_SECRET_KEY, kept out of the process list).",
)
@click.option(
    "--lifecycle",
    type=click.FloatRange(min=0.001),
    callback=finite,
    default=KlingLifecycle().total,
    show_default=True,
    help="Seconds from create to succeed or failed (a third submitted, then processing).",
)
@click.option(
    "--failure-rate",
    type=click.FloatRange(0, 1),
    callback=finite,
    default=0.0,
    show_default=True,
    help='Share of tasks that end failed (a prompt with "[fail]" always does).',
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="CODE=RATE",
    help=f"Answer a share of authenticated requests with a Kling error; CODE is one of {', '.join(map(str, FAULT_CODES))}.",
)
@click.option(
    "--unsafe-marker",
    default=UNSAFE_MARKER,
    show_default=True,
    help='A prompt containing it is refused for content safety (1301); "" for never.',
)
@click.option(
    "--leeway",
    type=click.FloatRange(min=0),
    callback=finite,
    default=LEEWAY,
    show_default=True,
    help="Seconds of clock skew allowed on a token's exp and nbf.",
)
@click.option(
    "--max-tasks", type=click.IntRange(min=1), default=10_000, show_default=True
)
@click.option(
    "--public-url",
    help="Base of the video URLs in task answers (default: the address each create came to).",
)
@click.option(
    "--certfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve HTTPS with this certificate (PEM), with --keyfile.",
)
@click.option(
    "--keyfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The certificate's private key (PEM).",
)
def main(
    host: str,
    port: int,
    access_keys: tuple[str, ...],
    secret_keys: tuple[str, ...],
    lifecycle: float,
    failure_rate: float,
    faults: tuple[str, ...],
    unsafe_marker: str,
    leeway: float,
    max_tasks: int,
    public_url: str | None,
    certfile: Path | None,
    keyfile: Path | None,
) -> None:
    """A stand-in for Kling's own video API, for a gateway's Kling channel to call."""
    try:
        check_loopback(host)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--host") from None
    if len(access_keys) != len(secret_keys):
        raise click.UsageError("give each --access-key its --secret-key")
    if (certfile is None) != (keyfile is None):
        raise click.UsageError("HTTPS needs both --certfile and --keyfile")
    try:
        config = UpstreamConfig(
            keys=tuple(map(KeyPair, access_keys, secret_keys)) or DEFAULT_KEYS,
            lifecycle=KlingLifecycle.scaled(lifecycle),
            failure_rate=failure_rate,
            unsafe_marker=unsafe_marker,
            faults=Faults(rates=_rates(faults)),
            leeway=leeway,
            max_tasks=max_tasks,
            public_url=public_url,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    scheme = "https" if certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    # The default pair is public (a test key, in this help and the README): a channel needs
    # both halves, so it is shown whole. A secret key of the user's is never shown.
    channel_key = (
        f"key {DEFAULT_KEYS[0].access_key}|{DEFAULT_KEYS[0].secret_key}"
        if config.keys == DEFAULT_KEYS
        else "key ACCESS_KEY|SECRET_KEY"
    )
    click.echo(
        f"Kling stand-in on {scheme}://{shown}:{port}, lifecycle {lifecycle:g}s, "
        f"access keys {', '.join(k.access_key for k in config.keys)} "
        f"(a gateway's Kling channel: this base URL, {channel_key})"
    )
    serve_forever(
        create_app(config),
        host,
        port,
        log_level="info",
        certfile=certfile,
        keyfile=keyfile,
    )


if __name__ == "__main__":
    main()
