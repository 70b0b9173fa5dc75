"""The transport: a threaded HTTP/1.1 server on 127.0.0.1 that hands each request to the fake
and can misbehave on purpose (drop the connection, truncate the answer)."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol


@dataclass
class Outcome:
    status: int
    content_type: str
    body: bytes
    fate: str = "ok"  # "ok" | "drop" | "truncate" | "cut"
    headers: dict[str, str] = field(default_factory=dict)


class Serving(Protocol):
    def serve(
        self, http_method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Outcome: ...


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: Serving) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def track(self, connection: socket.socket, alive: bool) -> None:
        with self._connections_lock:
            (self._connections.add if alive else self._connections.discard)(connection)

    def close_connections(self) -> None:
        """Hang up on idle keep-alive clients so their handler threads end with the server."""
        with self._connections_lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections.clear()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timeouts, dropped tests) is not an error worth printing."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end on their own
    server: LoopbackServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK
        # add ~40 ms to every round trip.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, alive=True)

    def finish(self) -> None:
        self.server.track(self.connection, alive=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read fake.calls instead."""

    def _close_hard(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        outcome = self.server.fake.serve(self.command, self.path, headers, body)
        if outcome.fate == "drop":
            self._close_hard()
            return
        self.send_response(outcome.status)
        self.send_header("Content-Type", outcome.content_type)
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        if outcome.fate == "cut":
            # No length, "Connection: close": the body ends where the connection does, so
            # the client gets a cut body (mid-JSON, mid-part) that looks complete.
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(outcome.body[: len(outcome.body) // 2])
            self.wfile.flush()
            self._close_hard()
            return
        if outcome.fate == "truncate":
            # Promise more than we send, then hang up: the client sees IncompleteRead.
            self.send_header("Content-Length", str(len(outcome.body) + 1024))
            self.end_headers()
            self.wfile.write(outcome.body[: len(outcome.body) // 2])
            self.wfile.flush()
            self._close_hard()
            return
        self.send_header("Content-Length", str(len(outcome.body)))
        self.end_headers()
        if outcome.body:
            self.wfile.write(outcome.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
