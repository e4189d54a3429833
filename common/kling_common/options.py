"""What both emulators' command lines check the same way."""

from __future__ import annotations

import math

import click


def finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A click callback: a number option must be finite (FloatRange lets inf through)."""
    if not math.isfinite(value):
        raise click.BadParameter("must be a finite number")
    return value
