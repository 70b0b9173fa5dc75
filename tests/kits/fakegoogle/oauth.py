"""Google's OAuth token endpoint (``POST <base>token``), for refreshing an access token.

A test points a token's ``token_uri`` at ``fake.base_url + "token"``; google-auth then
refreshes against the fake with Google's wire format: a form body
(``grant_type=refresh_token&refresh_token=...``) answered by ``{"access_token",
"expires_in", "scope", "token_type"}``, or, once ``revoke()`` was called (the rep revoked
access, or a "Testing" app's refresh token reached its 7 days), by 400 ``invalid_grant``.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qs

from .transport import Outcome

TOKEN_PATH = "token"
_JSON = "application/json; charset=utf-8"


class TokenEndpoint:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.revoked = False
        self.refreshes = 0  # refresh requests seen, granted or not

    def revoke(self) -> None:
        """Every refresh token is refused from now on (``invalid_grant``)."""
        with self.lock:
            self.revoked = True

    def serve(self, http_method: str, body: bytes) -> Outcome:
        form = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
        with self.lock:
            self.refreshes += 1
            count, revoked = self.refreshes, self.revoked
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
        granted = {"access_token": f"fake-access-{count}", "expires_in": 3599}
        granted["token_type"] = "Bearer"
        if form.get("scope"):
            granted["scope"] = form["scope"]
        return _answer(200, granted)


def _answer(status: int, payload: dict[str, object]) -> Outcome:
    return Outcome(status, _JSON, json.dumps(payload).encode())
