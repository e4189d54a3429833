"""What the gateway answers for what is not a route: gin's trailing-slash redirects, NoRoute's
dashboard page or JSON 404, gzip on the web router, and the web rate limit that counts them."""

from __future__ import annotations

import gzip
import html
import time
from collections import deque
from collections.abc import Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from .responses import GinJSON

# What the gateway's dashboard answers for everything that is not a route (a stand-in for
# its index page).
INDEX_PAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
    b'<title>New API</title></head><body><div id="root"></div></body></html>'
)
# The web router's Cache-Version (middleware/cache.go at e2c7aa7).
CACHE_VERSION = "b688f2fb5be447c25e5aa3bd063087a83db32a288bf6a4f35f2d8db310e40b14"
# NoRoute answers JSON only under these prefixes of the request URI.
API_PREFIXES = ("/v1", "/api", "/assets")
# The web rate limit keeps a window per client address; this many at most.
MAX_LIMITED_ADDRESSES = 10_000


class WebRateLimit:
    """GlobalWebRateLimit's in-memory sliding window (common/rate-limit.go): a request is
    let through while fewer than `limit` were let through in the window; refused ones are
    not counted."""

    def __init__(
        self, limit: int, window: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit, self.window = limit, window
        self.clock = clock
        self._hits: dict[str, deque[int]] = {}

    def retry_after(self, request: Request) -> int | None:
        """The window's length (its Retry-After) when the request is refused, else None."""
        address = request.client.host if request.client else ""
        hits = self._hits.get(address)
        if hits is None:
            if len(self._hits) >= MAX_LIMITED_ADDRESSES:
                self._hits.pop(next(iter(self._hits)))
            hits = self._hits[address] = deque(maxlen=self.limit)
        now = int(self.clock())
        if len(hits) == self.limit and now - hits[0] < self.window:
            return self.window
        hits.append(now)
        return None


def trailing_slash_redirect(request: Request) -> Response | None:
    """gin.New() keeps RedirectTrailingSlash on: a path that is a route of the same method
    without its trailing slash is redirected there, 301 for GET and 307 otherwise, with Go's
    http.Redirect body. (Starlette's own version strips every trailing slash and redirects
    whatever the method, so it is switched off in create_app.)"""
    path = request.url.path
    if path == "/" or not path.endswith("/"):
        return None
    stripped = path[:-1]
    # gin's tree (getValue, v1.9.1) lets the last parameter be empty when it looks for this
    # redirect: GET .../image2video// goes to .../image2video/, which is no route either.
    probe = stripped + "_" if stripped.endswith("/") else stripped
    scope = {**request.scope, "path": probe}
    if not any(route.matches(scope)[0] == Match.FULL for route in request.app.routes):
        return None
    # Escaped as Go's URL.EscapedPath does: a header carries no raw non-ASCII.
    location = quote(stripped, safe="/:@!$&'()*+,;=~")
    location += f"?{request.url.query}" if request.url.query else ""
    if request.method == "GET":
        return Response(
            f'<a href="{html.escape(location)}">Moved Permanently</a>.\n\n',
            status_code=301,
            media_type="text/html; charset=utf-8",
            headers={"Location": location},
        )
    return Response(status_code=307, headers={"Location": location})


def not_a_route(request: Request) -> Response:
    """gin's NoRoute in the gateway (router/web-router.go): no 404 or 405 for the task routes.
    Only API prefixes get a JSON 404 (without a request id in the message); everything else,
    other methods on the task routes included, gets the dashboard's page with 200. The web
    router's middleware marks both (middleware/cache.go) and gzips them."""
    if request.url.path.startswith(API_PREFIXES):
        body = {
            "error": {
                "message": f"Invalid URL ({request.method} {request.url.path})",
                "type": "invalid_request_error",
                "param": "",
                "code": "",
            }
        }
        answer: Response = GinJSON(
            body, status_code=404, headers={"Cache-Control": "max-age=604800"}
        )
    else:
        answer = Response(
            INDEX_PAGE,
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )
    answer.headers["Cache-Version"] = CACHE_VERSION
    return gzipped(request, answer)


def gzipped(request: Request, answer: Response) -> Response:
    """gin-contrib/gzip on the web router: every answer gzipped for a client that takes it,
    an empty one too."""
    if "gzip" not in request.headers.get("accept-encoding", ""):
        return answer
    answer.body = gzip.compress(answer.body, mtime=0)
    answer.headers["Content-Length"] = str(len(answer.body))
    answer.headers["Content-Encoding"] = "gzip"
    answer.headers["Vary"] = "Accept-Encoding"
    return answer
