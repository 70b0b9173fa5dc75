"""The web app's WSGI core: who may ask (token, Host, CSRF), which page answers, and the
error boundary (a UserError becomes a page that says what to do, never a traceback).

Security, for an app that can send mail in the rep's name:
* a random access token, given once in the URL `nurture ui` prints; the first visit trades
  it for an HttpOnly, SameSite=Strict cookie and drops it from the address bar;
* every request without it is refused (401), whatever the path, static files too;
* a Host header other than ``127.0.0.1:PORT`` or ``localhost:PORT`` is refused (403): a
  page on another site cannot reach the app through DNS rebinding;
* every POST carries a CSRF token (tied to the access token) and, when the browser sends
  one, an Origin of this app; otherwise 403;
* the server listens on 127.0.0.1 only (``agent.web.server``); pages say no-store, frame
  nothing from elsewhere and run no script but the app's own.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.security import safe_join
from werkzeug.wrappers import Request, Response

from agent.app.context import Context
from agent.errors import StoreBusyError, UserError
from agent.render.web import render_page

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
# The digest is an email: inline styles, no scripts; only the app's own pages may frame it.
DIGEST_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

Handler = Callable[["WebApp", Request, Context], Response]
ROUTE = "nurture.route"  # environ key: the values the route matched (an account's name...)


def arg(request: Request, name: str) -> str:
    """A value from the page's address, e.g. the account name in /account/<name>."""
    return str(request.environ[ROUTE][name])


@dataclass
class WebApp:
    """One running app: its access token, its port and how to make a fresh Context."""

    context: Callable[[], Context]  # config path, home and *now*, fresh per request
    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    routes: dict[str, Handler] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # one-time messages after a POST
    kept: dict[str, Any] = field(default_factory=dict)  # e.g. an import waiting to be confirmed
    # One request at a time reads or writes the store; the Google consent runs outside it.
    lock: threading.Lock = field(default_factory=threading.Lock)

    _map: Map | None = None

    def route(self, path: str, name: str, handler: Handler, methods: Iterable[str]) -> None:
        self.rules.append(Rule(path, endpoint=name, methods=list(methods)))
        self.routes[name] = handler
        self._map = None

    @property
    def cookie(self) -> str:
        return f"nurture_{self.port}"

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    # --- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self._answer(request)
        _harden(response)
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        if request.host not in {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}:
            return self._refuse(
                403, "This address is not nurture's.", "open the address `nurture ui` printed"
            )
        if not self._has_token(request):
            if hmac.compare_digest(request.args.get("token", ""), self.token):
                return self._enter(request)
            return self._refuse(
                401,
                "This page needs the access key from `nurture ui`.",
                "open the whole address `nurture ui` printed (with its ?token=...)",
            )
        if request.method == "POST" and not self._same_site_form(request):
            return self._refuse(403, "This form is out of date.", "reload the page and try again")
        if request.path == "/favicon.ico":
            return Response(status=204)
        if request.path.startswith("/static/"):
            found = _static(request.path.removeprefix("/static/"))
            return found or self._refuse(404, "There is no such file.", "go back to the board")
        return self._dispatch(request)

    def _has_token(self, request: Request) -> bool:
        return hmac.compare_digest(request.cookies.get(self.cookie, ""), self.token)

    def _enter(self, request: Request) -> Response:
        rest = {k: v for k, v in request.args.items() if k != "token"}
        target = request.path + (f"?{urlencode(rest)}" if rest else "")
        response = redirect(target)
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        return response

    def _same_site_form(self, request: Request) -> bool:
        origin = request.headers.get("Origin")
        if origin and origin not in {
            f"http://127.0.0.1:{self.port}",
            f"http://localhost:{self.port}",
        }:
            return False
        return hmac.compare_digest(request.form.get("csrf", ""), self.csrf)

    def _dispatch(self, request: Request) -> Response:
        if self._map is None:
            self._map = Map(self.rules, strict_slashes=False)
        adapter = self._map.bind_to_environ(request.environ)
        try:
            name, values = adapter.match()
            with self.lock:
                context = self.context()
                request.environ[ROUTE] = values
                return self.routes[str(name)](self, request, context)
        except HTTPException as error:
            if error.code == 404:
                return self._refuse(404, "There is no such page.", "go back to the board")
            return error.get_response()
        except StoreBusyError as error:
            return self._refuse(503, error.message, "wait a few seconds and reload the page")
        except UserError as error:
            return self._refuse(400, error.message, error.hint)
        except Exception:
            log.exception("the page %s failed", request.path)
            return self._refuse(
                500,
                "Something went wrong on nurture's side.",
                "reload the page; if it happens again, nurture's terminal has the details",
            )

    # --- pages ----------------------------------------------------------------------------

    def page(self, name: str, request: Request, status: int = 200, **values: Any) -> Response:
        note = self.notes.pop(request.args.get("note", ""), "")
        html = render_page(name, {"csrf": self.csrf, "path": request.path, "note": note, **values})
        return Response(html, status=status, content_type="text/html; charset=utf-8")

    def done(self, target: str, note: str) -> Response:
        """After a POST: back to a page that shows ``note`` once (post/redirect/get)."""
        key = secrets.token_hex(6)
        self.notes[key] = note
        where, hash_, fragment = target.partition("#")
        joiner = "&" if "?" in where else "?"
        return redirect(f"{where}{joiner}note={key}{hash_}{fragment}")

    def _refuse(self, status: int, message: str, hint: str) -> Response:
        html = render_page(
            "problem",
            {
                "status": status,
                "message": message,
                "hint": hint,
                "csrf": "",
                "path": "",
                "note": "",
            },
        )
        return Response(html, status=status, content_type="text/html; charset=utf-8")


def redirect(target: str) -> Response:
    return Response("", status=303, headers={"Location": target})


def _static(name: str) -> Response | None:
    found = safe_join(str(STATIC), name)
    if found is None or not Path(found).is_file():
        return None
    kind = {"css": "text/css", "js": "text/javascript", "png": "image/png"}.get(
        name.rpartition(".")[2], "application/octet-stream"
    )
    return Response(
        Path(found).read_bytes(),
        content_type=f"{kind}; charset=utf-8" if kind.startswith("text") else kind,
    )


def _harden(response: Response) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", PAGE_CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on a POST
    headers["Referrer-Policy"] = "same-origin"
    headers["Cache-Control"] = "no-store"
    headers.setdefault("X-Frame-Options", "DENY")
