"""`nurture auth` and `nurture sync` with `provider: google`, through the real entry point."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from agent.cli.main import cli, main
from agent.demo.workspace import TZ, write_demo
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import StubFlow, oauth_flow_fixture, seed_calendar, seed_mail  # noqa: F401

DEMO_ME = "riley@northwind-analytics.com"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def google_yaml(demo: Path, endpoint: str) -> Path:
    text = (demo / "config.yaml").read_text()
    google = f"provider: google\ngoogle: {{endpoint: '{endpoint}', calendars: [primary]}}"
    path = demo / "google.yaml"
    path.write_text(text.replace("provider: local", google))
    return path


def test_sync_through_google_gives_the_local_board(tmp_path: Path, capsys) -> None:
    write_demo(tmp_path, NOW)
    local = ["--config", str(tmp_path / "config.yaml"), "--home", str(tmp_path / "local")]
    assert run(capsys, *local, "sync")[0] == 0
    expected = json.loads(run(capsys, *local, "board", "--json")[1])
    with FakeGoogle(email=DEMO_ME, now=NOW) as fake:
        seed_mail(fake, tmp_path / "mail.mbox")
        seed_calendar(fake, tmp_path / "calendar.ics", ZoneInfo(TZ), NOW)
        google = ["--config", str(google_yaml(tmp_path, fake.base_url))]
        google += ["--home", str(tmp_path / "google")]
        code, out, err = run(capsys, *google, "sync")
        assert code == 0, err
        assert "touches with 9 of 10 accounts" in out
        assert json.loads(run(capsys, *google, "board", "--json")[1]) == expected
        fake.reset_counters()
        code, out, _ = run(capsys, *google, "sync")
        assert code == 0 and "(0 new messages" in out
        assert sorted(fake.requests) == [
            ("calendar", "calendar.events.list"),
            ("gmail", "gmail.users.history.list"),
        ]
        fake.assert_no_violations()


def test_auth_is_not_needed_for_a_loopback_endpoint(tmp_path: Path, capsys) -> None:
    write_demo(tmp_path, NOW)
    config = google_yaml(tmp_path, "http://127.0.0.1:9/")
    code, out, _ = run(capsys, "--config", str(config), "auth")
    assert code == 0 and "no token needed" in out


def auth_on_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeGoogle, me: str
) -> str:
    """`nurture auth --console` whose API calls (the account check) reach the fake."""
    from agent.providers.google import auth

    monkeypatch.setattr(auth, "needs_token", lambda endpoint: True)  # as if it were Google
    (tmp_path / "config.yaml").write_text(
        f"me: [{me}]\nprovider: google\n"
        f"google: {{client_secrets: client_secret.json, endpoint: '{fake.base_url}'}}\n"
    )
    home = tmp_path / "home"
    args = ["--config", str(tmp_path / "config.yaml"), "--home", str(home), "auth", "--console"]
    result = CliRunner().invoke(cli, args, input="http://127.0.0.1:8/?code=4/xyz&state=state\n")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((home / "google-token.json").stat().st_mode) == 0o600
    return result.output


def test_auth_on_the_console_saves_the_token(
    oauth_flow: StubFlow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_google: FakeGoogle
) -> None:
    output = auth_on_the_console(tmp_path, monkeypatch, fake_google, fake_google.email)
    assert "Open this link" in output and f"Connected to Google as {fake_google.email}" in output
    assert oauth_flow.codes == ["4/xyz"] and "warning" not in output


def test_auth_says_when_the_account_is_not_one_of_me(
    oauth_flow: StubFlow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_google: FakeGoogle
) -> None:
    output = auth_on_the_console(tmp_path, monkeypatch, fake_google, "rep@seller.com")
    assert "warning" in output and fake_google.email in output and "rep@seller.com" in output


def test_sync_without_a_token_says_run_auth(tmp_path: Path, capsys) -> None:
    (tmp_path / "config.yaml").write_text("me: [rep@seller.com]\nprovider: google\n")
    code, _, err = run(capsys, "--config", str(tmp_path / "config.yaml"), "sync")
    assert code == 1 and "nurture auth" in err and "Traceback" not in err
