"""Google Calendar: meetings by sync token, busy time, and nurture's own blocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agent.app import book
from agent.errors import UserError
from agent.model import Interval, NurtureBlock, Response
from agent.providers.google.provider import GoogleProvider
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider

ME = "rep@example.com"
HOUR = timedelta(hours=1)


@pytest.fixture
def fake(fake_google: FakeGoogle) -> FakeGoogle:
    fake_google.now = NOW
    return fake_google


def event(start: datetime, hours: float = 1, **extra: Any) -> dict[str, Any]:
    end = start + timedelta(hours=hours)
    return {"start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}, **extra}


def people(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"email": e, "responseStatus": r} for e, r in pairs]


class Synced:
    def __init__(self, fake: FakeGoogle, **config: Any) -> None:
        self.fake = fake
        self.config = google_config(fake, **config)
        self.store = Store(Path("x"), {})
        self.provider = google_provider(fake, self.config)

    def sync(self, now: datetime = NOW) -> dict[str, Any]:
        book.sync(self.config, self.store, self.provider, now)
        return {m.uid: m for m in self.store.meetings()}


def test_events_become_meetings(fake: FakeGoogle) -> None:
    guests = people(
        (ME, "tentative"), ("bob@globex.io", "accepted"), ("carol@acme.com", "declined")
    )
    room = {"email": "room-1@resource.calendar.google.com", "resource": True}
    fake.add_event(
        event(
            NOW - 48 * HOUR,
            summary="Review",
            iCalUID="040000008200E@outlook.example",
            organizer={"email": "Bob@Globex.io"},
            attendees=[*guests, room],
        )
    )
    fake.add_event(
        {"start": {"date": "2026-11-18"}, "end": {"date": "2026-11-19"}, "summary": "Fair"}
    )
    fake.add_event(event(NOW - 5 * HOUR, transparency="transparent", summary="FYI"))
    fake.add_event(event(NOW, eventType="workingLocation", summary="Home"))
    meetings = Synced(fake).sync()
    review = meetings["040000008200E@outlook.example"]
    assert review.organizer == "bob@globex.io" and review.title == "Review"
    assert {a.email: a.response for a in review.attendees} == {
        ME: Response.TENTATIVE,
        "bob@globex.io": Response.ACCEPTED,
        "carol@acme.com": Response.DECLINED,
    }
    assert [a.organizer for a in review.attendees] == [False, True, False]
    [all_day] = [m for m in meetings.values() if m.title == "Fair"]
    assert all_day.all_day and all_day.start == datetime(2026, 11, 18, tzinfo=UTC)
    assert not next(m for m in meetings.values() if m.title == "FYI").busy
    assert "Home" not in {m.title for m in meetings.values()}


def test_changes_come_by_sync_token(fake: FakeGoogle) -> None:
    moved = fake.add_event(event(NOW - 30 * HOUR, summary="Call"))
    gone = fake.add_event(event(NOW - 20 * HOUR, summary="Lunch", iCalUID="lunch@elsewhere"))
    synced = Synced(fake)
    synced.sync()
    fake.change_event(moved["id"], {"summary": "Call (moved)"})
    fake.cancel_event(gone["id"])
    fake.add_event(event(NOW + 24 * HOUR, summary="New"))
    fake.reset_counters()
    meetings = synced.sync()
    [listing] = [c for c in fake.calls if c.method_id == "calendar.events.list"]
    assert "syncToken" in listing.query and "timeMin" not in listing.query
    assert meetings[moved["iCalUID"]].title == "Call (moved)"
    assert "lunch@elsewhere" not in meetings  # its uid came from the state: no iCalUID sent
    assert "New" in {m.title for m in meetings.values()}


def test_a_cancelled_occurrence_removes_only_it(fake: FakeGoogle) -> None:
    start = NOW - 21 * 24 * HOUR
    ids = []
    for week in range(3):
        when = start + timedelta(weeks=week)
        stamp = when.strftime("%Y%m%dT%H%M%SZ")
        ids.append(
            fake.add_event(
                event(when, summary="Weekly", iCalUID="weekly@x", recurringEventId="series0001",
                      id=f"series0001_{stamp}", originalStartTime={"dateTime": when.isoformat()})
            )["id"]
        )  # fmt: skip
    synced = Synced(fake)
    assert len(synced.sync()) == 3
    fake.cancel_event(ids[1])
    meetings = synced.sync()
    second = (start + timedelta(weeks=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"weekly@x@{second}" not in meetings and len(meetings) == 2


def test_an_expired_token_relists_the_calendar(fake: FakeGoogle) -> None:
    kept = fake.add_event(event(NOW - 3 * HOUR, summary="Kept"))
    synced = Synced(fake)
    synced.sync()
    fake.expire_sync_tokens()
    fake.add_event(event(NOW - 2 * HOUR, summary="Later"))
    fake.reset_counters()
    meetings = synced.sync()
    statuses = [c.status for c in fake.calls if c.method_id == "calendar.events.list"]
    assert statuses == [410, 200]
    assert {m.title for m in meetings.values()} == {"Kept", "Later"} and kept["iCalUID"] in meetings
    fake.reset_counters()
    synced.sync()
    assert fake.calendar_requests == 1  # a fresh token again


def test_the_window_moving_past_the_listing_relists(fake: FakeGoogle) -> None:
    far = fake.add_event(event(NOW + 100 * 24 * HOUR, summary="Far"))
    synced = Synced(fake)
    assert far["iCalUID"] not in synced.sync()  # beyond look-ahead + a month
    later = NOW + 40 * 24 * HOUR
    fake.reset_counters()
    meetings = synced.sync(later)
    assert far["iCalUID"] in meetings
    [listing] = [c for c in fake.calls if c.api == "calendar"]
    assert "timeMin" in listing.query  # listed again, not by token


def test_an_unknown_calendar_is_a_config_problem(fake: FakeGoogle) -> None:
    with pytest.raises(UserError, match=r"google\.calendars"):
        Synced(fake, google={"endpoint": fake.base_url, "calendars": ["nope"]}).sync()


# --- busy time and blocks -------------------------------------------------------------


def block(day: date, hour: int = 9, **kw: Any) -> NurtureBlock:
    start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)
    settings: dict[str, Any] = {"title": "NURTURE DREAM CLIENTS", "description": "Acme, Globex"}
    settings.update(kw)
    return NurtureBlock(f"nurture{day:%Y%m%d}", day, start, start + 2 * HOUR, **settings)


@pytest.fixture
def provider(fake: FakeGoogle) -> GoogleProvider:
    fake.add_calendar("team@group.calendar.google.com")
    config = google_config(
        fake,
        google={
            "endpoint": fake.base_url,
            "calendars": ["primary", "team@group.calendar.google.com"],
        },
    )
    return google_provider(fake, config)


def test_blocks_are_inserted_once_and_revived_after_deletion(
    provider: GoogleProvider, fake: FakeGoogle
) -> None:
    day = date(2026, 11, 23)
    provider.put_block(block(day, colour="basil"))
    provider.put_block(block(day, colour="basil"))  # 409, patched: still one event
    [stored] = fake.events(cancelled=False)
    assert stored["id"] == "nurture20261123" and stored["colorId"] == "10"
    assert stored["extendedProperties"]["private"] == {
        "nurture": "block",
        "nurture_day": "2026-11-23",
        "nurture_id": "nurture20261123",
    }
    provider.delete_block("nurture20261123")
    provider.delete_block("nurture20261123")  # already gone: fine
    assert fake.events(cancelled=False) == []
    provider.put_block(block(day, hour=13))
    [revived] = fake.events(cancelled=False)
    assert revived["start"]["dateTime"].startswith("2026-11-23T13:00") and "colorId" not in revived
    window = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC))
    [found] = provider.blocks(*window)
    assert found == block(day, hour=13)


def test_busy_time_leaves_out_our_blocks_and_what_the_rep_declined(
    provider: GoogleProvider, fake: FakeGoogle
) -> None:
    day = datetime(2026, 11, 24, tzinfo=UTC)
    provider.put_block(block(day.date()))
    fake.add_event(event(day + 11 * HOUR, summary="Customer"))
    fake.add_event(event(day + 13 * HOUR, attendees=people((ME, "declined"))))
    fake.add_event(event(day + 14 * HOUR, transparency="transparent"))
    fake.add_event(event(day + 15 * HOUR, attendees=people((ME, "tentative"))))
    fake.add_event({"start": {"date": "2026-11-25"}, "end": {"date": "2026-11-26"}})
    fake.add_event(event(day + 16 * HOUR), "team@group.calendar.google.com")
    busy = provider.busy(day, day + timedelta(days=2))
    assert sorted(busy) == [
        Interval(day + 11 * HOUR, day + 12 * HOUR),
        Interval(day + 15 * HOUR, day + 16 * HOUR),
        Interval(day + 16 * HOUR, day + 17 * HOUR),  # from freebusy.query
        Interval(day + 24 * HOUR, day + 48 * HOUR),  # the all-day event, whole day
    ]
    assert fake.count("freebusy.query") == 1


def test_freebusy_covers_long_ranges_in_pieces(provider: GoogleProvider, fake: FakeGoogle) -> None:
    fake.add_event(event(NOW + 100 * 24 * HOUR))
    busy = provider.freebusy(NOW, NOW + timedelta(days=200))
    assert busy == [Interval(NOW + 100 * 24 * HOUR, NOW + 100 * 24 * HOUR + HOUR)]
    assert fake.count("freebusy.query") == 3  # 90-day pieces


def test_a_block_id_google_refuses_is_a_bug(provider: GoogleProvider) -> None:
    with pytest.raises(ValueError, match="base32hex"):
        provider.put_block(replace_id(block(date(2026, 11, 23)), "Not_Valid!"))


def replace_id(value: NurtureBlock, new: str) -> NurtureBlock:
    from dataclasses import replace

    return replace(value, id=new)


def test_cancelled_items_name_the_meeting_they_remove() -> None:
    from agent.providers.google.calendar import CalendarState

    state = CalendarState("token", NOW.isoformat())
    instance = {
        "id": "abc123_20261101T150000Z",
        "iCalUID": "abc@x",
        "recurringEventId": "abc123",
        "originalStartTime": {"dateTime": "2026-11-01T16:00:00+01:00"},
    }
    assert state.uid(instance) == "abc@x@2026-11-01T15:00:00Z"
    assert state.uid({"id": "plain1", "iCalUID": "outlook-uid"}) == "outlook-uid"
    assert state.cancelled_uid({"id": "plain1", "status": "cancelled"}) == "outlook-uid"
    assert state.cancelled_uid({"id": "made1", "status": "cancelled"}) == "made1@google.com"
    # Google also sends an occurrence with no recurringEventId: its id says which one.
    bare = {"id": "abc123_20261108T150000Z", "status": "cancelled"}
    assert state.cancelled_uid(bare) == "abc@x@2026-11-08T15:00:00Z"
    assert state.cancelled_uid({"id": "abc123_20261108", "status": "cancelled"}) == (
        "abc@x@2026-11-08"
    )
    assert state.cancelled_uid({"id": "abc123", "status": "cancelled"}) is None  # whole series


def test_a_calendar_dropped_from_the_config_is_forgotten(fake: FakeGoogle) -> None:
    fake.add_calendar("team")
    fake.add_event(event(NOW - 5 * HOUR, summary="Standup"), "team")
    both = google_config(fake, google={"endpoint": fake.base_url, "calendars": ["primary", "team"]})
    store = Store(Path("x"), {})
    book.sync(both, store, google_provider(fake, both), NOW)
    assert {m.calendar for m in store.meetings()} == {"team"}
    one = google_config(fake)
    book.sync(one, store, google_provider(fake, one), NOW)
    assert store.meetings() == []
    assert set(store.get_meta("cursor:google")["calendars"]) == {"primary"}


# --- what real Google does: split series, deleted ids, privacy, long ranges ----------------


def test_a_cancelled_occurrence_of_a_split_series_is_removed(fake: FakeGoogle) -> None:
    # "This and following" made a new series <base>_R<local start>; Google lists its
    # cancelled occurrences as an id and a status only.
    fake.make_realistic()
    series = "0214krqh7jr2n0bobv19djs5aj_R20261101T141500"
    start = NOW - 14 * 24 * HOUR
    ids = []
    for day in range(3):
        when = start + timedelta(days=day)
        stamp = when.strftime("%Y%m%dT%H%M%SZ")
        ids.append(
            fake.add_event(
                event(when, summary="Daily", id=f"{series}_{stamp}", recurringEventId=series,
                      iCalUID=f"{series}@google.com",
                      originalStartTime={"dateTime": when.isoformat()})
            )["id"]
        )  # fmt: skip
    synced = Synced(fake)
    assert len(synced.sync()) == 3
    fake.cancel_event(ids[1])
    fake.reset_counters()
    meetings = synced.sync()
    [listing] = [c for c in fake.calls if c.method_id == "calendar.events.list"]
    assert "syncToken" in listing.query
    gone = f"{series}@google.com@{(start + timedelta(days=1)):%Y-%m-%dT%H:%M:%SZ}"
    assert gone not in meetings and len(meetings) == 2


def test_split_series_ids_name_their_occurrence() -> None:
    from agent.providers.google.events import key_from_instance_id

    assert key_from_instance_id("abc123_R20250326T131500_20250327T131500Z") == (
        "abc123_R20250326T131500",
        "2025-03-27T13:15:00Z",
    )
    assert key_from_instance_id("abc123_R20250326_20250327") == ("abc123_R20250326", "2025-03-27")
    assert key_from_instance_id("abc123_R20250326T131500") is None  # the series itself


def test_a_deleted_block_google_will_not_revive_comes_back_under_a_new_id(
    provider: GoogleProvider, fake: FakeGoogle
) -> None:
    fake.make_realistic()  # patching a deleted event: 403
    day = date(2026, 11, 23)
    provider.put_block(block(day))
    fake.cancel_event("nurture20261123")  # the rep deleted it; nurture needs it again
    provider.put_block(block(day, hour=13))
    [alive] = fake.events(cancelled=False)
    assert alive["id"] == "nurture20261123r1" and alive["start"]["dateTime"].startswith(
        "2026-11-23T13:00"
    )
    window = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC))
    [found] = provider.blocks(*window)
    assert found == block(day, hour=13)  # one block, under its own id, for the rest of nurture
    fake.reset_counters()
    provider.put_block(block(day, hour=15))  # a move goes straight to where it lives
    assert [c.method_id for c in fake.calls] == [
        "calendar.events.insert",
        "calendar.events.patch",
    ]
    provider.delete_block(found.id)
    assert fake.events(cancelled=False) == []


def test_blocks_are_private_and_keep_the_calendars_reminders(
    provider: GoogleProvider, fake: FakeGoogle
) -> None:
    provider.put_block(block(date(2026, 11, 23)))
    [stored] = fake.events(cancelled=False)
    assert stored["visibility"] == "private"  # colleagues see busy, not the worklist
    assert stored["reminders"] == {"useDefault": True}


def test_freebusy_pieces_are_ninety_days_of_real_time_across_clock_changes(
    provider: GoogleProvider, fake: FakeGoogle
) -> None:
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 9, 1, 9, 0, tzinfo=paris)  # summer time; 90 days on is winter
    fake.add_event(
        event(datetime(2026, 12, 15, 10, 0, tzinfo=UTC)), "team@group.calendar.google.com"
    )
    busy = provider.freebusy(start, start + timedelta(days=120))
    assert busy == [
        Interval(datetime(2026, 12, 15, 10, tzinfo=UTC), datetime(2026, 12, 15, 11, tzinfo=UTC))
    ]
    assert fake.count("freebusy.query") == 2
