"""Serving the web app on 127.0.0.1 only: the server, its thread, the URL with the token.

Werkzeug's threaded server (one thread per request; the app itself takes one request at a
time into the store). Its request log is silenced: the first request's URL carries the
access token, and nothing secret goes to a log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from agent.app.context import Context
from agent.errors import UserError
from agent.web import pages, setup
from agent.web.app import WebApp

HOST = "127.0.0.1"
log = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("%s %s %s", self.command, self.path.partition("?")[0], code)

    def log(self, type: str, message: str, *args: object) -> None:
        if type == "error":
            log.warning("web: %s", (message % args).partition("?")[0])


@dataclass
class Served:
    app: WebApp
    server: BaseWSGIServer
    serving: bool = False

    @property
    def url(self) -> str:
        return self.app.url()

    def serve_forever(self) -> None:
        self.serving = True
        self.server.serve_forever(poll_interval=0.2)

    def in_background(self) -> threading.Thread:
        self.serving = True  # before the thread runs: stop() must wait for its loop
        thread = threading.Thread(target=self.serve_forever, name="nurture-ui", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        if self.serving:  # shutdown() waits for a serve_forever loop: never one not started
            self.server.shutdown()
        self.server.server_close()


def build(context: Callable[[], Context], port: int) -> WebApp:
    app = WebApp(context, port)
    pages.register(app)
    setup.register(app)
    return app


def start(context: Callable[[], Context], port: int = 0) -> Served:
    """Bind 127.0.0.1:``port`` (0: any free port) and return the app, not yet serving."""
    app = build(context, port)
    try:
        server = make_server(HOST, port, app, threaded=True, request_handler=_QuietHandler)
    except OSError as error:
        raise UserError(
            f"cannot listen on {HOST}:{port} ({error.strerror or error})",
            "choose another port with --port, or stop what uses it",
        ) from None
    app.port = server.server_port
    return Served(app, server)
