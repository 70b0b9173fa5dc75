"""Local .ics calendars → Meeting occurrences, and blocks.ics written back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agent.model import Meeting, Response
from agent.providers.local.calendar import CalendarUnreadable, load_meetings
from agent.providers.local.icswrite import write_ics

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WIDE = {"start": datetime(2000, 1, 1, tzinfo=UTC), "end": datetime(2040, 1, 1, tzinfo=UTC)}


def calendar(*events: str, header: str = "") -> str:
    """A VCALENDAR around VEVENT bodies (content lines without BEGIN/END)."""
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n")


def load(tmp_path: Path, text: str, tz: ZoneInfo = BERLIN, **window: datetime) -> list[Meeting]:
    path = tmp_path / "cal.ics"
    path.write_text(text, encoding="utf-8")
    return load_meetings(path, tz=tz, calendar="work", **(window or WIDE))


WEEKLY = calendar(
    """
UID:weekly-1
DTSTAMP:20240101T000000Z
DTSTART;TZID=Europe/Berlin:20240108T100000
DTEND;TZID=Europe/Berlin:20240108T110000
RRULE:FREQ=WEEKLY;COUNT=5
EXDATE;TZID=Europe/Berlin:20240122T100000
RDATE;TZID=Europe/Berlin:20240124T150000
SUMMARY:Weekly sync
""",
    """
UID:weekly-1
DTSTAMP:20240101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20240129T100000
DTSTART;TZID=Europe/Berlin:20240130T140000
DTEND;TZID=Europe/Berlin:20240130T150000
SUMMARY:Weekly sync (moved)
""",
)


def test_weekly_rule_with_exdate_rdate_and_moved_instance(tmp_path: Path) -> None:
    meetings = load(tmp_path, WEEKLY)

    berlin = [(m.start.astimezone(BERLIN).replace(tzinfo=None), m.title) for m in meetings]
    assert berlin == [
        (datetime(2024, 1, 8, 10), "Weekly sync"),
        (datetime(2024, 1, 15, 10), "Weekly sync"),
        (datetime(2024, 1, 24, 15), "Weekly sync"),  # RDATE; the 22nd is an EXDATE
        (datetime(2024, 1, 30, 14), "Weekly sync (moved)"),  # instance of the 29th, moved
        (datetime(2024, 2, 5, 10), "Weekly sync"),
    ]
    assert all(m.end - m.start == timedelta(hours=1) for m in meetings)
    assert all(m.calendar == "work" and m.start.tzinfo == BERLIN for m in meetings)
    # The moved instance keeps the uid of the slot the rule gave it (its RECURRENCE-ID).
    assert meetings[3].uid == "weekly-1@2024-01-29T09:00:00Z"
    assert meetings[0].uid == "weekly-1@2024-01-08T09:00:00Z"


def test_uids_are_unique_per_occurrence_and_stable_across_reads(tmp_path: Path) -> None:
    first = load(tmp_path, WEEKLY)
    second = load(tmp_path, WEEKLY)

    assert [m.uid for m in first] == [m.uid for m in second]
    assert len({m.uid for m in first}) == len(first) == 5
    assert first == second


def test_window_keeps_only_overlapping_occurrences(tmp_path: Path) -> None:
    meetings = load(
        tmp_path,
        WEEKLY,
        start=datetime(2024, 1, 15, 11, tzinfo=BERLIN),  # the 15th ends exactly here
        end=datetime(2024, 1, 30, 14, 30, tzinfo=BERLIN),  # the moved one has begun
    )

    assert [m.start.day for m in meetings] == [24, 30]


def test_time_zone_event_keeps_local_hour_across_dst_change(tmp_path: Path) -> None:
    text = calendar("""
UID:standup
DTSTART;TZID=America/New_York:20240304T090000
DTEND;TZID=America/New_York:20240304T100000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Standup
""")
    meetings = load(tmp_path, text, tz=NEW_YORK)

    assert [m.start.hour for m in meetings] == [9, 9, 9]  # DST began on 10 March
    assert [m.start.astimezone(UTC).hour for m in meetings] == [14, 13, 13]
    assert all(m.end - m.start == timedelta(hours=1) for m in meetings)


def test_windows_and_custom_vtimezone_tzids(tmp_path: Path) -> None:
    custom = """BEGIN:VTIMEZONE
TZID:Made Up Time
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0530
TZOFFSETTO:+0530
END:STANDARD
END:VTIMEZONE
"""
    text = calendar(
        """
UID:windows
DTSTART;TZID=W. Europe Standard Time:20240710T090000
DTEND;TZID=W. Europe Standard Time:20240710T093000
""",
        """
UID:custom
DTSTART;TZID=Made Up Time:20240710T090000
DTEND;TZID=Made Up Time:20240710T100000
""",
        header=custom,
    )
    by_uid = {m.uid: m for m in load(tmp_path, text)}

    assert by_uid["windows"].start == datetime(2024, 7, 10, 7, tzinfo=UTC)
    assert by_uid["custom"].start == datetime(2024, 7, 10, 3, 30, tzinfo=UTC)


def test_all_day_events_run_midnight_to_midnight_in_the_zone(tmp_path: Path) -> None:
    text = calendar(
        """
UID:offsite
DTSTART;VALUE=DATE:20240315
DTEND;VALUE=DATE:20240317
SUMMARY:Offsite
""",
        """
UID:holiday
DTSTART;VALUE=DATE:20240401
SUMMARY:No DTEND: one day
""",
    )
    offsite, holiday = load(tmp_path, text)

    assert offsite.all_day
    assert offsite.start == datetime(2024, 3, 15, tzinfo=BERLIN)
    assert offsite.end == datetime(2024, 3, 17, tzinfo=BERLIN)
    assert holiday.all_day
    assert holiday.end - holiday.start == timedelta(days=1)


def test_missing_dtend_uses_duration_or_zero_length(tmp_path: Path) -> None:
    text = calendar(
        "UID:dur\nDTSTART:20240610T090000Z\nDURATION:PT45M",
        "UID:instant\nDTSTART:20240610T120000Z",
    )
    by_uid = {m.uid: m for m in load(tmp_path, text)}

    assert by_uid["dur"].end - by_uid["dur"].start == timedelta(minutes=45)
    assert by_uid["instant"].end == by_uid["instant"].start
    assert not by_uid["instant"].all_day


def test_floating_time_is_read_in_the_configured_zone(tmp_path: Path) -> None:
    text = calendar("UID:float\nDTSTART:20240610T090000\nDTEND:20240610T100000")

    (meeting,) = load(tmp_path, text, tz=BERLIN)

    assert meeting.start == datetime(2024, 6, 10, 7, tzinfo=UTC)  # 09:00 CEST
    assert meeting.start.tzinfo == BERLIN


def test_x_wr_timezone_keeps_google_recurrences_on_local_time(tmp_path: Path) -> None:
    # Google Takeout writes UTC times and names the calendar's zone in X-WR-TIMEZONE.
    text = calendar(
        "UID:g\nDTSTART:20240301T170000Z\nDTEND:20240301T173000Z\nRRULE:FREQ=WEEKLY;COUNT=3",
        header="X-WR-TIMEZONE:America/Los_Angeles\n",
    )
    meetings = load(tmp_path, text, tz=ZoneInfo("America/Los_Angeles"))

    assert [m.start.hour for m in meetings] == [9, 9, 9]  # across the 10 March DST change


def test_attendees_responses_and_organizer(tmp_path: Path) -> None:
    text = calendar("""
UID:invite
DTSTART:20240610T090000Z
DTEND:20240610T100000Z
SUMMARY:Discovery call
ORGANIZER;CN=Rep:mailto:Rep@Seller.com
ATTENDEE;CN="Buyer, Ann";PARTSTAT=ACCEPTED:mailto:Ann+crm@Acme.com
ATTENDEE;PARTSTAT=TENTATIVE:MAILTO:bob@acme.com
ATTENDEE;PARTSTAT=DECLINED:mailto:carl@acme.com
ATTENDEE:mailto:dana@acme.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:rep@seller.com
ATTENDEE;CN=Room:urn:uuid:7f1e7c1a-0000-0000-0000-000000000000
""")
    (meeting,) = load(tmp_path, text)

    assert meeting.organizer == "rep@seller.com"
    assert meeting.title == "Discovery call"
    people = {a.email: a for a in meeting.attendees}
    assert set(people) == {
        "ann@acme.com",
        "bob@acme.com",
        "carl@acme.com",
        "dana@acme.com",
        "rep@seller.com",
    }
    assert people["ann@acme.com"].name == "Buyer, Ann"
    assert people["ann@acme.com"].response is Response.ACCEPTED
    assert people["bob@acme.com"].response is Response.TENTATIVE
    assert people["carl@acme.com"].response is Response.DECLINED
    assert people["dana@acme.com"].response is Response.NEEDS_ACTION
    assert [a.email for a in meeting.attendees if a.organizer] == ["rep@seller.com"]


def test_cancelled_and_transparent_events(tmp_path: Path) -> None:
    text = calendar(
        "UID:gone\nDTSTART:20240610T090000Z\nDTEND:20240610T100000Z\nSTATUS:CANCELLED",
        "UID:free\nDTSTART:20240611T090000Z\nDTEND:20240611T100000Z\nTRANSP:TRANSPARENT",
        "UID:busy\nDTSTART:20240612T090000Z\nDTEND:20240612T100000Z\nTRANSP:OPAQUE",
    )
    by_uid = {m.uid: m for m in load(tmp_path, text)}

    assert by_uid["gone"].cancelled
    assert by_uid["gone"].busy
    assert not by_uid["free"].busy
    assert not by_uid["free"].cancelled
    assert by_uid["busy"].busy


def test_cancelled_single_instance_of_a_series(tmp_path: Path) -> None:
    text = calendar(
        "UID:s\nDTSTART:20240603T090000Z\nDTEND:20240603T093000Z\nRRULE:FREQ=DAILY;COUNT=3",
        "UID:s\nRECURRENCE-ID:20240604T090000Z\nDTSTART:20240604T090000Z\n"
        "DTEND:20240604T093000Z\nSTATUS:CANCELLED",
    )
    meetings = load(tmp_path, text)

    assert [(m.start.day, m.cancelled) for m in meetings] == [(3, False), (4, True), (5, False)]


def test_broken_file_is_unreadable_and_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.ics"
    path.write_text("BEGIN:VCALENDAR\r\nthis is not a content line\r\nEND:VCALENDAR\r\n")

    with pytest.raises(CalendarUnreadable) as caught:
        load_meetings(path, tz=BERLIN, **WIDE)

    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert caught.value.reason


@pytest.mark.parametrize("content", ["", "hello", "\x00\x01binary"])
def test_files_that_are_not_calendars_are_unreadable(tmp_path: Path, content: str) -> None:
    path = tmp_path / "x.ics"
    path.write_text(content)

    with pytest.raises(CalendarUnreadable):
        load_meetings(path, tz=BERLIN, **WIDE)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(CalendarUnreadable, match=r"gone\.ics"):
        load_meetings(tmp_path / "gone.ics", tz=BERLIN, **WIDE)


def test_one_malformed_event_does_not_hide_the_others(tmp_path: Path) -> None:
    text = calendar(
        "UID:no-start\nSUMMARY:DTSTART is missing",
        "UID:bad-rule\nDTSTART:20240610T090000Z\nRRULE:FREQ=SOMETIMES",
        "UID:good\nDTSTART:20240610T090000Z\nDTEND:20240610T100000Z",
    )
    assert [m.uid for m in load(tmp_path, text)] == ["good"]


def test_events_without_uid_get_a_stable_one(tmp_path: Path) -> None:
    text = calendar("DTSTART:20240610T090000Z\nSUMMARY:A", "DTSTART:20240611T090000Z\nSUMMARY:B")

    first, second = load(tmp_path, text), load(tmp_path, text)

    assert [m.uid for m in first] == [m.uid for m in second]
    assert len({m.uid for m in first}) == 2


def test_uids_stay_unique_when_a_file_reuses_a_uid(tmp_path: Path) -> None:
    twice = calendar("UID:dup\nDTSTART:20240610T090000Z") + calendar(
        "UID:dup\nDTSTART:20240611T090000Z"
    )
    duplicated = calendar(
        "UID:same\nDTSTART:20240610T090000Z", "UID:same\nDTSTART:20240610T090000Z"
    )

    assert [m.uid for m in load(tmp_path, twice)] == ["dup", "dup@2024-06-11T09:00:00Z"]
    assert [m.uid for m in load(tmp_path, duplicated)] == ["same"]


def test_naive_window_is_a_bug(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="aware"):
        load(tmp_path, WEEKLY, start=datetime(2024, 1, 1), end=datetime(2025, 1, 1))


def test_write_ics_round_trips_through_load(tmp_path: Path) -> None:
    blocks = [
        Meeting(
            uid="block-1",
            start=datetime(2024, 6, 10, 9, tzinfo=BERLIN),
            end=datetime(2024, 6, 10, 9, 30, tzinfo=BERLIN),
            title="Nurture: Acme",
            own_block=True,
        ),
        Meeting(
            uid="hold-2",
            start=datetime(2024, 6, 11, 13, tzinfo=UTC),
            end=datetime(2024, 6, 11, 14, tzinfo=UTC),
            title="Tentative hold; with, punctuation",
            busy=False,
        ),
        Meeting(
            uid="day-3",
            start=datetime(2024, 6, 12, tzinfo=BERLIN),
            end=datetime(2024, 6, 13, tzinfo=BERLIN),
            title="Whole day",
            all_day=True,
        ),
    ]
    path = tmp_path / "blocks.ics"
    path.write_text("old content")

    write_ics(path, blocks)
    again = load_meetings(path, tz=BERLIN, calendar="blocks", **WIDE)

    assert [(m.uid, m.start, m.end, m.title, m.busy, m.own_block, m.all_day) for m in again] == [
        (b.uid, b.start, b.end, b.title, b.busy, b.own_block, b.all_day) for b in blocks
    ]
    assert "X-NURTURE-BLOCK:1" in path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocks.ics"]  # no temp file left


def test_write_ics_is_deterministic_and_refuses_duplicate_uids(tmp_path: Path) -> None:
    block = Meeting(
        uid="b",
        start=datetime(2024, 6, 10, 9, tzinfo=UTC),
        end=datetime(2024, 6, 10, 10, tzinfo=UTC),
    )
    one, two = tmp_path / "one.ics", tmp_path / "two.ics"
    write_ics(one, [block])
    write_ics(two, [block])

    assert one.read_bytes() == two.read_bytes()
    with pytest.raises(ValueError, match="distinct uid"):
        write_ics(tmp_path / "dup.ics", [block, block])


@settings(
    max_examples=40,
    deadline=None,
    # The autouse home-folder fixture is harmless to share between examples.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example(freq="DAILY", interval=1, count=3, first=date(2024, 3, 9), hour=2, excluded={2})
@given(
    freq=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.integers(1, 3),
    count=st.integers(1, 30),
    first=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    hour=st.integers(0, 23),
    excluded=st.sets(st.integers(0, 29)),
)
def test_count_minus_exdates_instances_at_the_same_local_time(
    tmp_path: Path,
    *,
    freq: str,
    interval: int,
    count: int,
    first: date,
    hour: int,
    excluded: set[int],
) -> None:
    step = timedelta(days=interval * (7 if freq == "WEEKLY" else 1))
    # Adding a timedelta to an aware datetime is wall-clock arithmetic: the expected
    # instances keep their local hour across DST changes, as RFC 5545 requires.
    starts = [
        datetime.combine(first, datetime.min.time(), NEW_YORK).replace(hour=hour) + k * step
        for k in range(count)
    ]
    excluded = {k for k in excluded if k < count}
    exdates = "".join(
        f"EXDATE;TZID=America/New_York:{starts[k]:%Y%m%dT%H%M%S}\n" for k in sorted(excluded)
    )
    text = calendar(
        f"UID:p\nDTSTART;TZID=America/New_York:{starts[0]:%Y%m%dT%H%M%S}\nDURATION:PT1H\n"
        f"RRULE:FREQ={freq};INTERVAL={interval};COUNT={count}\n{exdates}"
    )

    meetings = load(tmp_path, text, tz=NEW_YORK)

    expected = [s for k, s in enumerate(starts) if k not in excluded]
    # Compared in UTC: datetimes sharing a tzinfo compare by wall time, and a start that
    # falls in the spring-forward gap (02:30) denotes the instant 03:30 EDT.
    assert [m.start.astimezone(UTC) for m in meetings] == [s.astimezone(UTC) for s in expected]
    assert len({m.uid for m in meetings}) == count - len(excluded)
