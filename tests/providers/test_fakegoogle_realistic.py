"""The fake's switches for what real Google does where its defaults are generous, driven
by the real client (the concurrency limit: tests/providers/test_google_concurrency.py; the consent
page with InstalledAppFlow: tests/providers/test_google_consent.py)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.kits.fakegoogle import FakeGoogle
from tests.kits.fakegoogle.browser import BlockedPort, consent

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def when(hours: int) -> dict[str, str]:
    return {"dateTime": (NOW + timedelta(hours=hours)).isoformat()}


def test_realistic_turns_every_switch_on() -> None:
    with FakeGoogle(realistic=True) as fake:
        assert fake.concurrency.limit == 50
        assert fake.calendars.minimal_cancelled and not fake.calendars.revive_deleted
        assert not fake.mailbox.to_matches_bcc


def test_send_as_lists_the_account_and_its_aliases(fake_google: FakeGoogle) -> None:
    fake_google.add_alias("Rep.Smith@Example.io")
    gmail = fake_google.build("gmail")
    found = gmail.users().settings().sendAs().list(userId="me").execute()["sendAs"]
    assert [a["sendAsEmail"] for a in found] == ["rep@example.com", "rep.smith@example.io"]
    assert found[0]["isPrimary"] and fake_google.quota_units == 1


def test_entries_that_are_the_calendar_owner_are_marked_self(fake_google: FakeGoogle) -> None:
    fake_google.add_alias("rep.smith@example.io")
    stored = fake_google.add_event(
        {
            "start": when(1),
            "end": when(2),
            "organizer": {"email": "rep.smith@example.io"},
            "attendees": [{"email": "rep.smith@example.io"}, {"email": "ann@acme.com"}],
        }
    )
    assert stored["organizer"]["self"] and stored["attendees"][0]["self"]
    assert "self" not in stored["attendees"][1]


def test_cancelled_occurrences_can_come_as_id_and_status_only(fake_google: FakeGoogle) -> None:
    series = "base0001_R20261101T141500"
    start = NOW - timedelta(days=3)
    stamp = start.strftime("%Y%m%dT%H%M%SZ")
    fake_google.add_event(
        {
            "id": f"{series}_{stamp}",  # a split series' occurrence: Google made the id
            "recurringEventId": series,
            "originalStartTime": {"dateTime": start.isoformat()},
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
        }
    )
    calendar = fake_google.build("calendar")
    token = calendar.events().list(calendarId="primary").execute()["nextSyncToken"]
    fake_google.cancel_event(f"{series}_{stamp}")
    fake_google.calendars.minimal_cancelled = True
    [item] = calendar.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert set(item) == {"kind", "etag", "id", "status"} and item["status"] == "cancelled"


def test_a_deleted_event_can_refuse_to_be_patched_back(fake_google: FakeGoogle) -> None:
    calendar = fake_google.build("calendar")
    body = {"id": "nurture00001", "start": when(1), "end": when(2)}
    calendar.events().insert(calendarId="primary", body=body).execute()
    calendar.events().delete(calendarId="primary", eventId="nurture00001").execute()
    fake_google.calendars.revive_deleted = False
    with pytest.raises(HttpError) as refused:
        calendar.events().patch(
            calendarId="primary", eventId="nurture00001", body={"status": "confirmed"}
        ).execute()
    assert refused.value.resp.status == 403
    with pytest.raises(HttpError) as again:
        calendar.events().insert(calendarId="primary", body=body).execute()
    assert again.value.resp.status == 409


def test_to_can_be_blind_to_bcc(fake_google: FakeGoogle) -> None:
    fake_google.add_message(from_="rep@example.com", to="x@example.com", bcc="ann@acme.com")
    gmail = fake_google.build("gmail")

    def found(q: str) -> int:
        return int(gmail.users().messages().list(userId="me", q=q).execute()["resultSizeEstimate"])

    assert found("to:acme.com") == 1 and found("bcc:acme.com") == 1
    fake_google.mailbox.to_matches_bcc = False
    assert found("to:acme.com") == 0 and found("bcc:acme.com") == 1


def test_chats_are_listed_unless_the_search_leaves_them_out(fake_google: FakeGoogle) -> None:
    fake_google.add_message(from_="ann@acme.com", labels=["CHAT"])
    gmail = fake_google.build("gmail")
    listed = gmail.users().messages().list(userId="me", q="from:acme.com").execute()
    assert listed["resultSizeEstimate"] == 1
    left_out = gmail.users().messages().list(userId="me", q="from:acme.com -in:chats").execute()
    assert left_out["resultSizeEstimate"] == 0


# --- the consent page ---------------------------------------------------------------------


def consent_url(fake: FakeGoogle, redirect: str, **extra: str) -> str:
    query = {
        "response_type": "code",
        "client_id": "c",
        "redirect_uri": redirect,
        "scope": "a b",
        "state": "s1",
        "access_type": "offline",
        **extra,
    }
    return f"{fake.auth_uri}?{urllib.parse.urlencode(query)}"


def exchange(fake: FakeGoogle, location: str, redirect: str) -> dict[str, Any]:
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(fake.token_uri, data=data, timeout=10) as answer:
        return dict(json.loads(answer.read()))


def test_a_refresh_token_comes_at_the_first_consent_or_when_asked(fake_google: FakeGoogle) -> None:
    redirect = "http://127.0.0.1:8765/"
    first = exchange(fake_google, consent(consent_url(fake_google, redirect)), redirect)
    assert first["refresh_token"] and first["scope"] == "a b"
    again = exchange(fake_google, consent(consent_url(fake_google, redirect)), redirect)
    assert "refresh_token" not in again  # the account consented before
    asked = consent_url(fake_google, redirect, prompt="consent")
    assert exchange(fake_google, consent(asked), redirect)["refresh_token"]


def test_an_unticked_box_is_missing_from_the_grant(fake_google: FakeGoogle) -> None:
    fake_google.oauth.untick("b")
    redirect = "http://127.0.0.1:8765/"
    location = consent(consent_url(fake_google, redirect))
    assert "state=s1" in location and "scope=a&" in location + "&"
    assert exchange(fake_google, location, redirect)["scope"] == "a"


def test_browsers_refuse_port_one(fake_google: FakeGoogle) -> None:
    with pytest.raises(BlockedPort):
        consent(consent_url(fake_google, "http://localhost:1/"))
