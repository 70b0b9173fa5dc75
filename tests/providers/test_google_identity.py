"""The rep behind several addresses: send-as aliases, the SENT label, and the calendar's
``self`` entries (an alias invited, a secondary calendar) are all the rep."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.app import book
from agent.model import Channel, Direction, Touch
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider

ME = "rep@example.com"
ALIAS = "rep.smith@example.io"  # another domain of the seller, set up as send-as in Gmail
HOUR = timedelta(hours=1)


@pytest.fixture
def fake(fake_google: FakeGoogle) -> FakeGoogle:
    fake_google.now = NOW
    fake_google.make_realistic()
    fake_google.add_alias(ALIAS)
    return fake_google


class Rep:
    def __init__(self, fake: FakeGoogle, **config: Any) -> None:
        self.fake = fake
        self.config = google_config(fake, **config)
        self.store = Store(Path("x"), {})
        self.provider = google_provider(fake, self.config)

    def touches(self) -> list[Touch]:
        book.sync(self.config, self.store, self.provider, NOW)
        return list(book.detect_all(self.config, self.store, NOW).touches)


def event(start: Any, **extra: Any) -> dict[str, Any]:
    end = start + HOUR
    return {"start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}, **extra}


def test_mail_sent_from_a_send_as_alias_is_the_reps(fake: FakeGoogle) -> None:
    fake.add_message(from_=f"Rep Smith <{ALIAS}>", to="ann@acme.com", date=NOW - 2 * HOUR)
    [touch] = Rep(fake).touches()
    assert (touch.contact, touch.direction) == ("ann@acme.com", Direction.OUTBOUND)
    assert fake.count("settings.sendAs.list") == 1


def test_mail_labelled_sent_is_the_reps_whatever_its_from(fake: FakeGoogle) -> None:
    # Sent by a delegate, or from an alias added after nurture read the list.
    fake.add_message(
        from_="Assistant <pa@example.com>", to="bob@globex.io", labels=["SENT"], date=NOW - HOUR
    )
    [touch] = Rep(fake).touches()
    assert (touch.contact, touch.direction) == ("bob@globex.io", Direction.OUTBOUND)


def test_a_new_alias_in_sent_mail_is_learnt(fake: FakeGoogle) -> None:
    rep = Rep(fake)
    rep.touches()
    fake.add_alias("rep@example.net")
    fake.add_message(from_="rep@example.net", to="ann@acme.com", labels=["SENT"], date=NOW - HOUR)
    fake.reset_counters()
    rep.touches()
    assert fake.count("settings.sendAs.list") == 1  # read again: a From it did not know
    cursor = rep.store.get_meta("cursor:google")
    assert "rep@example.net" in cursor["gmail"]["aliases"]
    fake.reset_counters()
    rep.touches()
    assert fake.count("settings.sendAs.list") == 0  # nothing new: one history.list


def test_a_meeting_the_rep_attends_under_an_alias_is_held_with_the_contact(
    fake: FakeGoogle,
) -> None:
    fake.add_event(
        event(
            NOW - 30 * HOUR,
            summary="Acme review",
            organizer={"email": "ann@acme.com"},
            attendees=[
                {"email": "ann@acme.com", "responseStatus": "accepted"},
                {"email": ALIAS, "responseStatus": "accepted"},  # marked self by Google
            ],
        )
    )
    [touch] = Rep(fake).touches()
    assert (touch.contact, touch.channel, touch.direction) == (
        "ann@acme.com",
        Channel.MEETING,
        Direction.INBOUND,
    )


def test_a_meeting_the_rep_organised_under_an_alias_is_theirs(fake: FakeGoogle) -> None:
    fake.add_event(
        event(
            NOW - 30 * HOUR,
            organizer={"email": ALIAS},  # marked self by Google
            attendees=[{"email": "bob@globex.io", "responseStatus": "accepted"}],
        )
    )
    [touch] = Rep(fake).touches()
    assert (touch.contact, touch.direction) == ("bob@globex.io", Direction.OUTBOUND)


def test_a_meeting_on_a_secondary_calendar_of_the_rep_counts(fake: FakeGoogle) -> None:
    team = "sales-team@group.calendar.google.com"
    fake.add_calendar(team)
    fake.add_event(
        event(
            NOW - 30 * HOUR,
            organizer={"email": "ann@acme.com"},
            attendees=[
                {"email": "ann@acme.com", "responseStatus": "accepted"},
                {"email": team, "responseStatus": "accepted"},  # the calendar itself: self
            ],
        ),
        team,
    )
    rep = Rep(fake, google={"endpoint": fake.base_url, "calendars": ["primary", team]})
    [touch] = rep.touches()
    assert touch.contact == "ann@acme.com" and touch.channel is Channel.MEETING


def test_the_rep_declining_under_an_alias_is_no_touch(fake: FakeGoogle) -> None:
    fake.add_event(
        event(
            NOW - 30 * HOUR,
            organizer={"email": "ann@acme.com"},
            attendees=[
                {"email": "ann@acme.com", "responseStatus": "accepted"},
                {"email": ALIAS, "responseStatus": "declined"},
            ],
        )
    )
    assert Rep(fake).touches() == []
