"""The local BlockCalendar: what counts as busy in .ics files, and blocks.ics itself.

Real calendars from other projects (../shared/data/ical) serve as busy sources: nurture
must place its blocks around every meeting they hold, in their own years and zones.
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Event, vCalAddress

from agent.app import blocks as block_cases
from agent.errors import UserError
from agent.model import NurtureBlock
from agent.providers.local.blocks import LocalBlockCalendar
from agent.providers.local.calendar import load_meetings
from agent.store.db import Store
from tests.conftest import SHARED_DATA, make_config
from tests.kits.blockfake import LocalHarness

NY = ZoneInfo("America/New_York")
MONDAY = date(2026, 11, 23)
WEEK = (
    datetime.combine(MONDAY, time(0), NY),
    datetime.combine(MONDAY + timedelta(days=7), time(0), NY),
)


def at(day: int, hour: int) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day), time(hour), NY)


@pytest.fixture
def harness(tmp_path: Path) -> LocalHarness:
    return LocalHarness(tmp_path, NY)


def test_busy_is_opaque_confirmed_time_the_rep_has_not_declined(harness: LocalHarness) -> None:
    harness.add_meeting(at(0, 9), at(0, 10), summary="plain")
    harness.add_meeting(at(0, 11), at(0, 12), status="TENTATIVE")
    harness.add_meeting(at(0, 13), at(0, 14), status="CANCELLED")
    harness.add_meeting(at(0, 15), at(0, 16), transp="TRANSPARENT")
    harness.add_meeting(at(0, 16), at(0, 16))  # zero length
    busy = harness.calendar.busy(*WEEK)
    assert sorted((b.start, b.end) for b in busy) == [(at(0, 9), at(0, 10)), (at(0, 11), at(0, 12))]


def _invite(harness: LocalHarness, partstat: str, start: datetime) -> None:
    event = Event()
    event.add("UID", f"invite-{partstat}@example.com")
    event.add("DTSTAMP", datetime(2026, 1, 1, tzinfo=UTC))
    event.add("DTSTART", start)
    event.add("DTEND", start + timedelta(hours=1))
    attendee = vCalAddress("mailto:Rep+crm@Seller.com")
    attendee.params["PARTSTAT"] = partstat
    event.add("ATTENDEE", attendee, encode=False)
    harness._events.append(event)
    harness._write_meetings()


def test_declined_invitations_are_free_unanswered_ones_busy(harness: LocalHarness) -> None:
    _invite(harness, "DECLINED", at(1, 9))
    _invite(harness, "NEEDS-ACTION", at(1, 11))
    _invite(harness, "TENTATIVE", at(1, 13))
    starts = sorted(b.start for b in harness.calendar.busy(*WEEK))
    assert starts == [at(1, 11), at(1, 13)]


def _all_day(harness: LocalHarness, day: date, transp: str) -> None:
    event = Event()
    event.add("UID", f"all-day-{day}@example.com")
    event.add("DTSTAMP", datetime(2026, 1, 1, tzinfo=UTC))
    event.add("DTSTART", day)
    event.add("DTEND", day + timedelta(days=1))
    event.add("SUMMARY", "Out of office" if transp == "OPAQUE" else "Thanksgiving")
    event.add("TRANSP", transp)
    harness._events.append(event)
    harness._write_meetings()


def test_an_opaque_all_day_event_blocks_the_day_a_transparent_one_does_not(
    harness: LocalHarness, tmp_path: Path
) -> None:
    _all_day(harness, MONDAY + timedelta(days=1), "OPAQUE")  # vacation
    _all_day(harness, MONDAY + timedelta(days=3), "TRANSPARENT")  # a holiday marker
    config = make_config(timezone="America/New_York", blocks={"count": 3, "horizon_days": 5})
    store = Store(tmp_path / "home", {})
    (tmp_path / "home").mkdir()
    block_cases.run(config, store, harness.calendar, at(0, 6), work=[])
    days = [b.start.astimezone(NY).weekday() for b in harness.all_blocks()]
    assert days == [0, 2, 3]


def test_our_blocks_imported_into_the_rep_calendar_are_not_busy(harness: LocalHarness) -> None:
    block = NurtureBlock("abc123", MONDAY, at(0, 9), at(0, 11), "NURTURE DREAM CLIENTS")
    harness.calendar.put_block(block)
    # The rep's calendar app exported the imported block with a UID suffix, no X- tags.
    harness.add_meeting(at(0, 9), at(0, 11), uid="abc123@google.com")
    assert harness.calendar.busy(*WEEK) == []


def test_blocks_ics_round_trips_and_rewrites_identically(harness: LocalHarness) -> None:
    text = "Work these:\n1. Quarry & Finch: 40 days; 1 of 3, reached\n   - draft: a:b\n"
    block = NurtureBlock(
        "v0id", MONDAY, at(0, 9), at(0, 11), "Dream", text, busy=False, colour="peacock"
    )
    harness.calendar.put_block(block)
    (back,) = harness.all_blocks()
    assert back == block
    first = harness.blocks_file.read_bytes()
    harness.calendar.put_block(block)
    harness.local._write(harness.all_blocks())
    assert harness.blocks_file.read_bytes() == first
    assert b"X-NURTURE-DAY:2026-11-23" in first and b"COLOR:deepskyblue" in first


def test_delete_block_is_quiet_when_already_gone(harness: LocalHarness) -> None:
    harness.calendar.put_block(NurtureBlock("v1", MONDAY, at(0, 9), at(0, 11), "x"))
    harness.calendar.delete_block("v1")
    harness.calendar.delete_block("v1")
    assert harness.all_blocks() == []


def test_a_hand_broken_blocks_ics_is_a_user_error(harness: LocalHarness) -> None:
    harness.blocks_file.parent.mkdir(parents=True, exist_ok=True)
    harness.blocks_file.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\n")
    with pytest.raises(UserError, match=r"blocks\.ics"):
        harness.calendar.blocks(*WEEK)


def test_an_unreadable_busy_calendar_stops_placement(tmp_path: Path) -> None:
    (tmp_path / "cal.ics").write_text("this is not iCalendar")
    calendar = LocalBlockCalendar([tmp_path / "cal.ics"], tmp_path / "blocks.ics", NY, [])
    with pytest.raises(UserError, match=r"local\.calendars"):
        calendar.busy(*WEEK)


# --- real calendars as busy sources ----------------------------------------------------

ICAL = SHARED_DATA / "ical"
REAL = [
    # (file, zone, a moment just before a busy working week in that calendar)
    (
        "recurring_ical_events/issue_173_only_modifications_error.ics",
        "Europe/Paris",
        "2024-02-05T07:00",
    ),
    ("recurring_ical_events/issue_48_dst.ics", "America/Chicago", "2021-03-12T07:00"),  # DST
    (
        "allenporter-ical/examples/testdata/apple_ical.ics",
        "America/Los_Angeles",
        "2022-09-19T07:00",
    ),
    ("node-ical/recurrence-sequence.ics", "UTC", "2024-01-01T07:00"),
    ("node-ical/Office-2012-owa.ics", "Australia/Sydney", "2020-10-26T07:00"),
]


@pytest.mark.parametrize(("name", "zone", "when"), REAL, ids=[r[0] for r in REAL])
def test_blocks_go_around_real_calendars(name: str, zone: str, when: str, tmp_path: Path) -> None:
    path = ICAL / name
    if not path.exists():
        pytest.skip(f"shared test data not present at {path}")
    tz = ZoneInfo(zone)
    now = datetime.fromisoformat(when).replace(tzinfo=tz)
    calendar = LocalBlockCalendar([path], tmp_path / "blocks.ics", tz, ["rep@seller.com"])
    config = make_config(timezone=zone, working_hours={"start": "08:00", "end": "18:00"})
    store = Store(tmp_path / "home", {})
    (tmp_path / "home").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # icalendar's notes on vendor time zones
        report = block_cases.run(config, store, calendar, now, work=[])
        again = block_cases.run(config, store, calendar, now, work=[])
        meetings = load_meetings(path, start=now, end=now + timedelta(days=21), tz=tz)
    blocks = calendar.blocks(now, now + timedelta(days=21))
    assert len(blocks) + report.plan.shortfall == 5 and again.plan.actions == ()
    busy = [m for m in meetings if not m.cancelled and m.busy and m.end > m.start]
    assert busy, "the chosen week should have meetings to avoid"
    for block in blocks:
        assert block.end - block.start == timedelta(hours=2)
        local = block.start.astimezone(tz), block.end.astimezone(tz)
        assert local[0].weekday() < 5 and time(8) <= local[0].time() and local[1].time() <= time(18)
        for meeting in busy:
            assert not (block.start < meeting.end and meeting.start < block.end), meeting.title
