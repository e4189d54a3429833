"""The two ways the gateway writes JSON, and so the two content types a client sees.

gin's `c.JSON` (every error, a submit's answer, the host's own routes) says
`application/json; charset=utf-8`. A task query's 200 is Kling's stored answer written as
bytes (`RelayTaskFetch`: `c.Data` with `application/json`), and generation C's plugin
answers keep that type too: those stay plain `JSONResponse`.
"""

from __future__ import annotations

from starlette.responses import JSONResponse


class GinJSON(JSONResponse):
    """An answer gin renders with `c.JSON`: compact, UTF-8 as is, and its charset named."""

    media_type = "application/json; charset=utf-8"
