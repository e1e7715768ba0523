"""A round-robin HTTP load balancer on loopback, in front of several server instances.

Each request goes to the next instance in turn (no stickiness), with an ``X-Forwarded-For``
header naming the client, as a load balancer does; it counts the requests each instance
got, by method and path. Unlike :mod:`tests.support.fault_proxy` (an httpx transport inside
the device), this is a real HTTP server: the devices are given its address and know nothing
of the instances behind it.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

#: Headers about one connection, never passed on (RFC 9110 section 7.6.1).
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


class RoundRobinBalancer:
    """Forwards each request to the next backend; ``hits[backend]`` counts what each got."""

    def __init__(self, backends: Sequence[str]) -> None:
        self.backends = list(backends)
        self.hits: Counter[str] = Counter()
        #: What each backend got, as (backend, "METHOD /path") pairs.
        self.requests: Counter[tuple[str, str]] = Counter()
        #: The client address put in X-Forwarded-For (None: the connection's own).
        self.forwarded_for: str | None = None
        self._turns = itertools.cycle(self.backends)
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=120)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _next(self, method: str, path: str) -> str:
        with self._lock:
            backend = next(self._turns)
            self.hits[backend] += 1
            self.requests[(backend, f"{method} {path.partition('?')[0]}")] += 1
            return backend

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["X-Forwarded-For"] = self.forwarded_for or handler.client_address[0]
        backend = self._next(handler.command, handler.path)
        try:
            answer = self._client.request(
                handler.command, backend + handler.path, headers=headers, content=body
            )
        except httpx.HTTPError:
            handler.send_error(502)
            return
        handler.send_response(answer.status_code)
        for key, value in answer.headers.multi_items():
            if key.lower() not in _HOP_BY_HOP:
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(answer.content)))
        handler.end_headers()
        handler.wfile.write(answer.content)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        forward = self._forward

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                forward(self)

            def do_POST(self) -> None:
                forward(self)

            def do_PUT(self) -> None:
                forward(self)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test reads the counts instead."""

        return Handler

    def start(self) -> RoundRobinBalancer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()


@contextmanager
def balancing(backends: Sequence[str]) -> Iterator[RoundRobinBalancer]:
    """A running balancer over ``backends``, stopped at the end."""
    balancer = RoundRobinBalancer(backends).start()
    try:
        yield balancer
    finally:
        balancer.stop()
