"""OAuth for an installed app: `nurture auth` gets a token once, every sync reuses it.

The token (a refresh token plus a short-lived access token) is saved as JSON in the state
dir with mode 0600, written atomically, and refreshed when it has expired. It is saved
only when it can refresh and holds every scope (``consent``); its ``scopes`` are the ones
Google granted, so loading it checks what the rep really ticked. A refresh that Google
refuses (revoked access, changed password, or the 7-day limit of apps left in "Testing")
becomes a :class:`UserError` that says to run `nurture auth` again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials

from agent.atomic import private_folder, write_atomically
from agent.errors import UserError
from agent.providers.google.consent import (
    CONSENT,
    TICK_EVERY_BOX,
    loopback_redirect,
    missing,
    pasted_code,
    permission_names,
    refuse_partial_grant,
    refuse_without_refresh_token,
    relaxed_scope,
)

log = logging.getLogger(__name__)

# The fewest scopes that do the job; README.md ("Using Gmail and Google Calendar") says why
# each is needed. gmail.metadata must never be added: with it, Gmail refuses `q` (403).
SCOPES = (
    "https://www.googleapis.com/auth/gmail.readonly",  # list/search mail, read its headers
    "https://www.googleapis.com/auth/gmail.compose",  # drafts; the digest sent to yourself
    "https://www.googleapis.com/auth/calendar.events",  # meetings; nurture's own blocks
    "https://www.googleapis.com/auth/calendar.freebusy",  # busy time of other calendars
)
TOKEN_FILE = "google-token.json"
REAUTH_HINT = (
    "run `nurture auth` to connect again (apps left in 'Testing' on the Google Cloud "
    "consent screen get refresh tokens that expire after 7 days)"
)
# How long `nurture auth` waits for the browser to come back from the consent page.
BROWSER_TIMEOUT = 300.0

_CREDENTIALS: Any = Credentials  # google-auth leaves its constructors unannotated
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

Ask = Callable[[str], str]  # shows the consent URL, returns what the rep pasted


def needs_token(endpoint: str | None) -> bool:
    """Google needs OAuth; a compatible server on this machine (the tests' fake) does not."""
    return endpoint is None or (urlsplit(endpoint).hostname or "") not in _LOOPBACK


def token_path(home: Path) -> Path:
    return home / TOKEN_FILE


def authorize(
    client_secrets: Path,
    token_file: Path,
    *,
    ask: Ask | None = None,
    timeout: float = BROWSER_TIMEOUT,
) -> Credentials:
    """Run the consent flow and save the token; ``ask`` selects the console variant."""
    from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError

    if not client_secrets.is_file():
        raise UserError(
            f"no OAuth client secrets at {client_secrets}",
            "create a 'Desktop app' OAuth client in the Google Cloud console, download its "
            "JSON and set google.client_secrets in the config to its path",
        )
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=SCOPES)
    except ValueError as error:
        raise UserError(
            f"{client_secrets} is not an OAuth client secrets file: {error}",
            "download the JSON of a 'Desktop app' client from the Google Cloud console",
        ) from None
    credentials: Any
    with relaxed_scope():  # a box left unticked is named below, not a bare Warning
        if ask is not None:
            credentials = _console_flow(flow, ask)
        else:
            try:
                credentials = flow.run_local_server(
                    host="127.0.0.1", port=0, timeout_seconds=timeout, **CONSENT
                )
            except WSGITimeoutError:
                raise UserError(
                    f"the browser did not come back from Google's consent page within "
                    f"{timeout:.0f} s",
                    "run `nurture auth` again (or `nurture auth --console` when the browser "
                    "is on another machine)",
                ) from None
    refuse_partial_grant(SCOPES, credentials.granted_scopes)
    refuse_without_refresh_token(credentials.refresh_token)
    save_credentials(credentials, token_file)
    return cast(Credentials, credentials)


def _console_flow(flow: Any, ask: Ask) -> Credentials:
    flow.redirect_uri = loopback_redirect()
    url, state = flow.authorization_url(**CONSENT)
    code = pasted_code(ask(url), state)
    try:
        flow.fetch_token(code=code)
    except Exception as error:  # oauthlib raises a zoo of errors for a bad or stale code
        raise UserError(f"Google refused the code: {error}", "run `nurture auth` again") from None
    return cast(Credentials, flow.credentials)


def save_credentials(credentials: Credentials, token_file: Path) -> None:
    private_folder(token_file.parent)
    untyped: Any = credentials  # google-auth leaves these methods unannotated
    data = json.loads(untyped.to_json())
    if untyped.granted_scopes:  # what Google granted, not what was asked: loading checks it
        data["scopes"] = list(untyped.granted_scopes)
    write_atomically(token_file, json.dumps(data).encode(), mode=0o600)
    log.info("saved the Google token to %s", token_file)


def load_credentials(token_file: Path, request: Any = None) -> Credentials:
    """The saved token, refreshed (and saved again) when it has expired.

    ``request`` is the google-auth transport used to refresh (default: httplib2).
    """
    try:
        info = json.loads(token_file.read_text())
        credentials = _CREDENTIALS.from_authorized_user_info(info)
    except FileNotFoundError:
        raise UserError("nurture is not connected to Google yet", "run `nurture auth`") from None
    except (OSError, ValueError) as error:
        raise UserError(f"cannot read {token_file}: {error}", REAUTH_HINT) from None
    _refuse_missing(SCOPES, credentials.scopes)
    if not credentials.valid:
        refresh(credentials, request)
        _refuse_missing(SCOPES, credentials.granted_scopes)  # what Google says it holds
        save_credentials(credentials, token_file)
    return cast(Credentials, credentials)


def _refuse_missing(wanted: tuple[str, ...], granted: Any) -> None:
    lacking = missing(wanted, granted)
    if lacking:
        raise UserError(f"the saved Google token lacks {permission_names(lacking)}", TICK_EVERY_BOX)


def refresh(credentials: Credentials, request: Any = None) -> None:
    if request is None:
        import google_auth_httplib2
        import httplib2

        request = google_auth_httplib2.Request(httplib2.Http(timeout=30))
    untyped: Any = credentials
    try:
        untyped.refresh(request)
    except RefreshError as error:
        raise reconnect_error(error) from None
    except TransportError as error:
        raise UserError(
            f"cannot reach Google to refresh the token: {error}",
            "check the network connection and try again",
        ) from None


def reconnect_error(error: Exception) -> UserError:
    """What a refused refresh means to the rep (the reason text never holds the token)."""
    return UserError(f"Google refused the saved token ({_reason(error)})", REAUTH_HINT)


def _reason(error: Exception) -> str:
    args = getattr(error, "args", ())
    return (str(args[0]) if args else type(error).__name__)[:120]
