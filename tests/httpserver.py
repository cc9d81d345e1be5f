"""A real HTTP server on 127.0.0.1 for tests: canned replies per path, with fault injection.

    from tests.httpserver import FixtureServer, Reply

    with FixtureServer() as server:                         # binds 127.0.0.1 on a free port
        server.route("/v1/boards/acme/jobs", Reply.json({"jobs": []}))
        server.route("/flaky", [Reply(status=500), Reply.json([1])])    # a sequence: the last reply repeats
        server.route("/echo", lambda req: Reply.text(req.query.get("q", "")))
        url = server.url("/flaky")                          # "http://127.0.0.1:PORT/flaky"
        ...
        server.hits("/flaky")                               # how many requests that path received
        server.requests                                     # every Request seen, in order

Paths are matched exactly, without the query string; an unrouted path answers 404 (so robots.txt is
"absent" unless routed). A `Reply` can be delayed (`delay_s`), sent chunked without Content-Length
(`chunked=True`), gzip-compressed (`Reply.gzip(...)`), or redirect (`Reply.redirect(...)`).
The server runs in a daemon thread, answers HTTP/1.1 with keep-alive, and shuts itself down after
`max_lifetime_s` even if a test forgets to stop it.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True, slots=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    """First value of each query parameter."""
    headers: dict[str, str]
    """Header names in lower case."""
    target: str
    """The raw request target (path and query)."""


@dataclass(slots=True)
class Reply:
    """A canned response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Seconds to wait before sending the status line (a slow server)."""
    chunked: bool = False
    """Send with Transfer-Encoding: chunked and no Content-Length."""

    @classmethod
    def json(cls, obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        """A JSON reply."""
        return cls(status, json.dumps(obj).encode(), {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def text(cls, text: str, content_type: str = "text/plain; charset=utf-8", status: int = 200) -> Reply:
        """A text reply."""
        return cls(status, text.encode(), {"Content-Type": content_type})

    @classmethod
    def html(cls, html: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        """An HTML reply."""
        return cls(status, html.encode(), {"Content-Type": "text/html; charset=utf-8", **(headers or {})})

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        """A redirect to `location` (absolute or relative)."""
        return cls(status, b"", {"Location": location})

    @classmethod
    def gzip(cls, raw: bytes, content_type: str = "application/json") -> Reply:
        """`raw` sent gzip-compressed with Content-Encoding: gzip."""
        return cls(200, gzip.compress(raw), {"Content-Type": content_type, "Content-Encoding": "gzip"})


Responder = Reply | Sequence[Reply] | Callable[[Request], Reply]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        """Answer a GET from the routing table."""
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        request = Request(
            "GET", split.path, query, {k.lower(): v for k, v in self.headers.items()}, self.path
        )
        reply = self.server.owner._reply_for(request)
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        if reply.delay_s > 0:
            time.sleep(reply.delay_s)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            step = 65536
            for i in range(0, len(reply.body), step):
                piece = reply.body[i : i + step]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: FixtureServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up early (timeouts, size caps): that is what the tests provoke."""


class FixtureServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 serving canned replies; use it as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, max_lifetime_s: float = 120.0) -> None:
        if not host.startswith("127."):
            raise ValueError("FixtureServer binds loopback addresses only")
        self._routes: dict[str, Responder] = {}
        self._counters: dict[str, int] = {}
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01})
        self._thread.daemon = True
        self._timer = threading.Timer(max_lifetime_s, self.stop)
        self._timer.daemon = True
        self._stopped = False

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` without a trailing slash."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + path

    def route(self, path: str, responder: Responder) -> None:
        """Serve `responder` at `path`: a Reply, a sequence of Replies (last repeats), or a callable."""
        with self._lock:
            self._routes[path] = responder
            self._counters[path] = 0

    def hits(self, path: str) -> int:
        """How many requests `path` received."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def start(self) -> Self:
        """Start serving in a background thread."""
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _reply_for(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            responder = self._routes.get(request.path)
            if responder is None:
                return Reply(404, b"not found", {"Content-Type": "text/plain"})
            if isinstance(responder, Reply):
                return responder
            if callable(responder):
                return responder(request)
            index = min(self._counters[request.path], len(responder) - 1)
            self._counters[request.path] += 1
            return responder[index]
