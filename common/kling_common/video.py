"""The video a finished task points at: a real MP4 (H.264, 160x90, 5 s, 11 KB), small enough
to ship, playable by any player, so downloads and a gateway's streaming route work end to end."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

MEDIA_TYPE = "video/mp4"


@cache
def sample_mp4() -> bytes:
    return files(__package__).joinpath("sample.mp4").read_bytes()
