"""What Google's consent page can give back, checked before a token is saved.

* Since 2024 the consent page has one box per permission and the rep may untick some
  (granular consent). oauthlib then raises a bare ``Warning("Scope has changed ...")``;
  the exchange runs with ``OAUTHLIB_RELAX_TOKEN_SCOPE`` instead and the granted scopes are
  checked here, so a missing box becomes a sentence that names it.
* Google hands out a refresh token only at the first consent or with ``prompt=consent``
  (google-auth-library-python-oauthlib #348). nurture always asks for consent, and still
  refuses a token without one: it would stop working within the hour.
* The console flow (no browser on this machine) redirects to ``http://127.0.0.1:<a free
  port>/``, where nothing listens: the browser shows an error page whose address holds the
  code. Port 1 was used before, but browsers refuse to load it at all (ERR_UNSAFE_PORT).
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

from agent.errors import UserError

# Each scope as the consent page words its box, so the rep can find the one unticked.
PERMISSIONS = {
    "https://www.googleapis.com/auth/gmail.readonly": "View your email messages and settings",
    "https://www.googleapis.com/auth/gmail.compose": "Manage drafts and send emails",
    "https://www.googleapis.com/auth/calendar.events": "View and edit events on all your calendars",
    "https://www.googleapis.com/auth/calendar.freebusy": "View your availability in your calendars",
}
TICK_EVERY_BOX = (
    "run `nurture auth` again and tick every box on Google's consent page: nurture needs "
    "all four permissions"
)
CONSENT = {"prompt": "consent", "access_type": "offline"}  # ask every time: a refresh token


def permission_names(scopes: Iterable[str]) -> str:
    """'View and edit events on all your calendars' (calendar.events), ... for a sentence."""
    return ", ".join(
        f"'{PERMISSIONS.get(scope, scope)}' ({scope.rpartition('/')[2]})" for scope in scopes
    )


def missing(wanted: Iterable[str], granted: Iterable[str] | None) -> list[str]:
    """The wanted scopes a grant lacks; a grant that names none is taken as complete."""
    if granted is None:
        return []
    have = set(granted)
    return [scope for scope in wanted if scope not in have]


def refuse_partial_grant(wanted: Iterable[str], granted: Iterable[str] | None) -> None:
    lacking = missing(wanted, granted)
    if lacking:
        raise UserError(
            f"Google did not give nurture {permission_names(lacking)}: that box was left "
            "unticked on the consent page",
            TICK_EVERY_BOX,
        )


def refuse_without_refresh_token(refresh_token: str | None) -> None:
    if not refresh_token:
        raise UserError(
            "Google sent no refresh token, so the connection would stop within the hour; "
            "nothing was saved",
            "open https://myaccount.google.com/permissions, remove nurture's access, then "
            "run `nurture auth` again",
        )


@contextlib.contextmanager
def relaxed_scope() -> Iterator[None]:
    """Let oauthlib accept a grant with fewer scopes than asked; the caller checks them."""
    before = os.environ.get("OAUTHLIB_RELAX_TOKEN_SCOPE")
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)
        else:
            os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = before


def loopback_redirect() -> str:
    """``http://127.0.0.1:<port>/`` with a port free right now (Desktop clients may
    redirect to any loopback port; nothing needs to listen there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def pasted_code(pasted: str, state: str) -> str:
    """The code in what the rep pasted: the whole address (its ``state`` must be the one
    this run sent), its query, or the bare code (percent-escapes undone)."""
    text = pasted.strip()
    if "code=" not in text and "error=" not in text:
        if not text:
            raise UserError("nothing was pasted", "run `nurture auth --console` again")
        return unquote(text)
    query = parse_qs(urlsplit(text).query or text.partition("?")[2] or text)
    if "error" in query:
        raise UserError(
            f"Google answered {query['error'][0]}: access was not given",
            TICK_EVERY_BOX,
        )
    if query.get("state", [state])[0] != state:
        raise UserError(
            "that address comes from another `nurture auth` (its state does not match)",
            "paste the address the browser shows after opening the link this run printed",
        )
    codes = query.get("code")
    if not codes:
        raise UserError("the pasted address holds no code", "run `nurture auth --console` again")
    return codes[0]
