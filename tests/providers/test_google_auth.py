"""OAuth: the token file, refresh, and sentences instead of tracebacks. No network."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials

from agent.app import book
from agent.errors import UserError
from agent.providers.google import auth
from agent.providers.google.auth import SCOPES, authorize, load_credentials, needs_token
from agent.providers.google.calls import Calls
from agent.providers.google.client import build_apis, make_http
from agent.providers.google.provider import GoogleProvider
from agent.providers.registry import connect
from agent.store.db import Store
from tests.conftest import NOW, make_config
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import StubFlow, credentials, google_config, oauth_flow_fixture  # noqa: F401


def test_the_token_is_saved_atomically_for_the_owner_only(
    oauth_flow: StubFlow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[tuple[Path, int | None]] = []
    real = auth.write_atomically

    def spy(path: Path, data: bytes, *, mode: int | None = None) -> None:
        writes.append((path, mode))
        real(path, data, mode=mode)

    monkeypatch.setattr(auth, "write_atomically", spy)
    token = tmp_path / "home" / "google-token.json"
    authorize(tmp_path / "client_secret.json", token)
    assert writes == [(token, 0o600)]
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert json.loads(token.read_text())["refresh_token"] == "refresh-1"
    assert load_credentials(token).token == "access-1"


def test_the_console_flow_takes_the_pasted_address(oauth_flow: StubFlow, tmp_path: Path) -> None:
    shown: list[str] = []

    def ask(url: str) -> str:
        shown.append(url)
        return f"{oauth_flow.redirect_uri}?state=state&code=4/0AbC-d&scope=x"

    authorize(tmp_path / "client_secret.json", tmp_path / "t.json", ask=ask)
    assert oauth_flow.codes == ["4/0AbC-d"] and shown[0].startswith("https://accounts.example/auth")
    assert oauth_flow.redirect_uri.startswith("http://127.0.0.1:")


def test_missing_client_secrets_say_where_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Desktop app"):
        authorize(tmp_path / "nope.json", tmp_path / "t.json")


def test_no_token_yet_says_run_auth(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="nurture auth"):
        load_credentials(tmp_path / "google-token.json")


def test_an_expired_token_is_refreshed_and_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "t.json"
    token.write_text(credentials(expired=True).to_json())

    def refresh(self: Credentials, request: Any) -> None:
        self.token = "access-2"
        self.expiry = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)

    monkeypatch.setattr(Credentials, "refresh", refresh)
    assert load_credentials(token, request=object()).token == "access-2"
    assert json.loads(token.read_text())["token"] == "access-2"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600


def test_a_refused_refresh_says_run_auth_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "t.json"
    token.write_text(credentials(expired=True).to_json())

    def refuse(self: Credentials, request: Any) -> None:
        raise RefreshError("invalid_grant: Token has been expired or revoked.", {})

    monkeypatch.setattr(Credentials, "refresh", refuse)
    with pytest.raises(UserError) as caught:
        load_credentials(token, request=object())
    text = str(caught.value)
    assert "nurture auth" in text and "7 days" in text and "expired or revoked" in text
    assert "refresh-1" not in text and "secret" not in text


def test_a_token_missing_a_scope_needs_a_new_consent(tmp_path: Path) -> None:
    token = tmp_path / "t.json"
    token.write_text(credentials(scopes=SCOPES[:1]).to_json())
    with pytest.raises(UserError, match="nurture auth"):
        load_credentials(token)


def test_only_google_itself_needs_a_token() -> None:
    assert needs_token(None) and needs_token("https://mirror.example/")
    assert not needs_token("http://127.0.0.1:8080/") and not needs_token("http://localhost/")


def test_a_loopback_endpoint_works_without_a_token(fake_google: FakeGoogle) -> None:
    provider = GoogleProvider.from_config(google_config(fake_google), home=None)
    assert provider.pull({}, book.interest_for(google_config(fake_google), NOW)).cursor


def test_google_without_a_token_says_run_auth(tmp_path: Path) -> None:
    config = make_config(provider="google")
    with pytest.raises(UserError, match="nurture auth"):
        connect(config, tmp_path)


def test_a_token_refused_during_a_sync_says_run_auth(
    fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Credentials, request: Any) -> None:
        raise RefreshError("invalid_grant: Token has been expired or revoked.", {})

    monkeypatch.setattr(Credentials, "refresh", refuse)
    config = google_config(fake_google)
    expired = credentials(expired=True)
    gmail, calendar = build_apis(
        fake_google.base_url, lambda: make_http(expired), gmail_units_per_minute=15000
    )
    provider = GoogleProvider(gmail, calendar, config, Calls(sleep=lambda s: None))
    with pytest.raises(UserError, match="nurture auth"):
        book.sync(config, Store(Path("x"), {}), provider, NOW)
