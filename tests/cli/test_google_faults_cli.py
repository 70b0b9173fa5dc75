"""Google faults as the rep meets them: `nurture sync` against the fake, and tokens.

Every failing run must end in a sentence that says what to do, exit code 1, no traceback,
and the state file exactly as it was; the next run catches up.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.app import book
from agent.cli.main import main
from agent.errors import UserError
from agent.providers.google import provider as google_provider_module
from agent.providers.google.calls import Calls
from agent.providers.google.client import build_apis, make_http
from agent.providers.google.provider import GoogleProvider
from agent.store.db import STATE_FILE, Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import credentials, google_config

MAIL = 12


@pytest.fixture
def fake(fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> FakeGoogle:
    fake_google.now = NOW
    for n in range(MAIL):
        fake_google.add_message(from_=f"c{n}@acme.com", date=NOW - timedelta(hours=n + 1))
    # The CLI's provider backs off for real; here its waits are recorded, not slept.
    monkeypatch.setattr(google_provider_module, "Calls", lambda: Calls(sleep=lambda seconds: None))
    return fake_google


class Rep:
    """The rep at a terminal: a config on the fake and a state folder."""

    def __init__(self, fake: FakeGoogle, tmp_path: Path, capsys: Any) -> None:
        self.capsys = capsys
        self.home = tmp_path / "home"
        self.config = tmp_path / "config.yaml"
        self.config.write_text(
            f"me: [{fake.email}]\nprovider: google\ntimezone: UTC\n"
            f"google: {{endpoint: '{fake.base_url}', calendars: [primary]}}\n"
            "accounts:\n  - {name: Acme, domains: [acme.com], tier: dream, stage: cold}\n"
        )

    def sync(self) -> tuple[int, str, str]:
        args = ["--now", NOW.isoformat(), "--config", str(self.config), "--home", str(self.home)]
        with pytest.raises(SystemExit) as done:
            main([*args, "sync"])
        out, err = self.capsys.readouterr()
        return int(done.value.code or 0), out, err

    def state(self) -> bytes:
        path = self.home / STATE_FILE
        return path.read_bytes() if path.exists() else b""

    def fails(self, *words: str) -> str:
        """Run a sync that must fail cleanly and leave the state file untouched."""
        before = self.state()
        code, out, err = self.sync()
        assert code == 1 and "Traceback" not in out + err and err.startswith("error: ")
        for word in words:
            assert word in err
        assert self.state() == before
        return err


@pytest.fixture
def rep(fake: FakeGoogle, tmp_path: Path, capsys: Any) -> Rep:
    return Rep(fake, tmp_path, capsys)


@pytest.mark.parametrize(
    ("fault", "match", "words"),
    [
        (429, "history.list", ["slow down", "10 minutes", "run the command again"]),
        (503, "events.list", ["503", "run the command again"]),
        (500, "messages.get", ["kept failing", "run the command again"]),
        ("cut", "history.list", ["cut or garbled", "network connection"]),
        ("cut", "messages.get", ["kept failing", "run the command again"]),
        ("truncate", "getProfile", ["no usable answer", "run the command again"]),
    ],
)
def test_a_lasting_fault_says_try_again_and_the_next_run_catches_up(
    rep: Rep, fake: FakeGoogle, fault: Any, match: str, words: list[str]
) -> None:
    first = match in ("messages.get", "getProfile")  # faults of the first sync
    if not first:
        assert rep.sync()[0] == 0
        fake.add_message(from_="late@acme.com", date=NOW - timedelta(minutes=5))
    fake.inject(fault, count=10_000, match=match)
    rep.fails(*words)
    fake.clear_faults()
    code, out, _ = rep.sync()
    expected = f"({MAIL} new messages" if first else "(1 new message,"
    assert code == 0 and expected in out


def test_missing_permission_says_run_nurture_auth(
    fake: FakeGoogle, tmp_path: Path, capsys: Any
) -> None:
    fake.inject(403, count=10_000, match="messages.list", reason="insufficientPermissions")
    Rep(fake, tmp_path, capsys).fails("insufficientPermissions", "nurture auth")
    assert fake.count("messages.list") == 1  # not retried


def test_a_401_from_the_api_says_run_nurture_auth(
    fake: FakeGoogle, tmp_path: Path, capsys: Any
) -> None:
    fake.inject(401, count=10_000, match="getProfile")
    Rep(fake, tmp_path, capsys).fails("nurture auth", "7 days")


def test_a_revoked_refresh_token_says_run_nurture_auth(
    fake: FakeGoogle, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real path: a saved token whose access token expired, refreshed over the wire
    at the token endpoint (here the fake's), which answers 400 invalid_grant."""
    import google.oauth2.credentials as google_credentials

    monkeypatch.setattr(google_provider_module, "needs_token", lambda endpoint: True)
    # A saved token's token_uri is ignored on load: Google's endpoint, always.
    monkeypatch.setattr(google_credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", fake.token_uri)
    rep = Rep(fake, tmp_path, capsys)
    rep.home.mkdir()
    (rep.home / "google-token.json").write_text(credentials(expired=True).to_json())
    fake.revoke_refresh_tokens()
    err = rep.fails("nurture auth", "7 days", "expired or revoked")
    assert "refresh-1" not in err and "secret" not in err and fake.oauth.refreshes == 1


# --- tokens through GoogleProvider: refreshed on a 401, refused when revoked -------------


def authorized(fake: FakeGoogle, config: Any, *, expired: bool = False) -> GoogleProvider:
    """A provider that sends a real OAuth token, refreshed at the fake's token endpoint."""
    token = credentials(expired=expired)
    token._token_uri = fake.token_uri  # google-auth keeps it private
    gmail, calendar = build_apis(
        fake.base_url, lambda: make_http(token, 5.0), gmail_units_per_minute=15000
    )
    return GoogleProvider(gmail, calendar, config, Calls(sleep=lambda s: None))


@pytest.mark.parametrize("match", ["getProfile", "messages.get"])
def test_a_401_refreshes_the_token_once_and_the_sync_goes_on(fake: FakeGoogle, match: str) -> None:
    config = google_config(fake)
    fake.inject(401, match=match)
    store = Store(Path("x"), {})
    book.sync(config, store, authorized(fake, config), NOW)
    assert len(store.messages()) == MAIL and fake.oauth.refreshes == 1


@pytest.mark.parametrize("where", ["getProfile", "messages.get", "refresh"])
def test_a_revoked_token_met_mid_sync_says_run_nurture_auth(fake: FakeGoogle, where: str) -> None:
    config = google_config(fake)
    fake.revoke_refresh_tokens()
    if where != "refresh":
        fake.inject(401, count=10_000, match=where)
    store = Store(Path("x"), {})
    with pytest.raises(UserError) as caught:
        book.sync(config, store, authorized(fake, config, expired=where == "refresh"), NOW)
    text = str(caught.value)
    assert "nurture auth" in text and "7 days" in text and "expired or revoked" in text
    assert "refresh-1" not in text and store.get_meta("cursor:google") is None
