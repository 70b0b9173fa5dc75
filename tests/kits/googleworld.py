"""Seeding the fake Google from the local provider's inputs, so both read the same world.

An mbox becomes Gmail messages byte for byte. An .ics file becomes Calendar events: each
occurrence the local reader expands becomes one Google event, and a recurring series'
occurrences become instances (``recurringEventId`` + ``originalStartTime``, ids like
``<series>_20261001T140000Z``), the way ``events.list(singleEvents=True)`` shows them.
"""

from __future__ import annotations

import base64
import hashlib
import mailbox
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from google.oauth2.credentials import Credentials

from agent.config.schema import Config
from agent.model import Meeting, Response
from agent.providers.google.auth import SCOPES
from agent.providers.google.calls import Calls
from agent.providers.google.client import build_apis, make_http
from agent.providers.google.provider import GoogleProvider
from agent.providers.local.calendar import load_meetings
from tests.conftest import make_config
from tests.kits.fakegoogle import FakeGoogle

_OCCURRENCE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$")
_RESPONSES = {
    Response.ACCEPTED: "accepted",
    Response.TENTATIVE: "tentative",
    Response.DECLINED: "declined",
    Response.NEEDS_ACTION: "needsAction",
}


def google_config(fake: FakeGoogle, **overrides: Any) -> Config:
    """The tests' usual config, as the fake's user, reading Google through the fake."""
    domain = fake.email.rpartition("@")[2]
    settings: dict[str, Any] = {
        "me": [fake.email],
        "internal_domains": [domain],
        "provider": "google",
        "google": {"endpoint": fake.base_url},
    }
    settings.update(overrides)
    return make_config(**settings)


def google_provider(
    fake: FakeGoogle,
    config: Config,
    *,
    sleeps: list[float] | None = None,
    timeout: float = 10.0,
    window: float | None = None,
    journal: Path | None = None,
) -> GoogleProvider:
    """A provider on the fake whose waits are recorded in ``sleeps`` instead of slept
    (unless ``window`` is given: then pacing over that many seconds really waits);
    ``journal``: where a first sync keeps its progress."""
    record = sleeps if sleeps is not None else []

    def sleep(seconds: float) -> None:
        record.append(seconds)
        if window is not None:
            time.sleep(seconds)

    calls = Calls(sleep=sleep)
    gmail, calendar = build_apis(
        fake.base_url,
        lambda: make_http(None, timeout),
        gmail_units_per_minute=config.google.quota_units_per_minute,
        sleep=sleep,
    )
    if window is not None:
        gmail.pacer.window = calendar.pacer.window = window
    extra = {} if journal is None else {"journal": journal}
    return GoogleProvider(gmail, calendar, config, calls, **extra)


def seed_mail(fake: FakeGoogle, mbox: Path) -> list[str]:
    """Every message of the mbox, as delivered (or sent) mail; returns the Gmail ids."""
    box = mailbox.mbox(mbox, create=False)
    try:
        return [fake.add_message(box.get_bytes(key)) for key in box.iterkeys()]
    finally:
        box.close()


def seed_calendar(
    fake: FakeGoogle, ics: Path, tz: ZoneInfo, now: datetime, calendar: str = "primary"
) -> list[str]:
    """Every occurrence in the .ics around ``now`` as a Google event; returns their ids."""
    meetings = load_meetings(
        ics, start=now - timedelta(days=800), end=now + timedelta(days=400), tz=tz
    )
    ids = []
    for meeting in meetings:
        stored = fake.add_event(google_event(meeting), calendar)
        if meeting.cancelled:
            fake.cancel_event(stored["id"], calendar)
        ids.append(str(stored["id"]))
    return ids


def series_id(uid: str) -> str:
    """A base32hex event id for a series, derived from its UID."""
    digest = hashlib.sha256(uid.encode()).digest()[:15]
    return base64.b32hexencode(digest).decode().lower()


def google_event(meeting: Meeting) -> dict[str, Any]:
    """The Google JSON of one occurrence, as another client would have created it."""
    base, _, key = meeting.uid.rpartition("@")
    event: dict[str, Any] = {
        "summary": meeting.title,
        "start": _time(meeting.start, meeting.all_day),
        "end": _time(meeting.end, meeting.all_day),
        "transparency": "opaque" if meeting.busy else "transparent",
        "attendees": [
            {"email": a.email, "displayName": a.name, "responseStatus": _RESPONSES[a.response]}
            for a in meeting.attendees
        ],
    }
    if meeting.organizer:
        event["organizer"] = {"email": meeting.organizer}
    if base and _OCCURRENCE.match(key):
        series = series_id(base)
        stamp = key.replace("-", "").replace(":", "")
        event.update(
            id=f"{series}_{stamp}",
            iCalUID=base,
            recurringEventId=series,
            originalStartTime={"dateTime": key} if "T" in key else {"date": key},
        )
    else:
        event["iCalUID"] = meeting.uid
    return event


def _time(moment: datetime, all_day: bool) -> dict[str, str]:
    if all_day:
        return {"date": moment.date().isoformat()}
    return {"dateTime": moment.isoformat()}


# --- OAuth without Google --------------------------------------------------------------


def credentials(expired: bool = False, scopes: tuple[str, ...] = SCOPES) -> Credentials:
    expiry = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=-1 if expired else 1)
    return Credentials(
        token="access-1",
        refresh_token="refresh-1",
        token_uri="https://oauth2.googleapis.com/token",
        client_id="client.apps.googleusercontent.com",
        client_secret="secret",
        scopes=list(scopes),
        expiry=expiry,
    )


class StubFlow:
    """InstalledAppFlow without Google: hands out ``credentials()``."""

    codes: list[str]

    def __init__(self) -> None:
        self.codes = []
        self.redirect_uri = ""
        self.credentials = credentials()
        self.asked: dict[str, Any] = {}  # the arguments of the last consent asked for

    def run_local_server(self, port: int, **kw: Any) -> Credentials:
        assert port == 0  # any free port
        self.asked = kw
        return self.credentials

    def authorization_url(self, **kw: str) -> tuple[str, str]:
        self.asked = kw
        return f"https://accounts.example/auth?redirect={self.redirect_uri}", "state"

    def fetch_token(self, code: str) -> None:
        self.codes.append(code)


@pytest.fixture(name="oauth_flow")
def oauth_flow_fixture(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> StubFlow:
    """InstalledAppFlow replaced by a StubFlow; ``tmp_path/client_secret.json`` exists."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    stub = StubFlow()

    def from_file(path: str, scopes: tuple[str, ...]) -> StubFlow:
        assert tuple(scopes) == SCOPES and Path(path).is_file()
        return stub

    monkeypatch.setattr(InstalledAppFlow, "from_client_secrets_file", from_file)
    (tmp_path / "client_secret.json").write_text("{}")
    return stub
