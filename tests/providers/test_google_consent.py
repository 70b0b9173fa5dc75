"""`nurture auth` against the fake's consent page and token endpoint, with the real
InstalledAppFlow: refresh tokens, unticked boxes, the console flow, a browser that never
comes back. The rep's browser is tests/kits/fakegoogle/browser.py."""

from __future__ import annotations

import json
import threading
import webbrowser
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import google_auth_httplib2
import httplib2
import pytest
from google.oauth2.credentials import Credentials

from agent.errors import UserError
from agent.providers.google.auth import SCOPES, authorize, load_credentials
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.fakegoogle.browser import BAD_PORTS, Browser, consent, visit
from tests.kits.googleworld import StubFlow, credentials, oauth_flow_fixture  # noqa: F401

CALENDAR = "https://www.googleapis.com/auth/calendar.events"


@pytest.fixture
def fake(fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> FakeGoogle:
    # The fake speaks http; oauthlib insists on https unless told this is a test.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return fake_google


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    opened = Browser()
    monkeypatch.setattr(webbrowser, "get", lambda *args, **kw: opened)
    return opened


def saved(token: Path) -> dict[str, Any]:
    return dict(json.loads(token.read_text()))


def test_a_second_auth_still_gets_a_refresh_token(
    fake: FakeGoogle, browser: Browser, tmp_path: Path
) -> None:
    # The account consented to this client before: Google sends a refresh token again only
    # when the app asks for consent (prompt=consent).
    fake.oauth.consented_before = True
    token = tmp_path / "google-token.json"
    authorize(fake.client_secrets(tmp_path / "client.json"), token, timeout=20)
    assert browser.errors == []
    [asked] = fake.oauth.consents
    assert asked["prompt"] == "consent" and asked["access_type"] == "offline"
    assert saved(token)["refresh_token"].startswith("1//")
    assert sorted(saved(token)["scopes"]) == sorted(SCOPES)


def test_a_token_without_a_refresh_token_is_not_saved(oauth_flow: StubFlow, tmp_path: Path) -> None:
    oauth_flow.credentials = Credentials(token="access-only", scopes=list(SCOPES))
    token = tmp_path / "google-token.json"
    with pytest.raises(UserError, match="no refresh token") as caught:
        authorize(tmp_path / "client_secret.json", token)
    assert "myaccount.google.com/permissions" in caught.value.hint
    assert not token.exists()
    assert oauth_flow.asked["prompt"] == "consent"  # the browser flow asks for it too


def test_an_unticked_box_is_named_and_nothing_is_saved(
    fake: FakeGoogle, browser: Browser, tmp_path: Path
) -> None:
    fake.oauth.untick(CALENDAR)
    token = tmp_path / "google-token.json"
    with pytest.raises(UserError) as caught:
        authorize(fake.client_secrets(tmp_path / "client.json"), token, timeout=20)
    text = str(caught.value)
    assert "View and edit events on all your calendars" in text and "calendar.events" in text
    assert "tick every box" in text and not token.exists()


def test_a_grant_that_lost_a_scope_is_refused_when_loading(
    fake: FakeGoogle, tmp_path: Path
) -> None:
    # A token saved by an older nurture: it lists every scope, but the grant behind its
    # refresh token lacks one (the box was unticked). Google's refresh answer says so.
    refresh = fake.oauth.grant(tuple(s for s in SCOPES if s != CALENDAR))
    old = Credentials(
        token="expired",
        refresh_token=refresh,
        token_uri=fake.token_uri,
        client_id="c",
        client_secret="s",
        scopes=list(SCOPES),
        expiry=datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1),
    )
    token = tmp_path / "google-token.json"
    token.write_text(old.to_json())
    transport = google_auth_httplib2.Request(httplib2.Http(timeout=10))

    def request(url: str, *args: Any, **kw: Any) -> Any:
        # A saved token always refreshes at Google's endpoint (google-auth overrides the
        # token_uri it was saved with): here, the fake plays it.
        return transport(url.replace("https://oauth2.googleapis.com/token", fake.token_uri),
                         *args, **kw)  # fmt: skip

    with pytest.raises(UserError, match="View and edit events on all your calendars"):
        load_credentials(token, request)
    assert fake.oauth.refreshes == 1


def test_a_saved_token_lacking_a_scope_names_it(tmp_path: Path) -> None:
    token = tmp_path / "google-token.json"
    token.write_text(credentials(scopes=SCOPES[:3]).to_json())
    with pytest.raises(UserError, match="View your availability in your calendars"):
        load_credentials(token)


# --- the console flow ---------------------------------------------------------------------


def console(fake: FakeGoogle, tmp_path: Path, paste: Any) -> Path:
    token = tmp_path / "google-token.json"
    authorize(fake.client_secrets(tmp_path / "client.json"), token, ask=paste)
    return token


def test_the_console_flow_lands_on_a_port_the_browser_loads(
    fake: FakeGoogle, tmp_path: Path
) -> None:
    shown: list[str] = []

    def paste(url: str) -> str:
        location = visit(url)  # raises BlockedPort on a port browsers refuse (1 was one)
        shown.append(location)
        return location

    token = console(fake, tmp_path, paste)
    target = urlsplit(shown[0])
    assert target.hostname == "127.0.0.1" and target.port not in BAD_PORTS
    assert saved(token)["refresh_token"]


def test_the_console_flow_refuses_an_address_from_another_run(
    fake: FakeGoogle, tmp_path: Path
) -> None:
    def paste(url: str) -> str:
        return consent(url).replace("state=", "state=stale")

    with pytest.raises(UserError, match="another `nurture auth`"):
        console(fake, tmp_path, paste)
    assert not (tmp_path / "google-token.json").exists()


def test_the_console_flow_takes_a_bare_code_even_percent_encoded(
    fake: FakeGoogle, tmp_path: Path
) -> None:
    def paste(url: str) -> str:
        code = dict(p.split("=", 1) for p in urlsplit(consent(url)).query.split("&"))["code"]
        return " " + quote(code.replace("%2F", "/"), safe="") + "\n"  # "4%2F..." as copied

    assert saved(console(fake, tmp_path, paste))["refresh_token"]


def test_a_browser_that_never_comes_back_ends_in_a_sentence(
    fake: FakeGoogle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class Closed:  # the rep closed the tab: nothing ever reaches the local server
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            return True

    monkeypatch.setattr(webbrowser, "get", lambda *args, **kw: Closed())
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            authorize(fake.client_secrets(tmp_path / "c.json"), tmp_path / "t.json", timeout=0.5)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert outcome, "nurture auth waited for the browser forever"
    assert isinstance(outcome[0], UserError) and "did not come back" in str(outcome[0])
