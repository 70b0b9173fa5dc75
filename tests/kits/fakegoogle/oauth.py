"""Google's OAuth endpoints for an installed app: the consent page and the token endpoint.

* ``GET <base>o/oauth2/auth?...`` is the consent page, answered the way the browser ends
  it: a 302 to the app's loopback ``redirect_uri`` with ``code``, ``state`` and the granted
  ``scope``. What the rep does on the page is set on the fake: ``untick(scope)`` leaves a
  box unticked (granular consent, since 2024: the grant lacks that scope).
* ``POST <base>token`` exchanges the code (``grant_type=authorization_code``, checking the
  redirect URI and the PKCE verifier) or refreshes (``grant_type=refresh_token``).

What Google does that a fake easily misses (google-auth-library-python-oauthlib #348): a
refresh token comes with the code only at the first consent of an account to a client, or
when the app asked ``prompt=consent``; a second ``nurture auth`` without it gets an access
token alone, which expires within the hour. ``consented_before`` starts True once a code
was exchanged; a test may set it. A refresh answers with the scopes the grant holds, and
after ``revoke()`` (the rep revoked access, or a "Testing" app's refresh token reached its
7 days) with 400 ``invalid_grant``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from .transport import Outcome

TOKEN_PATH = "token"
AUTH_PATH = "o/oauth2/auth"
PATHS = frozenset({TOKEN_PATH, AUTH_PATH})
_JSON = "application/json; charset=utf-8"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    refresh: bool  # whether the exchange hands out a refresh token
    challenge: str  # PKCE code_challenge (S256), "" when none was sent


class TokenEndpoint:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.revoked = False
        self.refreshes = 0  # refresh requests seen, granted or not
        self.consented_before = False  # the account already granted this client once
        self.unticked: set[str] = set()  # boxes the rep leaves unticked on the consent page
        self.consents: list[dict[str, str]] = []  # the query of every consent page shown
        self._codes: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, tuple[str, ...]] = {}

    def revoke(self) -> None:
        """Every refresh token is refused from now on (``invalid_grant``)."""
        with self.lock:
            self.revoked = True

    def grant(self, scopes: tuple[str, ...]) -> str:
        """A refresh token of an earlier consent that granted ``scopes``."""
        with self.lock:
            refresh = "1//" + secrets.token_urlsafe(24)
            self._refresh_tokens[refresh] = scopes
            return refresh

    def untick(self, *scopes: str) -> None:
        """The rep unticks these boxes on the next consent pages."""
        with self.lock:
            self.unticked.update(scopes)

    def serve(self, http_method: str, path: str, query: str, body: bytes) -> Outcome:
        if path == AUTH_PATH:
            return self._consent(http_method, query)
        form = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
        if http_method == "POST" and form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        with self.lock:
            self.refreshes += 1
            count, revoked = self.refreshes, self.revoked
            granted_scopes = self._refresh_tokens.get(form.get("refresh_token", ""))
        if http_method != "POST" or form.get("grant_type") != "refresh_token":
            return _answer(400, {"error": "unsupported_grant_type"})
        if revoked or not form.get("refresh_token"):
            return _answer(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
            )
        granted: dict[str, object] = {"access_token": f"fake-access-{count}", "expires_in": 3599}
        granted["token_type"] = "Bearer"
        if granted_scopes is not None:  # Google answers with what the grant holds
            granted["scope"] = " ".join(granted_scopes)
        elif form.get("scope"):
            granted["scope"] = form["scope"]
        return _answer(200, granted)

    # --- the consent page -------------------------------------------------------------

    def _consent(self, http_method: str, query: str) -> Outcome:
        asked = {k: v[0] for k, v in parse_qs(query).items()}
        redirect = asked.get("redirect_uri", "")
        target = urlsplit(redirect)
        if http_method != "GET" or asked.get("response_type") != "code":
            return _page(400, "Error 400: invalid_request (response_type must be code)")
        if target.scheme != "http" or target.hostname not in _LOOPBACK or not target.port:
            # Desktop clients may only redirect to a loopback address with a port.
            return _page(400, f"Error 400: redirect_uri_mismatch ({redirect})")
        with self.lock:
            self.consents.append(asked)
            requested = tuple(asked.get("scope", "").split())
            scopes = tuple(s for s in requested if s not in self.unticked)
            fresh = not self.consented_before or "consent" in asked.get("prompt", "").split()
            code = "4/" + secrets.token_urlsafe(24)
            self._codes[code] = Grant(
                asked.get("client_id", ""),
                redirect,
                scopes,
                refresh=fresh and asked.get("access_type") == "offline",
                challenge=asked.get("code_challenge", ""),
            )
        back = {"state": asked.get("state", ""), "code": code, "scope": " ".join(scopes)}
        if "state" not in asked:
            del back["state"]
        return Outcome(302, "text/html", b"", headers={"Location": f"{redirect}?{urlencode(back)}"})

    def _exchange(self, form: dict[str, str]) -> Outcome:
        with self.lock:
            grant = self._codes.pop(form.get("code", ""), None)
            if grant is None or grant.redirect_uri != form.get("redirect_uri"):
                return _answer(400, {"error": "invalid_grant", "error_description": "Bad code."})
            if grant.challenge and _s256(form.get("code_verifier", "")) != grant.challenge:
                return _answer(
                    400, {"error": "invalid_grant", "error_description": "Bad code verifier."}
                )
            self.consented_before = True
            token: dict[str, object] = {
                "access_token": "fake-access-" + secrets.token_urlsafe(8),
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": " ".join(grant.scopes),
            }
            if grant.refresh:
                refresh = "1//" + secrets.token_urlsafe(24)
                self._refresh_tokens[refresh] = grant.scopes
                token["refresh_token"] = refresh
        return _answer(200, token)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _answer(status: int, payload: dict[str, object]) -> Outcome:
    return Outcome(status, _JSON, json.dumps(payload).encode())


def _page(status: int, text: str) -> Outcome:
    return Outcome(status, "text/html; charset=utf-8", text.encode())
